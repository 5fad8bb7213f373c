export { TikvKv, type TikvKvStats } from './tikv-kv';
export type { TikvKvOptions } from './options';
export { TikvSnapshot, TikvTxn } from './tikv-txn';
export { createTikvMetrics, type TikvMetrics } from './metrics';
export { DEFAULT_BACKOFF_POLICIES, type BackoffKind, type BackoffPolicy, type BackoffPolicies } from './backoff';
export { encodeKey, decodeKey } from './codec/memcomparable';
export { composeTs, physicalOf, logicalOf } from './pd/timestamp';
export { GC_WORKER_SERVICE, type MvccGcResult } from './tikv/mvcc-gc';
