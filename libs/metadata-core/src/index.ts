export { MetadataService, DEFAULT_GC_GRACE_MS, type MetadataServiceOptions } from './metadata-service';
export type { ChecksumCombiner } from './ops/deps';
export { GarbageCollector, type GarbageCollectorOptions, type GcBlobPort, type GcPassResult } from './gc/collector';
export { createMetadataMetrics, type MetadataMetrics } from './txn/metrics';
export { TxnRunner, DEFAULT_RETRY, type RetryPolicy } from './txn/run-txn';
export { multipartEtag } from './ops/multipart-checksum';
export { LifecycleWorker, type LifecycleWorkerOptions, type LifecyclePassResult, type LifecycleStage } from './lifecycle/lifecycle-worker';
export { createLifecycleMetrics, type LifecycleMetrics } from './lifecycle/lifecycle-metrics';
export { MvccGcWorker, type MvccGcWorkerOptions } from './gc/mvcc-gc-worker';
