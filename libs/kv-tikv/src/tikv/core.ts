import { Backoffer, type BackoffEnv } from '../backoff';
import type { TikvMetrics } from '../metrics';
import type { PdClient } from '../pd/pd-client';
import type { LockResolver } from './lock-resolver';
import type { RegionRouter } from './router';
import type { TikvSender } from './sender';

/** Budgets and sizes the read and commit paths share (resolved from TikvKvOptions). */
export interface CoreLimits {
  /** Backoff budget of one read (get, batchGet, one scan call). */
  readonly readBudgetMs: number;
  /** Backoff budget of prewrite and of the primary commit. */
  readonly commitBudgetMs: number;
  /** Backoff budget of best-effort work: secondary commits, rollbacks. */
  readonly cleanupBudgetMs: number;
  /** Pairs per KvScan request. */
  readonly scanBatchSize: number;
  /** Lock TTL before adding the time elapsed since start_ts. */
  readonly lockTtlMs: number;
  /** Approximate bytes per prewrite/commit request (client-go TXN_COMMIT_BATCH_SIZE). */
  readonly batchBytes: number;
  /** Longest key a transaction may write (so that a finite key bounds every stored key). */
  readonly maxKeyBytes: number;
}

/**
 * The upper bound sent for a reverse scan that is unbounded above. TiKV reads an empty
 * `start_key` of a reverse KvScan as the empty key, not as +infinity, so the client sends a key
 * above every key it allows to be written: 0xff repeated maxKeyBytes + 1 times.
 */
export function reverseScanCeiling(limits: CoreLimits): Buffer {
  return Buffer.alloc(limits.maxKeyBytes + 1, 0xff);
}

/** Everything a snapshot reader or committer needs: one per TikvKv. */
export interface ClientCore {
  readonly pd: PdClient;
  readonly router: RegionRouter;
  readonly sender: TikvSender;
  readonly resolver: LockResolver;
  readonly metrics: TikvMetrics;
  readonly limits: CoreLimits;
  readonly backoffEnv: BackoffEnv;
  /**
   * PD's GC safe point as this client last saw it (refreshed every few seconds, and when this client
   * advances it). No read runs at a timestamp below it: the versions it needs may be gone.
   */
  readonly gcSafePoint: { value: bigint };
}

export function backoffer(core: ClientCore, budgetMs: number, what: string): Backoffer {
  return new Backoffer(core.backoffEnv, budgetMs, what);
}
