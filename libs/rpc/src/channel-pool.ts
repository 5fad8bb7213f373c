import * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { callAborted, throwIfCallAborted, whenAborted, type CallCtx } from '@massive/contracts';
import { REQUEST_ID_HEADER } from './bind-service';
import { fromGrpcError, statusName } from './errors';
import { CLIENT_WINDOW_BYTES } from './http2-windows';
import { observeCall, type GrpcMetrics } from './metrics';
import type { MuxRequest } from './generated/massive/rpc/v1/MuxRequest';
import type { MuxResponse__Output } from './generated/massive/rpc/v1/MuxResponse';
import { MuxChannel, MUX_UNSUPPORTED, type MuxOptions } from './mux/mux-client';
import { MUX_METHOD } from './mux/mux-server';
import { AUTHORIZATION_HEADER, bearer, channelCredentials, channelSecurityOptions, type RpcSecurity } from './security/rpc-security';

/** Messages are bounded by design (bodies travel in ≤256 KiB pieces), but a manifest can be large. */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/**
 * Client channel settings: keep-alive pings find dead connections (a restarted peer) within ~30 s even
 * when idle; reconnects back off from 100 ms to 5 s; every channel spreads calls round-robin over the
 * addresses its target resolves to (`dns:///metadata:7070` behind a headless service). HTTP/2 windows
 * of 2 MiB (grpc-js sets stream and connection window from one option) instead of 64 KiB, so the
 * messages of concurrent reads arrive without waiting on WINDOW_UPDATEs (http2-windows.ts). No
 * channelz (per-call bookkeeping nothing reads).
 */
export const CLIENT_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 20_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 5_000,
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  'grpc-node.flow_control_window': CLIENT_WINDOW_BYTES,
  'grpc.enable_channelz': 0,
};

export interface PoolOptions {
  /**
   * One or more targets, each `host:port`, `dns:///host:port` or `ipv4:addr:port,...`. Several targets
   * (replicas without a common DNS name) get a channel each, used in turn, skipping failed ones.
   */
  readonly targets: readonly string[];
  /** What the service is called in errors ("metadata service"). */
  readonly label: string;
  readonly metrics?: GrpcMetrics;
  /** Deadline of unary calls whose CallCtx has none. Default 30 s. Streams get none by default. */
  readonly defaultTimeoutMs?: number;
  readonly channelOptions?: grpc.ChannelOptions;
  /** TLS material and/or the service token the servers require (see RpcSecurity). */
  readonly security?: RpcSecurity;
  /**
   * Unary calls travel multiplexed on the service's `Mux` streams (mux/mux-client.ts): false (the
   * default) makes plain unary calls; a service without that method gets plain calls regardless.
   */
  readonly mux?: boolean | MuxOptions;
}

type ReqOf<M> = M extends MethodDefinition<infer Req, infer _Res, infer _ReqOut, infer _ResOut> ? Req : never;
type ResOf<M> = M extends MethodDefinition<infer _Req, infer _Res, infer _ReqOut, infer ResOut> ? ResOut : never;
type Methods<D> = Extract<keyof D, string>;
const OVER: unique symbol = Symbol('call over');
/** A client stream writes on while fewer messages than this wait to be handed to HTTP/2. */
export const MAX_UNFLUSHED_MESSAGES = 4;

/**
 * grpc-js clients for one service over one or more targets, with promise and async-iterable calls.
 * CallCtx travels as a deadline, cancellation (aborting the call's ctx cancels the call) and the request
 * id in metadata; failures come back as the ServiceError the server threw, or `Unavailable`.
 */
export class ChannelPool<D extends grpc.ServiceDefinition> {
  private readonly clients: grpc.Client[];
  private next = 0;
  private readonly defaultTimeoutMs: number;
  private readonly muxes: MuxChannel[] | undefined;
  private readonly authorization: string | undefined;

  constructor(
    private readonly definition: D,
    private readonly opts: PoolOptions,
  ) {
    if (opts.targets.length === 0) throw new Error(`${opts.label}: no endpoints configured`);
    const options = { ...CLIENT_CHANNEL_OPTIONS, ...channelSecurityOptions(opts.security), ...opts.channelOptions };
    const credentials = channelCredentials(opts.security);
    this.clients = opts.targets.map((t) => new grpc.Client(t, credentials, options));
    this.authorization = opts.security?.token === undefined ? undefined : bearer(opts.security.token);
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 30_000;
    const muxDef = (definition as grpc.ServiceDefinition)[MUX_METHOD] as MethodDefinition<MuxRequest, unknown, unknown, MuxResponse__Output> | undefined;
    if (opts.mux && muxDef?.requestStream && muxDef.responseStream) {
      const muxOpts = opts.mux === true ? {} : opts.mux;
      this.muxes = this.clients.map(
        (c, i) =>
          new MuxChannel(c, muxDef, () => this.streamMetadata(), muxOpts, {
            ...(opts.security?.tls && { tls: opts.security.tls }),
            ...(tlsNameOf(opts.targets[i], opts.security) !== undefined && { serverName: tlsNameOf(opts.targets[i], opts.security) }),
            ...(opts.metrics?.muxDirect && { onOutcome: (o: string) => opts.metrics!.muxDirect!.labels(o).inc() }),
          }),
      );
    }
  }

  get label(): string {
    return `${this.opts.label} (${this.opts.targets.join(',')})`;
  }

  /** How many targets (channels) the pool has; `target` arguments index them in the order given. */
  get size(): number {
    return this.clients.length;
  }

  /** Whether target `i`'s channel is not known to be failing (it may still fail: a hint for routing). */
  isUp(i: number): boolean {
    return this.client(i).getChannel().getConnectivityState(false) !== grpc.connectivityState.TRANSIENT_FAILURE;
  }

  /** `target`: call that target (index into `targets`) instead of the next one round-robin. */
  async unary<K extends Methods<D>>(method: K, req: ReqOf<D[K]>, ctx: CallCtx, target?: number): Promise<ResOf<D[K]>> {
    const def = this.definition[method];
    throwIfCallAborted(ctx);
    const started = process.hrtime.bigint();
    const i = target ?? this.pickTarget();
    const mux = this.muxes?.[i];
    if (mux?.usable) {
      let pending: Promise<Buffer> | undefined;
      try {
        pending = mux.call(method, def.requestSerialize(req), ctx, this.deadline(ctx, true));
        if (pending) {
          const value = def.responseDeserialize(await pending) as ResOf<D[K]>;
          this.observe(def.path, null, ctx, started);
          return value;
        }
      } catch (e) {
        if (e !== MUX_UNSUPPORTED) {
          this.observe(def.path, (e as { code?: number }).code === undefined ? { code: grpc.status.INTERNAL } : (e as { code: number }), ctx, started);
          throw this.failure(e, ctx);
        }
      }
    }
    return new Promise((resolve, reject) => {
      const call = this.client(i).makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, req, this.metadata(ctx), this.options(ctx, true), (err, value) => {
        offAbort();
        this.observe(def.path, err, ctx, started);
        if (err) reject(this.failure(err, ctx));
        else resolve(value as ResOf<D[K]>);
      });
      const offAbort = whenAborted(ctx, () => call.cancel());
    });
  }

  /**
   * Sends `requests` as a client stream, writing only while fewer than MAX_UNFLUSHED_MESSAGES wait
   * for the transport (backpressure, and a memory bound per stream), and resolves with the single
   * response. Stops reading `requests` as soon as the call fails; a failing
   * source cancels the call and its error propagates unchanged.
   */
  async clientStream<K extends Methods<D>>(method: K, requests: AsyncIterable<ReqOf<D[K]>>, ctx: CallCtx, target?: number): Promise<ResOf<D[K]>> {
    const def = this.definition[method];
    throwIfCallAborted(ctx);
    const started = process.hrtime.bigint();
    let call!: grpc.ClientWritableStream<ReqOf<D[K]>>;
    let ended = false;
    const result = new Promise<ResOf<D[K]>>((resolve, reject) => {
      call = this.client(target).makeClientStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, this.metadata(ctx), this.options(ctx, false), (err, value) => {
        ended = true;
        this.observe(def.path, err, ctx, started);
        if (err) reject(this.failure(err, ctx));
        else resolve(value as ResOf<D[K]>);
      });
    });
    result.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    const offAbort = whenAborted(ctx, () => call.cancel());
    // Messages written but not yet handed to HTTP/2 (their write callback pending). grpc-js would
    // buffer 16 before write() says stop, whatever their size: at 256 KiB that is 4 MiB per stream.
    let unflushed = 0;
    let needDrain = false;
    let wake: (() => void) | undefined;
    const flushed = () => {
      unflushed--;
      wake?.();
    };
    // A call that ends early (the server failed) interrupts even a wait on a stalled source.
    const over: Promise<typeof OVER> = result.then(
      () => OVER,
      () => OVER,
    );
    void over.then(() => wake?.());
    // Resolves on any progress: a message flushed, 'drain', or the call over (settled or failed).
    const progress = () =>
      new Promise<void>((resolve) => {
        const done = () => {
          call.off('drain', drained);
          wake = undefined;
          resolve();
        };
        const drained = () => {
          needDrain = false;
          done();
        };
        wake = done;
        call.on('drain', drained);
      });
    const source = requests[Symbol.asyncIterator]();
    try {
      for (;;) {
        if (ended) {
          // No read is pending: close the source now (its finally blocks run before we return).
          await source.return?.();
          break;
        }
        const next = await Promise.race([source.next(), over]);
        if (next === OVER) {
          // A read is pending on a stalled source: close it once that read settles.
          void Promise.resolve(source.return?.()).catch(() => undefined);
          break;
        }
        if (next.done) {
          call.end();
          break;
        }
        unflushed++;
        if (!call.write(next.value, flushed)) needDrain = true;
        while ((needDrain || unflushed >= MAX_UNFLUSHED_MESSAGES) && !ended) await progress();
      }
    } catch (e) {
      // The source failed (bad signature, client hang-up): the server must not commit anything.
      call.cancel();
      throw e;
    } finally {
      offAbort();
    }
    return result;
  }

  /**
   * Iterates a server stream (the transport stops reading when the consumer does: backpressure).
   * Stopping early, or aborting `ctx.signal`, cancels the call, which stops the server's producer.
   */
  async *serverStream<K extends Methods<D>>(method: K, req: ReqOf<D[K]>, ctx: CallCtx, target?: number): AsyncIterable<ResOf<D[K]>> {
    const def = this.definition[method];
    throwIfCallAborted(ctx);
    const started = process.hrtime.bigint();
    const call = this.client(target).makeServerStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, req, this.metadata(ctx), this.options(ctx, false));
    const offAbort = whenAborted(ctx, () => call.cancel());
    let outcome: unknown = 'CANCELLED';
    try {
      for await (const msg of call) yield msg as ResOf<D[K]>;
      outcome = undefined;
    } catch (e) {
      outcome = e;
      throw this.failure(e, ctx);
    } finally {
      offAbort();
      if (outcome !== undefined) call.cancel();
      this.observe(def.path, outcome === 'CANCELLED' ? { code: grpc.status.CANCELLED } : (outcome as grpc.ServiceError | undefined), ctx, started);
    }
  }

  /** grpc.health.v1 Check of `service` ('' = the whole server): true when any replica is SERVING. */
  async healthy(service = '', timeoutMs = 2_000): Promise<boolean> {
    const def = healthService['Check'];
    const one = (client: grpc.Client) =>
      new Promise<boolean>((resolve) => {
        client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, { service }, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) =>
          resolve(!err && (res as { status?: string } | undefined)?.status === 'SERVING'),
        );
      });
    const answers = await Promise.all(this.clients.map(one));
    return answers.some(Boolean);
  }

  close(): void {
    for (const m of this.muxes ?? []) m.close();
    for (const c of this.clients) c.close();
  }

  /** Target `i`, or (undefined) the next one round-robin. */
  private client(i: number | undefined): grpc.Client {
    if (i === undefined) return this.pick();
    const c = this.clients[i];
    if (!c) throw new RangeError(`${this.label}: no target #${i}`);
    return c;
  }

  private pick(): grpc.Client {
    return this.clients[this.pickTarget()];
  }

  /** The next target round-robin, preferring channels that are not known to be failing. */
  pickTarget(): number {
    const n = this.clients.length;
    for (let k = 0; k < n; k++) {
      const i = this.next++ % n;
      if (n === 1 || this.isUp(i)) return i;
    }
    return this.next++ % n;
  }

  private metadata(ctx: CallCtx): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set(REQUEST_ID_HEADER, ctx.requestId);
    if (this.authorization !== undefined) md.set(AUTHORIZATION_HEADER, this.authorization);
    return md;
  }

  /** A Mux stream's metadata: the service token (request ids travel per call). */
  private streamMetadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.authorization !== undefined) md.set(AUTHORIZATION_HEADER, this.authorization);
    return md;
  }

  private deadline(ctx: CallCtx, unary: boolean): number | undefined {
    return ctx.deadline ?? (unary ? Date.now() + this.defaultTimeoutMs : undefined);
  }

  private options(ctx: CallCtx, unary: boolean): grpc.CallOptions {
    const deadline = this.deadline(ctx, unary);
    return deadline === undefined ? {} : { deadline };
  }

  /** The caller's own abort wins (AbortSignal convention); otherwise the server's error, or Unavailable. */
  private failure(err: unknown, ctx: CallCtx): unknown {
    if (callAborted(ctx)) return ctx.signal?.reason ?? new DOMException('This operation was aborted', 'AbortError');
    return fromGrpcError(err, this.label);
  }

  private observe(path: string, err: { code?: number } | null | undefined, ctx: CallCtx, started: bigint): void {
    if (!this.opts.metrics) return;
    const [service, method] = path.slice(1).split('/');
    const code = callAborted(ctx) ? 'CANCELLED' : err ? statusName(err.code ?? grpc.status.UNKNOWN) : 'OK';
    observeCall(this.opts.metrics, service, method, code, started);
  }
}

/**
 * The name a TLS channel to `target` checks the server's certificate against: the override, else the
 * target's host name (`dns:///metadata:7070` → `metadata`); undefined for address-list targets.
 */
export function tlsNameOf(target: string, security: RpcSecurity | undefined): string | undefined {
  if (security?.tls?.serverName !== undefined) return security.tls.serverName;
  const m = /^(?:dns:(?:\/\/[^/]*)?\/)?(\[[^\]]+\]|[^:/[\]]+):\d+$/.exec(target);
  return m ? m[1].replace(/^\[|\]$/g, '') : undefined;
}
