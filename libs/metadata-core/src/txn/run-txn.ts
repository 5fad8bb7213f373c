import { callAborted, type CallCtx, ServiceError, type SpaceReserve } from '@massive/contracts';
import { KvConflictError, KvStoreFullError, KvUnavailableError, KvUnknownOutcomeError, withSnapshot, type KvSnapshot, type KvStore, type KvTxn, type TxnOptions } from '@massive/kv';
import { KeyQueue } from './key-queue';
import type { MetadataMetrics } from './metrics';

export interface RetryPolicy {
  /** Attempts in all (the first one included) before giving up with ServiceError('Conflict'). */
  readonly maxAttempts: number;
  /**
   * The same for serialized writes (plain PUT/DELETE/Complete of one key). On one process they never
   * conflict with each other; they can still meet writers of the same key on other metadata replicas,
   * at most one per replica, one of which commits each round, so they keep trying much longer: a plain
   * write must not fail because other plain writes raced it.
   */
  readonly serializedMaxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, serializedMaxAttempts: 60, baseDelayMs: 2, maxDelayMs: 200 };

/**
 * Operations that add data: refused while the store's space reserve is low (see SpaceReserve), before
 * anything is read or written. CreateWriteIntent opens every chunked upload, so a large PUT or part is
 * refused before its body is taken. CompleteMultipartUpload is not here: its data is already stored,
 * and completing it frees the parts' records.
 */
export const ADDS_DATA: ReadonlySet<string> = new Set(['PutObject', 'UploadPart', 'CreateMultipartUpload', 'CreateWriteIntent', 'CreateBucket']);

/**
 * Operations that must keep working on a store too full for new data, and so may use its reserve
 * (TiKV: `DiskFullOpt::AllowedOnAlmostFull`): those that free space (deletes, aborts, garbage
 * collection, lifecycle expiry), the collector's leadership lease without which nothing is collected,
 * and the read leases that long GETs take (reads go on when the store is full).
 */
export const USES_RESERVE: ReadonlySet<string> = new Set([
  'DeleteObject',
  'DeleteBucket',
  'AbortMultipartUpload',
  'AbandonWriteIntent',
  'ReleaseVersionLease',
  'LifecycleExpireCurrent',
  'LifecycleExpireNoncurrent',
  'LifecycleRemoveMarker',
  'GcDrain',
  'GcPartsDrain',
  'GcClaim',
  'JanitorClaim',
  'JanitorForget',
  'LeaseReap',
  'ClaimReap',
  'LeaseAcquire',
  'LeaseRelease',
  'LeaseVersion',
  'DeleteKey',
]);
const RESERVE_OK: TxnOptions = { useReserve: true };

/**
 * The one place metadata transactions are run and retried (JuiceFS's kvMeta.txn): KvConflictError
 * restarts the whole function after a jittered exponential backoff, up to a bounded count; every
 * outcome is counted per operation. Adapters only classify their errors.
 */
export class TxnRunner {
  private readonly queue = new KeyQueue();

  constructor(
    private readonly kv: KvStore,
    private readonly metrics: MetadataMetrics,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly sleep: (ms: number) => Promise<void> = defaultSleep,
    /** The embedded store's space reserve: ADDS_DATA operations are refused while it is low. */
    private readonly space?: SpaceReserve,
  ) {}

  /**
   * Runs `fn` as one transaction, retried on conflict. `fn` must be safe to run more than once.
   * With `serialize`, the transaction first waits for earlier ones given the same name in this process
   * (see KeyQueue): plain writes of one object key then never conflict with each other here.
   */
  async run<T>(op: string, fn: (tx: KvTxn) => Promise<T>, ctx?: CallCtx, serialize?: string): Promise<T> {
    if (serialize === undefined) return this.attempt(op, fn, ctx, this.policy.maxAttempts);
    return this.queue.run(serialize, () => this.attempt(op, fn, ctx, this.policy.serializedMaxAttempts));
  }

  private async attempt<T>(op: string, fn: (tx: KvTxn) => Promise<T>, ctx: CallCtx | undefined, maxAttempts: number): Promise<T> {
    const started = process.hrtime.bigint();
    const opts = USES_RESERVE.has(op) ? RESERVE_OK : undefined;
    try {
      if (this.space?.low() && ADDS_DATA.has(op)) {
        this.metrics.txnTotal.labels(op, 'full').inc();
        throw new ServiceError('InsufficientStorage', `${op}: refused, ${this.space.describe()}`);
      }
      for (let attempt = 1; ; attempt++) {
        checkAlive(ctx);
        try {
          const result = await this.kv.txn(fn, opts);
          this.metrics.txnTotal.labels(op, 'ok').inc();
          return result;
        } catch (e) {
          if (!(e instanceof KvConflictError)) throw this.fail(op, e);
          if (attempt >= maxAttempts) {
            this.metrics.txnTotal.labels(op, 'conflict').inc();
            throw new ServiceError('Conflict', `${op}: transaction kept conflicting after ${attempt} attempts`);
          }
          this.metrics.txnRestarts.labels(op).inc();
          await this.sleep(this.backoff(attempt));
        }
      }
    } finally {
      this.metrics.txnDuration.labels(op).observeSince(started);
    }
  }

  /**
   * Runs a read-only `fn` on one snapshot (no conflicts possible, so no retry). Only the deadline is
   * checked: a snapshot read is too short to be worth an abort check (which would make the caller
   * materialise its abort signal on every GET).
   */
  async read<T>(op: string, fn: (snap: KvSnapshot) => Promise<T>, ctx?: CallCtx): Promise<T> {
    const started = process.hrtime.bigint();
    try {
      checkDeadline(ctx);
      const result = await withSnapshot(this.kv, fn);
      this.metrics.txnTotal.labels(op, 'ok').inc();
      return result;
    } catch (e) {
      throw this.fail(op, e);
    } finally {
      this.metrics.txnDuration.labels(op).observeSince(started);
    }
  }

  /** Full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
  private backoff(attempt: number): number {
    const cap = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.random() * cap;
  }

  private fail(op: string, e: unknown): unknown {
    if (e instanceof KvUnavailableError) {
      this.metrics.txnTotal.labels(op, 'unavailable').inc();
      return new ServiceError('Unavailable', e.message);
    }
    if (e instanceof KvStoreFullError) {
      this.metrics.txnTotal.labels(op, 'full').inc();
      this.space?.noteFull();
      return new ServiceError('InsufficientStorage', `${op}: ${e.message}`);
    }
    if (e instanceof KvUnknownOutcomeError) {
      // Never retried here: the commit may have happened. The client sees a 500 and decides.
      this.metrics.txnTotal.labels(op, 'unknown_outcome').inc();
      return new ServiceError('Internal', `${op}: transaction outcome unknown: ${e.message}`);
    }
    this.metrics.txnTotal.labels(op, 'error').inc();
    return e;
  }
}

/** Before each attempt: the caller still waits. `callAborted`, not `signal.aborted`: a served call's signal is made on first read. */
function checkAlive(ctx: CallCtx | undefined): void {
  if (callAborted(ctx)) throw new ServiceError('Unavailable', 'request aborted');
  checkDeadline(ctx);
}

function checkDeadline(ctx: CallCtx | undefined): void {
  if (ctx?.deadline !== undefined && Date.now() > ctx.deadline) {
    throw new ServiceError('Unavailable', 'deadline exceeded');
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
