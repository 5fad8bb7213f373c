import { HotCounter, HotHistogram } from '@massive/observability';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Metrics of the metadata service, registered on an injected Registry (never the global one). */
export interface MetadataMetrics {
  /** Hot metrics (every request runs a transaction): exported as prom-client's would be. */
  readonly txnRestarts: HotCounter<'operation'>;
  readonly txnTotal: HotCounter<'operation' | 'result'>;
  readonly txnDuration: HotHistogram<'operation'>;
  readonly gcChunksDeleted: Counter<string>;
  readonly gcIntentsReclaimed: Counter<string>;
  readonly gcErrors: Counter<'loop'>;
  /** GC entries put off because a reader held a lease on their version. */
  readonly gcPostponed: Counter<string>;
  /** 1 on the process that holds the GC lease (runs the collector and janitor), else 0. */
  readonly gcLeader: Gauge<string>;
  /** Chunks on the GC queue, due or not (counted up to BACKLOG_COUNT_LIMIT). */
  readonly gcBacklogChunks: Gauge<string>;
  /** Age of the oldest chunk on the GC queue (since it was unlinked); 0 when empty. */
  readonly gcBacklogOldestSeconds: Gauge<string>;
  /** Write intents not yet committed or reclaimed (counted up to BACKLOG_COUNT_LIMIT). */
  readonly intentsOpen: Gauge<string>;
  /** How long the most overdue expired intent has waited for the janitor; 0 when none is overdue. */
  readonly intentsOverdueSeconds: Gauge<string>;
  /** Object versions stored per bucket (maintained incrementally; reported by the GC leader). */
  readonly bucketObjects: Gauge<'bucket'>;
  /** Their bytes per bucket. */
  readonly bucketBytes: Gauge<'bucket'>;
}

/** Usage gauges cover at most this many buckets (one bounded scan of guard stripes each). */
export const USAGE_BUCKET_LIMIT = 10_000;

/** Backlog gauges count at most this many keys per pass (a bounded scan, whatever the backlog). */
export const BACKLOG_COUNT_LIMIT = 10_000;

/**
 * Creates (or, when `registry` already holds them, reuses) the metadata metrics. Reuse keeps a
 * MetadataService and a GarbageCollector sharing one Registry from registering a name twice.
 */
export function createMetadataMetrics(registry: Registry): MetadataMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string): Gauge<string> =>
    (registry.getSingleMetric(name) as Gauge<string> | undefined) ?? new Gauge({ name, help, registers: [registry] });
  const bucketGauge = (name: string, help: string): Gauge<'bucket'> =>
    (registry.getSingleMetric(name) as Gauge<'bucket'> | undefined) ?? new Gauge({ name, help, labelNames: ['bucket'], registers: [registry] });
  const hotCounter = <L extends string>(name: string, help: string, labelNames: readonly L[]): HotCounter<L> =>
    (registry.getSingleMetric(name) as unknown as HotCounter<L> | undefined) ?? new HotCounter<L>({ name, help, labelNames, registers: [registry] });
  const txnDuration =
    (registry.getSingleMetric('metadata_txn_duration_seconds') as unknown as HotHistogram<'operation'> | undefined) ??
    new HotHistogram<'operation'>({
      name: 'metadata_txn_duration_seconds',
      help: 'Duration of metadata transactions, retries included',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  return {
    txnRestarts: hotCounter('metadata_txn_restarts_total', 'Metadata transactions restarted after a KV conflict', ['operation']),
    txnTotal: hotCounter('metadata_txn_total', 'Metadata transactions by outcome (ok, error, conflict, unavailable, unknown_outcome, full: refused for want of space)', [
      'operation',
      'result',
    ]),
    txnDuration,
    gcChunksDeleted: counter('metadata_gc_chunks_deleted_total', 'Chunks deleted by the GC collector', []),
    gcIntentsReclaimed: counter('metadata_gc_intents_reclaimed_total', 'Expired write intents reclaimed', []),
    gcErrors: counter('metadata_gc_errors_total', 'Failed GC passes by loop (collector, janitor)', ['loop']),
    gcPostponed: counter('metadata_gc_postponed_total', 'Queued chunks whose deletion waited for a reader holding a read lease', []),
    gcLeader: gauge('metadata_gc_leader', '1 on the metadata process that holds the GC lease and runs the collector and janitor'),
    gcBacklogChunks: gauge('metadata_gc_backlog_chunks', `Chunks queued for deletion (counted up to ${BACKLOG_COUNT_LIMIT}; reported by the GC leader)`),
    gcBacklogOldestSeconds: gauge('metadata_gc_backlog_oldest_age_seconds', 'Age of the oldest queued chunk since it was unlinked (GC leader)'),
    intentsOpen: gauge('metadata_intents_open', `Write intents neither committed nor reclaimed (counted up to ${BACKLOG_COUNT_LIMIT}; GC leader)`),
    intentsOverdueSeconds: gauge('metadata_intents_overdue_seconds', 'How long the most overdue expired write intent has waited for the janitor (GC leader)'),
    bucketObjects: bucketGauge('metadata_bucket_objects', 'Object versions stored in the bucket, delete markers excluded (counted incrementally; GC leader)'),
    bucketBytes: bucketGauge('metadata_bucket_bytes', 'Bytes of the object versions stored in the bucket (counted incrementally; GC leader)'),
  };
}
