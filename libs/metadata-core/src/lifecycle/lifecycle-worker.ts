import {
  abortUploadDue,
  backgroundCtx,
  currentVersionExpiry,
  decodeLifecycleConfiguration,
  expiredMarkerDue,
  noncurrentVersionDue,
  rulePrefix,
  type CallCtx,
  type LifecycleRule,
} from '@massive/contracts';
import { prefixEnd, type KvStore } from '@massive/kv';
import { Registry } from 'prom-client';
import { bucketConfigKey, bucketKey, bucketPrefix, decodeUploadKey, decodeVersionKey, keySuccessor, uploadPrefix, versionPrefix } from '../keys/keys';
import { codecs, type BucketRecord, type VersionRecord } from '../model/records';
import { DEFAULT_GC_GRACE_MS } from '../metadata-service';
import { randomId, type OpDeps } from '../ops/deps';
import { LeaderLease } from '../gc/leader-lease';
import { PeriodicLoop } from '../gc/periodic-loop';
import { createMetadataMetrics } from '../txn/metrics';
import { DEFAULT_RETRY, TxnRunner, type RetryPolicy } from '../txn/run-txn';
import { abortStaleUpload, expireCurrentVersion, expireNoncurrentVersion, isGone, removeExpiredDeleteMarker } from './lifecycle-actions';
import { createLifecycleMetrics, type LifecycleMetrics } from './lifecycle-metrics';

export interface LifecycleWorkerOptions {
  /** The same store the MetadataService writes. */
  readonly kv: KvStore;
  readonly registry?: Registry;
  /** ms since the epoch; rules are judged against it. Default Date.now. */
  readonly clock?: () => number;
  /** The service's GC grace (the deletes it makes queue chunks like any DELETE). Default 60 s. */
  readonly gcGraceMs?: number;
  /** Records read per snapshot page. Default 256. */
  readonly batchSize?: number;
  /** Records (versions, uploads, buckets) examined per pass: the bound on one tick's work. Default 20,000. */
  readonly maxRecordsPerPass?: number;
  /** Pause between passes of `start()`. Default 60 s. */
  readonly intervalMs?: number;
  /** How long a holder keeps the lifecycle lease without renewing. Default 3 × intervalMs (at least 1 s). */
  readonly leaseMs?: number;
  /** This process's name in the lease. Default: random per instance. */
  readonly holderId?: string;
  readonly retry?: Partial<RetryPolicy>;
  /** Called with failures (a pass is resumed where it stopped on the next tick). */
  readonly onError?: (err: unknown, stage: LifecycleStage) => void;
}

export type LifecycleStage = 'lease' | 'scan' | 'action';

export interface LifecyclePassResult {
  readonly scanned: number;
  readonly expired: number;
  readonly noncurrentExpired: number;
  readonly markersRemoved: number;
  readonly uploadsAborted: number;
  /** The pass reached the end of the last bucket: the next one starts a new walk from the first bucket. */
  readonly cycleComplete: boolean;
}

/** Where the walk is: one bucket, its versions then its uploads; `carry` is the key being read. */
interface Cursor {
  readonly bucket: string;
  stage: 'versions' | 'uploads';
  start: Buffer;
  carry?: KeyCarry;
}

/** What the versions of one key seen so far tell about the next (older) one. */
interface KeyCarry {
  readonly key: string;
  /** Creation time of the newer version seen last: when the next one became noncurrent. */
  newerCreated: number;
  /** Noncurrent versions newer than the next one that stay (NewerNoncurrentVersions counts these). */
  newerNoncurrent: number;
  /** The latest version is a delete marker; if no older version follows, it is an expired object delete marker. */
  pendingMarker?: { readonly versionId: string; readonly created: number };
}

type Tally = { -readonly [K in keyof LifecyclePassResult]: LifecyclePassResult[K] };

/**
 * Enforces bucket lifecycle configurations (the 'lifecycle' bucket config, see @massive/contracts'
 * lifecycle model) on the process that holds the 'lifecycle' lease:
 * - Expiration Days/Date of current versions: deleted on an unversioned bucket, a delete marker on a
 *   versioned one; ExpiredObjectDeleteMarker: a marker that is a key's only version is removed;
 * - NoncurrentVersionExpiration (NoncurrentDays since the successor's creation, NewerNoncurrentVersions);
 * - AbortIncompleteMultipartUpload.
 * It walks buckets in name order and, in each bucket with a configuration, the V family (every key's
 * versions, newest first) then the U family, one snapshot page at a time: memory is O(page), and a pass
 * stops after `maxRecordsPerPass` records, the next one resuming at the same place. Each action is a
 * transaction of its own through the ordinary delete paths, re-checked against the current state.
 */
export class LifecycleWorker {
  readonly metrics: LifecycleMetrics;
  readonly lease: LeaderLease;
  private readonly deps: OpDeps;
  private readonly batch: number;
  private readonly maxRecords: number;
  private readonly intervalMs: number;
  private cursor: Cursor | undefined;
  /** The walk resumes with the first bucket after this name (undefined: from the first bucket). */
  private afterBucket: string | undefined;
  private readonly loop: PeriodicLoop;

  constructor(private readonly options: LifecycleWorkerOptions) {
    const registry = options.registry ?? new Registry();
    this.metrics = createLifecycleMetrics(registry);
    const clock = options.clock ?? Date.now;
    const txn = new TxnRunner(options.kv, createMetadataMetrics(registry), { ...DEFAULT_RETRY, ...options.retry });
    this.deps = { txn, clock, gcGraceMs: options.gcGraceMs ?? DEFAULT_GC_GRACE_MS };
    this.batch = Math.max(1, options.batchSize ?? 256);
    this.maxRecords = Math.max(1, options.maxRecordsPerPass ?? 20_000);
    this.intervalMs = options.intervalMs ?? 60_000;
    this.loop = new PeriodicLoop(this.intervalMs, async () => {
      try {
        await this.runOnce();
      } catch (e) {
        this.options.onError?.(e, this.lease.held ? 'scan' : 'lease');
      }
    });
    const leaseMs = options.leaseMs ?? Math.max(1000, 3 * this.intervalMs);
    this.lease = new LeaderLease(txn, 'lifecycle', options.holderId ?? randomId(), leaseMs, clock);
  }

  /** One pass of bounded work if this process holds (or can take) the lifecycle lease; zeros otherwise. */
  async runOnce(ctx: CallCtx = backgroundCtx('lifecycle')): Promise<LifecyclePassResult> {
    const t: Tally = { scanned: 0, expired: 0, noncurrentExpired: 0, markersRemoved: 0, uploadsAborted: 0, cycleComplete: false };
    const leader = await this.lease.acquire(ctx).catch((e: unknown) => {
      this.metrics.errors.inc({ stage: 'lease' });
      throw e;
    });
    this.metrics.leader.set(leader ? 1 : 0);
    if (!leader) return t;
    try {
      while (t.scanned < this.maxRecords) {
        if (!(await this.lease.keep(ctx))) break;
        if (!this.cursor) {
          const next = await this.nextBucket(t, ctx);
          if (next === 'later') break;
          if (next === undefined) {
            this.afterBucket = undefined;
            t.cycleComplete = true;
            this.metrics.lastCycleCompleted.set(this.deps.clock() / 1000);
            break;
          }
          this.cursor = { bucket: next.name, stage: 'versions', start: versionPrefix(next.id) };
          continue; // the budget may be spent already
        }
        if (await this.step(this.cursor, t, ctx)) {
          this.afterBucket = this.cursor.bucket;
          this.cursor = undefined;
        }
      }
    } catch (e) {
      this.metrics.errors.inc({ stage: 'scan' });
      throw e;
    } finally {
      this.metrics.lastRun.set(this.deps.clock() / 1000);
    }
    return t;
  }

  /** Passes until a walk of every bucket is complete (tests, and operators who want it now). */
  async runCycle(ctx: CallCtx = backgroundCtx('lifecycle')): Promise<Omit<LifecyclePassResult, 'cycleComplete'>> {
    const sum = { scanned: 0, expired: 0, noncurrentExpired: 0, markersRemoved: 0, uploadsAborted: 0 };
    for (;;) {
      const r = await this.runOnce(ctx);
      for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += r[k];
      if (r.cycleComplete) return sum;
      if (!this.lease.held) return sum;
    }
  }

  /**
   * The next bucket (by name) that has a lifecycle configuration, reading a page of B at a time (each
   * bucket read counts against the pass's budget): undefined when there is none left, 'later' when the
   * budget ran out first.
   */
  private async nextBucket(t: Tally, ctx: CallCtx): Promise<BucketRecord | undefined | 'later'> {
    for (;;) {
      const limit = Math.min(this.batch, this.maxRecords - t.scanned);
      if (limit <= 0) return 'later';
      const start = this.afterBucket === undefined ? bucketPrefix() : keySuccessor(bucketKey(this.afterBucket));
      const found = await this.deps.txn.read(
        'LifecycleBuckets',
        async (s) => {
          const page = await s.scan(start, prefixEnd(bucketPrefix()), { limit });
          const buckets = page.map((p) => codecs.bucket.decodeValue(p.value));
          const configs = await s.batchGet(buckets.map((b) => bucketConfigKey(b.id, 'lifecycle')));
          return { buckets, hit: buckets.findIndex((_, i) => configs[i] !== undefined) };
        },
        ctx,
      );
      const { buckets, hit } = found;
      t.scanned += hit < 0 ? buckets.length : hit + 1;
      if (hit >= 0) return buckets[hit];
      if (buckets.length < limit) return undefined;
      this.afterBucket = buckets[buckets.length - 1].name;
    }
  }

  /** One page of the cursor's bucket. True when the bucket is done. */
  private async step(c: Cursor, t: Tally, ctx: CallCtx): Promise<boolean> {
    const limit = Math.min(this.batch, Math.max(1, this.maxRecords - t.scanned));
    const page = await this.deps.txn
      .read(
        'LifecycleScan',
        async (s) => {
          const raw = await s.get(bucketKey(c.bucket));
          if (!raw) return undefined;
          const bucket = codecs.bucket.decodeValue(raw);
          const doc = await s.get(bucketConfigKey(bucket.id, 'lifecycle'));
          if (!doc) return undefined;
          const rules = this.rulesOf(c.bucket, codecs.bucketConfig.decode(doc).raw.toString('utf8'));
          if (!rules) return undefined;
          const family = c.stage === 'versions' ? versionPrefix : uploadPrefix;
          const base = family(bucket.id);
          if (Buffer.compare(c.start, base) < 0) c.start = base; // the bucket was re-created (new id)
          // Only the key ranges some rule of this stage can select: a rule on `logs/` never walks the rest.
          const acting = rules.filter(c.stage === 'versions' ? hasVersionAction : (r: LifecycleRule) => r.abortIncompleteMultipartUpload !== undefined);
          const ranges = keyRanges(acting.map(rulePrefix)).map((p) => ({ start: family(bucket.id, p), end: prefixEnd(family(bucket.id, p)) }));
          const i = ranges.findIndex((r) => Buffer.compare(r.end, c.start) > 0);
          if (i < 0) return { bucket, rules, pairs: [], rangeEnd: undefined, uploads: uploadPrefix(bucket.id) };
          const from = Buffer.compare(c.start, ranges[i].start) > 0 ? c.start : ranges[i].start;
          const pairs = await s.scan(from, ranges[i].end, { limit });
          // Where the walk goes on when this range is done: the next range, or (undefined) the stage is over.
          const rangeEnd = i + 1 < ranges.length ? ranges[i].end : undefined;
          return { bucket, rules, pairs, rangeEnd, uploads: uploadPrefix(bucket.id) };
        },
        ctx,
      )
      .catch((e: unknown) => {
        if (isGone(e)) return undefined;
        throw e;
      });
    if (!page) return true; // bucket or configuration gone
    const now = this.deps.clock();
    t.scanned += Math.max(1, page.pairs.length); // an empty range still costs a read
    this.metrics.scanned.inc(page.pairs.length);
    for (const p of page.pairs) {
      if (c.stage === 'versions') {
        const { key } = decodeVersionKey(p.key);
        await this.onVersion(c, page.rules, key, codecs.version.decodeValue(p.value), now, t, ctx);
      } else {
        const u = codecs.upload.decodeValue(p.value);
        if (abortUploadDue(page.rules, decodeUploadKey(p.key).key, u.initiated, now)) {
          if (await this.act(() => abortStaleUpload(this.deps, c.bucket, u.key, u.uploadId, ctx))) {
            t.uploadsAborted++;
            this.metrics.uploadsAborted.inc();
          }
        }
      }
      c.start = keySuccessor(p.key);
    }
    if (page.pairs.length === limit) return false;
    if (page.rangeEnd !== undefined) {
      c.start = page.rangeEnd;
      return false;
    }
    if (c.stage === 'uploads') return true;
    await this.flushMarker(c, page.rules, now, t, ctx);
    c.stage = 'uploads';
    c.start = page.uploads;
    return false;
  }

  /** The enabled rules of a stored document; undefined (the bucket is skipped, an error reported) if unreadable. */
  private rulesOf(bucket: string, doc: string): LifecycleRule[] | undefined {
    try {
      return decodeLifecycleConfiguration(doc).rules.filter((r) => r.status === 'Enabled');
    } catch (e) {
      this.metrics.errors.inc({ stage: 'scan' });
      this.options.onError?.(new Error(`bucket ${bucket}: unreadable lifecycle configuration: ${(e as Error).message}`), 'scan');
      return undefined;
    }
  }

  /** One V record, in key order and newest first within a key. */
  private async onVersion(c: Cursor, rules: readonly LifecycleRule[], key: string, v: VersionRecord, now: number, t: Tally, ctx: CallCtx): Promise<void> {
    if (c.carry?.key !== key) {
      await this.flushMarker(c, rules, now, t, ctx);
      // The latest version of the key.
      c.carry = { key, newerCreated: v.lastModified, newerNoncurrent: 0 };
      if (v.deleteMarker) {
        c.carry.pendingMarker = { versionId: v.versionId, created: v.lastModified };
        return;
      }
      const expiry = currentVersionExpiry(rules, subjectOf(key, v), v.lastModified);
      if (expiry && expiry.at <= now && (await this.act(() => expireCurrentVersion(this.deps, c.bucket, key, v.versionId, ctx)))) {
        t.expired++;
        this.metrics.objectsExpired.inc();
      }
      return;
    }
    const carry = c.carry;
    carry.pendingMarker = undefined; // the key has an older version: its marker is not an expired one
    const since = carry.newerCreated;
    carry.newerCreated = v.lastModified;
    const subject = { ...subjectOf(key, v), marker: v.deleteMarker === true };
    if (noncurrentVersionDue(rules, subject, since, carry.newerNoncurrent, now)) {
      if (await this.act(() => expireNoncurrentVersion(this.deps, c.bucket, key, v.versionId, ctx, () => this.metrics.lockedKept.inc()))) {
        t.noncurrentExpired++;
        this.metrics.noncurrentExpired.inc();
        return;
      }
    }
    carry.newerNoncurrent++;
  }

  /** The key just walked ended: a delete marker that was its only version may go. */
  private async flushMarker(c: Cursor, rules: readonly LifecycleRule[], now: number, t: Tally, ctx: CallCtx): Promise<void> {
    const carry = c.carry;
    c.carry = undefined;
    const m = carry?.pendingMarker;
    if (!carry || !m || !expiredMarkerDue(rules, carry.key, m.created, now)) return;
    if (await this.act(() => removeExpiredDeleteMarker(this.deps, c.bucket, carry.key, m.versionId, ctx))) {
      t.markersRemoved++;
      this.metrics.markersRemoved.inc();
    }
  }

  /** One action; a failure is counted and reported, and the walk goes on (the next cycle retries it). */
  private async act(fn: () => Promise<boolean>): Promise<boolean> {
    try {
      return await fn();
    } catch (e) {
      if (isGone(e)) return false;
      this.metrics.errors.inc({ stage: 'action' });
      this.options.onError?.(e, 'action');
      return false;
    }
  }

  /** Runs a pass every `intervalMs` until `stop()`, on the lease holder only. Timers are unref'd. */
  start(): void {
    this.loop.start();
  }

  /** Stops the timer, waits for a pass in progress and hands the lease over (best effort). */
  async stop(): Promise<void> {
    await this.loop.stop();
    if (this.lease.held) await this.lease.release(backgroundCtx('lifecycle')).catch(() => undefined);
    this.metrics.leader.set(0);
  }
}

/**
 * The prefixes to walk, sorted, none inside another ('' alone when any rule may select every key). Key
 * order is the escaped prefix's order, which is the prefix string's UTF-8 order.
 */
export function keyRanges(prefixes: readonly string[]): string[] {
  const sorted = [...new Set(prefixes)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const out: string[] = [];
  for (const p of sorted) if (!out.some((q) => p.startsWith(q))) out.push(p);
  return out;
}

const hasVersionAction = (r: LifecycleRule): boolean => r.expiration !== undefined || r.noncurrentVersionExpiration !== undefined;

const subjectOf = (key: string, v: VersionRecord): { key: string; size: number; tags?: readonly { key: string; value: string }[] } => ({
  key,
  size: v.size,
  ...(v.headers.tags && { tags: v.headers.tags }),
});
