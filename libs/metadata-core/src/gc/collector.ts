import { backgroundCtx, type BlobApi, type CallCtx } from '@massive/contracts';
import { prefixEnd, type KvPair, type KvStore } from '@massive/kv';
import { Registry } from 'prom-client';
import {
  bucketPrefix,
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
import { randomId } from '../ops/deps';
import { readBucketUsage } from '../ops/bucket-usage';
import { BACKLOG_COUNT_LIMIT, createMetadataMetrics, USAGE_BUCKET_LIMIT, type MetadataMetrics } from '../txn/metrics';
import { DEFAULT_RETRY, TxnRunner, type RetryPolicy } from '../txn/run-txn';
import { LeaderLease } from './leader-lease';
import { PeriodicLoop } from './periodic-loop';
import { collectPartRecords } from './parts-collector';
import { claimOrPostpone, reapReadLeases } from './read-lease-gate';

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
  /**
   * The GC lease (one runner among all metadata processes sharing the KV): how long a holder keeps it
   * without renewing. Default 3 × intervalMs (at least 1 s): a dead holder is replaced after this long.
   */
  readonly leaseMs?: number;
  /** This process's name in the lease. Default: random per instance. */
  readonly holderId?: string;
  readonly retry?: Partial<RetryPolicy>;
  /** Called with failures of background passes (they are retried on the next pass). */
  readonly onError?: (err: unknown, loop: GcLoop) => void;
}

/** The steps of a scheduled pass, as `metadata_gc_errors_total{loop}` and `onError` name them. */
export type GcLoop = 'collector' | 'janitor' | 'lease' | 'backlog';

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
 *
 * Passes run only on the process that holds the GC lease (`LeaderLease`, renewed between batches), so
 * N metadata replicas do the work once; the leader also exports the backlog gauges.
 */
export class GarbageCollector {
  readonly metrics: MetadataMetrics;
  private readonly txn: TxnRunner;
  private readonly clock: () => number;
  private readonly batch: number;
  private readonly intervalMs: number;
  private readonly loop: PeriodicLoop;
  readonly lease: LeaderLease;

  constructor(private readonly options: GarbageCollectorOptions) {
    this.metrics = createMetadataMetrics(options.registry ?? new Registry());
    this.txn = new TxnRunner(options.kv, this.metrics, { ...DEFAULT_RETRY, ...options.retry });
    this.clock = options.clock ?? Date.now;
    this.batch = options.batchSize ?? 256;
    this.intervalMs = options.intervalMs ?? 10_000;
    this.loop = new PeriodicLoop(this.intervalMs, () => this.tick());
    const leaseMs = options.leaseMs ?? Math.max(1000, 3 * this.intervalMs);
    this.lease = new LeaderLease(this.txn, 'gc', options.holderId ?? randomId(), leaseMs, this.clock);
  }

  /**
   * One pass of both loops if this process holds (or can take) the GC lease; zeros otherwise. The
   * scheduled loop of `start()` runs exactly this, then refreshes the backlog gauges.
   */
  async runOnce(ctx: CallCtx = backgroundCtx('gc')): Promise<GcPassResult> {
    const leader = await this.lease.acquire(ctx);
    this.metrics.gcLeader.set(leader ? 1 : 0);
    if (!leader) return { chunksDeleted: 0, intentsReclaimed: 0 };
    const keep = (): Promise<boolean> => this.lease.keep(ctx);
    const intentsReclaimed = await this.reclaimIntentsOnce(ctx, keep);
    await this.reapLeasesOnce(ctx);
    const chunksDeleted = await this.collectOnce(ctx, keep);
    return { chunksDeleted, intentsReclaimed };
  }

  /**
   * Deletes every chunk whose G entry is due now. Returns how many G entries were drained. `keep`
   * (the lease) is asked before every batch; the pass stops when it answers false.
   */
  async collectOnce(ctx: CallCtx = backgroundCtx('gc'), keep: () => Promise<boolean> = always): Promise<number> {
    const end = gcDueBound(this.clock());
    let start = gcPrefix();
    let drained = 0;
    for (;;) {
      if (!(await keep())) return drained;
      const due = await this.txn.read('GcScan', (s) => s.scan(start, end, { limit: this.batch }), ctx);
      if (due.length === 0) return drained;
      // Chunks of an unlinked version wait while a reader holds a lease on it (read-lease-gate.ts).
      const ready: KvPair[] = [];
      const byVersion = new Map<string, KvPair[]>();
      for (const p of due) {
        const versionId = codecs.gc.decodeValue(p.value).versionId;
        if (versionId === undefined) ready.push(p);
        else byVersion.set(versionId, [...(byVersion.get(versionId) ?? []), p]);
      }
      // One claim transaction per version, several at a time: they touch disjoint keys, and on TiKV each
      // is a few round trips, so one after another they held a pass to ~20 chunks a second under load.
      const versions = [...byVersion];
      const verdicts = await mapInFlight(versions, CLAIMS_IN_FLIGHT, ([versionId, entries]) => claimOrPostpone(this.txn, this.clock, versionId, entries, ctx));
      versions.forEach(([, entries], i) => {
        if (verdicts[i] === 'claimed') ready.push(...entries);
        else this.metrics.gcPostponed.inc(entries.length);
      });
      if (ready.length > 0) {
        // An entry for a multipart version (or aborted upload) stands for all its part records.
        let partChunks = 0;
        const single: KvPair[] = [];
        for (const p of ready) {
          const partsOf = codecs.gc.decodeValue(p.value).partsOf;
          if (partsOf === undefined) single.push(p);
          else partChunks += await collectPartRecords(this.txn, this.options.blob, partsOf, this.batch, ctx);
        }
        const ids = [...new Set(single.map((p) => decodeGcKey(p.key).chunkId))];
        if (ids.length > 0) await this.options.blob.deleteChunks(ids, ctx);
        this.metrics.gcChunksDeleted.inc(partChunks);
        await this.txn.run(
          'GcDrain',
          async (tx) => {
            for (const p of ready) tx.delete(p.key);
          },
          ctx,
        );
        this.metrics.gcChunksDeleted.inc(ids.length);
      }
      drained += ready.length;
      if (due.length < this.batch) return drained;
      start = keySuccessor(due[due.length - 1].key);
    }
  }

  /** Drops lapsed read leases and old GC claims (the janitor's other chore). */
  reapLeasesOnce(ctx: CallCtx = backgroundCtx('janitor')): Promise<number> {
    return reapReadLeases(this.txn, this.clock, this.batch, ctx);
  }

  /** Reclaims every intent that is expired now. Returns how many were reclaimed. */
  async reclaimIntentsOnce(ctx: CallCtx = backgroundCtx('janitor'), keep: () => Promise<boolean> = always): Promise<number> {
    const now = this.clock();
    const end = intentExpiryBound(now);
    let start = intentExpiryPrefix();
    let reclaimed = 0;
    for (;;) {
      if (!(await keep())) return reclaimed;
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

  /**
   * Refreshes the backlog gauges with bounded scans (at most BACKLOG_COUNT_LIMIT keys each): queued
   * chunks and the age of the oldest, open intents and how overdue the most overdue one is.
   */
  async observeBacklog(ctx: CallCtx = backgroundCtx('gc')): Promise<void> {
    const now = this.clock();
    const [gc, intents] = await this.txn.read(
      'GcBacklog',
      (s) =>
        Promise.all([
          s.scan(gcPrefix(), prefixEnd(gcPrefix()), { limit: BACKLOG_COUNT_LIMIT }),
          s.scan(intentExpiryPrefix(), prefixEnd(intentExpiryPrefix()), { limit: BACKLOG_COUNT_LIMIT }),
        ]),
      ctx,
    );
    // The queue is ordered by due time = unlink time + grace, so the first entry is the oldest.
    const oldest = gc.length > 0 ? codecs.gc.decodeValue(gc[0].value).enqueuedAt : now;
    this.metrics.gcBacklogChunks.set(gc.length);
    this.metrics.gcBacklogOldestSeconds.set(Math.max(0, now - oldest) / 1000);
    const firstExpiry = intents.length > 0 ? decodeIntentExpiryKey(intents[0].key).expiresAt : now;
    this.metrics.intentsOpen.set(intents.length);
    this.metrics.intentsOverdueSeconds.set(Math.max(0, now - firstExpiry) / 1000);
    await this.observeUsage(ctx);
  }

  /**
   * Refreshes the per-bucket usage gauges from the counts writers keep in the guard stripes (one
   * bounded scan per bucket, never a walk over objects). Buckets gone since the last pass lose their
   * series; buckets created before usage was counted have none.
   */
  async observeUsage(ctx: CallCtx = backgroundCtx('gc')): Promise<void> {
    const usage = await this.txn.read(
      'BucketUsage',
      async (s) => {
        const buckets = await s.scan(bucketPrefix(), prefixEnd(bucketPrefix()), { limit: USAGE_BUCKET_LIMIT });
        const out: { name: string; objects: number; bytes: number }[] = [];
        for (const b of buckets) {
          const rec = codecs.bucket.decodeValue(b.value);
          const u = await readBucketUsage(s, rec);
          if (u) out.push({ name: rec.name, ...u });
        }
        return out;
      },
      ctx,
    );
    this.metrics.bucketObjects.reset();
    this.metrics.bucketBytes.reset();
    for (const u of usage) {
      this.metrics.bucketObjects.set({ bucket: u.name }, u.objects);
      this.metrics.bucketBytes.set({ bucket: u.name }, u.bytes);
    }
  }

  /** Runs both loops every `intervalMs` until `stop()`, on the lease holder only. Timers are unref'd. */
  start(): void {
    this.loop.start();
  }

  /** One scheduled pass: take or keep the lease; as leader, both loops, then the backlog gauges. */
  private async tick(): Promise<void> {
    const ctx = backgroundCtx('gc');
    let leader = false;
    await this.guarded('lease', async () => {
      leader = await this.lease.acquire(ctx);
      this.metrics.gcLeader.set(leader ? 1 : 0);
      return 0;
    });
    if (!leader) return;
    const keep = (): Promise<boolean> => this.lease.keep(ctx);
    await this.guarded('janitor', () => this.reclaimIntentsOnce(backgroundCtx('janitor'), keep));
    await this.guarded('janitor', () => this.reapLeasesOnce(ctx));
    await this.guarded('collector', () => this.collectOnce(ctx, keep));
    await this.guarded('backlog', () => this.observeBacklog(ctx).then(() => 0));
  }

  /** Stops the timers, waits for a pass in progress and hands the lease over (best effort). */
  async stop(): Promise<void> {
    await this.loop.stop();
    if (this.lease.held) await this.lease.release(backgroundCtx('gc')).catch(() => undefined);
    this.metrics.gcLeader.set(0);
  }

  private async guarded(loop: GcLoop, pass: () => Promise<number>): Promise<void> {
    try {
      await pass();
    } catch (e) {
      this.metrics.gcErrors.inc({ loop });
      this.options.onError?.(e, loop);
    }
  }
}

const always = (): Promise<boolean> => Promise.resolve(true);

/** Claim transactions a collector pass keeps in flight. */
const CLAIMS_IN_FLIGHT = 16;

/** `fn` over `items` with at most `limit` calls pending; results in the order of `items`. */
async function mapInFlight<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
