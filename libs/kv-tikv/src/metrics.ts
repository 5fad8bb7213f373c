import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BackoffKind } from './backoff';
import { REGION_ERROR_KINDS } from './tikv/region-error-kinds';

export type TxnResult = 'committed' | 'read_only' | 'conflict' | 'unknown_outcome' | 'aborted' | 'error';
export type LockOutcome = 'committed' | 'rolled_back' | 'alive' | 'not_found';

/** The client's metrics, registered on an injected Registry (never prom-client's global one). */
export interface TikvMetrics {
  readonly txns: Counter<'result'>;
  readonly conflicts: Counter<string>;
  readonly regionErrors: Counter<'kind'>;
  readonly lockResolutions: Counter<'outcome'>;
  readonly rpcDuration: Histogram<'method'>;
  readonly backoffs: Counter<'kind'>;
  readonly heartbeats: Counter<'result'>;
  /** PD's GC safe point as this client enforces it, as Unix seconds (0 before any). */
  readonly gcSafePoint: Gauge<string>;
  readonly safePointRefreshFailures: Counter<string>;
}

/** Backoff kinds an operator alerts on (TiKV or PD unreachable): exported at 0 before the first one. */
const ALERTED_BACKOFFS: readonly BackoffKind[] = ['tikvRpc', 'pdRpc', 'tsoRpc'];

export function createTikvMetrics(registry: Registry = new Registry()): TikvMetrics {
  const metrics = build(registry);
  for (const kind of ALERTED_BACKOFFS) metrics.backoffs.labels({ kind }).inc(0);
  for (const result of ['committed', 'conflict', 'unknown_outcome', 'error'] as const) metrics.txns.labels({ result }).inc(0);
  for (const kind of REGION_ERROR_KINDS) metrics.regionErrors.labels({ kind }).inc(0);
  return metrics;
}

function build(registry: Registry): TikvMetrics {
  const registers = [registry];
  return {
    txns: new Counter({
      name: 'tikv_txn_total',
      help: 'TiKV transactions by result (committed, read_only, conflict, unknown_outcome, aborted by the caller, error)',
      labelNames: ['result'],
      registers,
    }),
    conflicts: new Counter({
      name: 'tikv_txn_conflicts_total',
      help: 'Transactions aborted by a write conflict or a live lock (retryable)',
      registers,
    }),
    regionErrors: new Counter({
      name: 'tikv_region_errors_total',
      help: 'Region errors returned by TiKV, by kind',
      labelNames: ['kind'],
      registers,
    }),
    lockResolutions: new Counter({
      name: 'tikv_lock_resolutions_total',
      help: 'Locks met and checked, by what the primary said (committed, rolled_back, alive, not_found)',
      labelNames: ['outcome'],
      registers,
    }),
    rpcDuration: new Histogram({
      name: 'tikv_rpc_duration_seconds',
      help: 'PD and TiKV RPC latency by method (failed calls included)',
      labelNames: ['method'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    backoffs: new Counter({
      name: 'tikv_backoffs_total',
      help: 'Backoff sleeps, by kind',
      labelNames: ['kind'],
      registers,
    }),
    heartbeats: new Counter({
      name: 'tikv_txn_heartbeats_total',
      help: 'KvTxnHeartBeat calls keeping primary locks alive, by result (ok, lock_gone, failed)',
      labelNames: ['result'],
      registers,
    }),
    gcSafePoint: new Gauge({
      name: 'tikv_gc_safe_point_seconds',
      help: "PD's GC safe point as this client sees it, as Unix time: no read runs below it (0: never set)",
      registers,
    }),
    safePointRefreshFailures: new Counter({
      name: 'tikv_gc_safe_point_refresh_failures_total',
      help: "Failed reads of PD's GC safe point (the client keeps enforcing the last one it saw)",
      registers,
    }),
  };
}

export function recordBackoff(metrics: TikvMetrics): (kind: BackoffKind) => void {
  return (kind) => metrics.backoffs.inc({ kind });
}
