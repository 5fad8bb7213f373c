import { backgroundCtx, type BlobApi, type CallCtx } from '@massive/contracts';
import { prefixEnd, type KvStore } from '@massive/kv';
import { Registry } from 'prom-client';
import {
  decodeGcKey,
  decodeIntentChunkKey,
  decodeIntentExpiryKey,
  gcDueBound,
  gcPrefix,
  intentExpiryBound,
  intentExpiryKey,
  intentChunkPrefix,
  intentExpiryPrefix,
  intentKey,
  keySuccessor,
} from '../keys/keys';
import { codecs } from '../model/records';
import { createMetadataMetrics, type MetadataMetrics } from '../txn/metrics';
import { DEFAULT_RETRY, TxnRunner, type RetryPolicy } from '../txn/run-txn';

/** What the collector needs of the blob side (a subset of BlobApi; both calls must be idempotent). */
export type GcBlobPort = Pick<BlobApi, 'deleteChunks' | 'deleteIntent'>;

export interface GarbageCollectorOptions {
  /** The same store the MetadataService writes. */
  readonly kv: KvStore;
  readonly blob: GcBlobPort;
  readonly registry?: Registry;
  readonly clock?: () => number;
  /** Keys handled per transaction. Default 256. */
  readonly batchSize?: number;
  /** Pause between passes of `start()`. Default 10 s. */
  readonly intervalMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Called with failures of background passes (they are retried on the next pass). */
  readonly onError?: (err: unknown, loop: 'collector' | 'janitor') => void;
}

export interface GcPassResult {
  readonly chunksDeleted: number;
  readonly intentsReclaimed: number;
}

/**
 * Two loops over the metadata KV:
 * - the collector drains due G entries: deletes the chunks on the blob side (idempotent), then the G keys;
 * - the janitor reclaims expired write intents: marks the I record `reclaiming` (a write, so a racing
 *   commit conflicts and then fails IntentExpired), deletes the intent's data on the blob side FIRST,
 *   then deletes the I record. A failed blob call leaves the record due; the next pass retries it.
 * Nothing referenced by a committed version or a live part is ever on the G queue: chunks are queued in
 * the very transaction that unlinks them.
 */
export class GarbageCollector {
  readonly metrics: MetadataMetrics;
  private readonly txn: TxnRunner;
  private readonly clock: () => number;
  private readonly batch: number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private started = false;

  constructor(private readonly options: GarbageCollectorOptions) {
    this.metrics = createMetadataMetrics(options.registry ?? new Registry());
    this.txn = new TxnRunner(options.kv, this.metrics, { ...DEFAULT_RETRY, ...options.retry });
    this.clock = options.clock ?? Date.now;
    this.batch = options.batchSize ?? 256;
    this.intervalMs = options.intervalMs ?? 10_000;
  }

  /** One pass of both loops (for tests and for hosts that schedule their own passes). */
  async runOnce(ctx: CallCtx = backgroundCtx('gc')): Promise<GcPassResult> {
    const intentsReclaimed = await this.reclaimIntentsOnce(ctx);
    const chunksDeleted = await this.collectOnce(ctx);
    return { chunksDeleted, intentsReclaimed };
  }

  /** Deletes every chunk whose G entry is due now. Returns how many G entries were drained. */
  async collectOnce(ctx: CallCtx = backgroundCtx('gc')): Promise<number> {
    const end = gcDueBound(this.clock());
    let start = gcPrefix();
    let drained = 0;
    for (;;) {
      const due = await this.txn.read('GcScan', (s) => s.scan(start, end, { limit: this.batch }), ctx);
      if (due.length === 0) return drained;
      const ids = [...new Set(due.map((p) => decodeGcKey(p.key).chunkId))];
      await this.options.blob.deleteChunks(ids, ctx);
      await this.txn.run(
        'GcDrain',
        async (tx) => {
          for (const p of due) tx.delete(p.key);
        },
        ctx,
      );
      drained += due.length;
      this.metrics.gcChunksDeleted.inc(ids.length);
      if (due.length < this.batch) return drained;
      start = keySuccessor(due[due.length - 1].key);
    }
  }

  /** Reclaims every intent that is expired now. Returns how many were reclaimed. */
  async reclaimIntentsOnce(ctx: CallCtx = backgroundCtx('janitor')): Promise<number> {
    const now = this.clock();
    const end = intentExpiryBound(now);
    let start = intentExpiryPrefix();
    let reclaimed = 0;
    for (;;) {
      const due = await this.txn.read('JanitorScan', (s) => s.scan(start, end, { limit: this.batch }), ctx);
      for (const p of due) {
        const { intentId } = decodeIntentExpiryKey(p.key);
        if (await this.reclaim(intentId, now, ctx)) reclaimed++;
      }
      if (due.length < this.batch) return reclaimed;
      start = keySuccessor(due[due.length - 1].key);
    }
  }

  private async reclaim(intentId: string, now: number, ctx: CallCtx): Promise<boolean> {
    const claimed = await this.txn.run(
      'JanitorClaim',
      async (tx) => {
        const raw = await tx.get(intentKey(intentId));
        if (!raw) return undefined; // committed (or reclaimed) meanwhile: the commit consumed it
        const rec = codecs.intent.decodeValue(raw);
        if (!rec.reclaiming && rec.expiresAt > now) return undefined; // renewed meanwhile
        tx.put(intentKey(intentId), codecs.intent.encode({ ...rec, reclaiming: true }));
        return rec;
      },
      ctx,
    );
    if (!claimed) return false;
    // Chunks recorded under the intent (remote-minted ids, e.g. SeaweedFS fids) first, page by page;
    // then the store's own per-intent cleanup. Both idempotent, so a crash here just repeats them.
    const prefix = intentChunkPrefix(intentId);
    for (let start = prefix; ; ) {
      const page = await this.txn.read('JanitorChunks', (s) => s.scan(start, prefixEnd(prefix), { limit: this.batch }), ctx);
      if (page.length > 0) await this.options.blob.deleteChunks(page.map((p) => decodeIntentChunkKey(p.key)), ctx);
      if (page.length < this.batch) break;
      start = keySuccessor(page[page.length - 1].key);
    }
    await this.options.blob.deleteIntent(intentId, ctx);
    for (;;) {
      const left = await this.txn.run(
        'JanitorForget',
        async (tx) => {
          const recorded = await tx.scan(prefix, prefixEnd(prefix), { limit: this.batch });
          for (const p of recorded) tx.delete(p.key);
          if (recorded.length < this.batch) {
            tx.delete(intentKey(intentId));
            tx.delete(intentExpiryKey(claimed.expiresAt, intentId));
          }
          return recorded.length >= this.batch;
        },
        ctx,
      );
      if (!left) break;
    }
    this.metrics.gcIntentsReclaimed.inc();
    return true;
  }

  /** Runs both loops every `intervalMs` until `stop()`. Timers are unref'd. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const tick = async (): Promise<void> => {
      await this.guarded('janitor', () => this.reclaimIntentsOnce());
      await this.guarded('collector', () => this.collectOnce());
    };
    const schedule = (): void => {
      if (!this.started) return;
      this.timer = setTimeout(() => {
        this.running = tick().finally(schedule);
      }, this.intervalMs);
      this.timer.unref();
    };
    schedule();
  }

  /** Stops the timers and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async guarded(loop: 'collector' | 'janitor', pass: () => Promise<number>): Promise<void> {
    try {
      await pass();
    } catch (e) {
      this.metrics.gcErrors.inc({ loop });
      this.options.onError?.(e, loop);
    }
  }
}
