import { Counter, Gauge, type Registry } from 'prom-client';

/** Metrics of the lifecycle worker, registered on an injected Registry (reused when already there). */
export interface LifecycleMetrics {
  /** Current versions expired (deleted, or hidden behind a delete marker on a versioned bucket). */
  readonly objectsExpired: Counter<string>;
  /** Noncurrent versions (and noncurrent delete markers) removed by NoncurrentVersionExpiration. */
  readonly noncurrentExpired: Counter<string>;
  /** Noncurrent versions due for expiration that Object Lock kept (retention or legal hold). */
  readonly lockedKept: Counter<string>;
  /** Expired object delete markers removed. */
  readonly markersRemoved: Counter<string>;
  /** Incomplete multipart uploads aborted. */
  readonly uploadsAborted: Counter<string>;
  /** Version and upload records examined. */
  readonly scanned: Counter<string>;
  /** Failures by stage: lease, scan (a pass stopped; resumed next tick) or action (one version skipped). */
  readonly errors: Counter<'stage'>;
  /** 1 on the process that holds the lifecycle lease, else 0. */
  readonly leader: Gauge<string>;
  /** When the last pass (one tick of bounded work) ended, in seconds since the epoch. */
  readonly lastRun: Gauge<string>;
  /** When the worker last finished walking every bucket with a lifecycle configuration. */
  readonly lastCycleCompleted: Gauge<string>;
}

export function createLifecycleMetrics(registry: Registry): LifecycleMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> =>
    (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter<L>({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string): Gauge<string> =>
    (registry.getSingleMetric(name) as Gauge<string> | undefined) ?? new Gauge({ name, help, registers: [registry] });
  return {
    objectsExpired: counter('metadata_lifecycle_objects_expired_total', 'Current object versions expired by lifecycle rules'),
    noncurrentExpired: counter('metadata_lifecycle_noncurrent_versions_expired_total', 'Noncurrent versions removed by NoncurrentVersionExpiration'),
    lockedKept: counter('metadata_lifecycle_locked_versions_kept_total', 'Noncurrent versions due for expiration that Object Lock kept (retention or legal hold)'),
    markersRemoved: counter('metadata_lifecycle_delete_markers_removed_total', 'Expired object delete markers removed'),
    uploadsAborted: counter('metadata_lifecycle_uploads_aborted_total', 'Incomplete multipart uploads aborted by AbortIncompleteMultipartUpload'),
    scanned: counter('metadata_lifecycle_records_scanned_total', 'Version and upload records examined by the lifecycle worker'),
    errors: counter('metadata_lifecycle_errors_total', 'Lifecycle worker failures by stage (lease, scan, action)', ['stage']),
    leader: gauge('metadata_lifecycle_leader', '1 on the process holding the lifecycle lease'),
    lastRun: gauge('metadata_lifecycle_last_run_timestamp_seconds', 'End of the last lifecycle pass (seconds since the epoch)'),
    lastCycleCompleted: gauge(
      'metadata_lifecycle_last_cycle_completed_timestamp_seconds',
      'When the lifecycle worker last finished a walk of every bucket with a lifecycle configuration',
    ),
  };
}
