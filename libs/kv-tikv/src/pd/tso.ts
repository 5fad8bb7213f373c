import type * as grpc from '@grpc/grpc-js';
import { Backoffer, type BackoffEnv } from '../backoff';
import type { PdRequestHeader, TsoResponse } from '../grpc/wire';
import { expandBatch, fromU64 } from './timestamp';

interface Waiter {
  resolve(ts: bigint): void;
  reject(err: Error): void;
}

export interface TsoStreamDeps {
  /** Opens a Tso stream on the current PD leader (re-discovering it if needed). */
  open(): Promise<{ stream: grpc.ClientDuplexStream<object, object>; header: PdRequestHeader }>;
  /** The stream broke: the leader may have changed. */
  onFailure(err: Error): void;
  readonly backoff: BackoffEnv;
  readonly budgetMs: number;
  /** A batch not answered within this time counts as a broken stream. */
  readonly timeoutMs: number;
  onRequest?(count: number): void;
}

/**
 * The batched TSO stream (client-go `tsoDispatcher`, client-rust `pd/timestamp.rs`): callers that
 * arrive while a batch is in flight share the next request (`count = n`); one reply carries the
 * last timestamp of its batch. A broken or silent stream is reopened (after PD re-discovery) and
 * unanswered batches are asked again; past the budget the waiting callers get KvUnavailableError.
 */
export class TsoStream {
  private pending: Waiter[] = [];
  private inflight: Waiter[] | undefined;
  private stream: grpc.ClientDuplexStream<object, object> | undefined;
  private header: PdRequestHeader | undefined;
  private opening = false;
  private timer: NodeJS.Timeout | undefined;
  private bo: Backoffer | undefined;
  private closed = false;
  private sleeping = false;
  private requests = 0;

  constructor(private readonly deps: TsoStreamDeps) {}

  /** Requests sent so far (each may serve many callers). */
  get requestCount(): number {
    return this.requests;
  }

  getTimestamp(): Promise<bigint> {
    if (this.closed) return Promise.reject(new Error('TSO client closed'));
    return new Promise<bigint>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.pump();
    });
  }

  close(): void {
    this.closed = true;
    this.dropStream();
    const waiting = [...(this.inflight ?? []), ...this.pending];
    this.inflight = undefined;
    this.pending = [];
    for (const w of waiting) w.reject(new Error('TSO client closed'));
  }

  private pump(): void {
    if (this.closed || this.sleeping || this.inflight || this.pending.length === 0) return;
    if (!this.stream) return void this.open();
    const batch = this.pending;
    this.pending = [];
    this.inflight = batch;
    this.requests++;
    this.deps.onRequest?.(batch.length);
    this.timer = setTimeout(() => this.fail(new Error('TSO reply timed out')), this.deps.timeoutMs);
    this.stream.write({ header: this.header, count: batch.length });
  }

  private open(): void {
    if (this.opening) return;
    this.opening = true;
    this.deps.open().then(
      ({ stream, header }) => {
        this.opening = false;
        if (this.closed) return void stream.cancel();
        this.stream = stream;
        this.header = header;
        stream.on('data', (res: TsoResponse) => this.onReply(stream, res));
        stream.on('error', (err: Error) => stream === this.stream && this.fail(err));
        stream.on('end', () => stream === this.stream && this.fail(new Error('TSO stream ended')));
        this.pump();
      },
      (err: Error) => {
        this.opening = false;
        this.fail(err);
      },
    );
  }

  private onReply(stream: grpc.ClientDuplexStream<object, object>, res: TsoResponse): void {
    if (stream !== this.stream) return;
    const batch = this.inflight;
    if (!batch) return this.fail(new Error('TSO reply without a request'));
    const headerError = res.header?.error;
    if (headerError && headerError.type) return this.fail(new Error(`PD TSO error: ${headerError.message ?? headerError.type}`));
    let stamps: bigint[];
    try {
      if (res.count !== batch.length) throw new Error(`TSO reply count ${res.count} for ${batch.length}`);
      stamps = expandBatch(fromU64(res.timestamp?.physical), fromU64(res.timestamp?.logical), batch.length);
    } catch (err) {
      return this.fail(err as Error);
    }
    clearTimeout(this.timer);
    this.inflight = undefined;
    this.bo = undefined;
    batch.forEach((w, i) => w.resolve(stamps[i]));
    this.pump();
  }

  /** The stream is unusable: drop it, requeue the unanswered batch, back off and reopen. */
  private fail(err: Error): void {
    if (this.closed) return;
    this.dropStream();
    if (this.inflight) this.pending = [...this.inflight, ...this.pending];
    this.inflight = undefined;
    this.deps.onFailure(err);
    this.bo ??= new Backoffer(this.deps.backoff, this.deps.budgetMs, 'TSO');
    this.sleeping = true;
    this.bo.backoff('tsoRpc', err).then(
      () => {
        this.sleeping = false;
        this.pump();
      },
      (unavailable: Error) => {
        this.sleeping = false;
        this.bo = undefined;
        const waiting = this.pending;
        this.pending = [];
        for (const w of waiting) w.reject(unavailable);
      },
    );
  }

  private dropStream(): void {
    clearTimeout(this.timer);
    const s = this.stream;
    this.stream = undefined;
    if (s) {
      s.removeAllListeners('data');
      s.on('error', () => undefined); // cancel() reports CANCELLED: expected
      s.cancel();
    }
  }
}
