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
}

export function backoffer(core: ClientCore, budgetMs: number, what: string): Backoffer {
  return new Backoffer(core.backoffEnv, budgetMs, what);
}
