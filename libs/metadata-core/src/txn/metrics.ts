import { Counter, Histogram, type Registry } from 'prom-client';

/** Metrics of the metadata service, registered on an injected Registry (never the global one). */
export interface MetadataMetrics {
  readonly txnRestarts: Counter<'op'>;
  readonly txnTotal: Counter<'op' | 'result'>;
  readonly txnDuration: Histogram<'op'>;
  readonly gcChunksDeleted: Counter<string>;
  readonly gcIntentsReclaimed: Counter<string>;
  readonly gcErrors: Counter<'loop'>;
}

/**
 * Creates (or, when `registry` already holds them, reuses) the metadata metrics. Reuse keeps a
 * MetadataService and a GarbageCollector sharing one Registry from registering a name twice.
 */
export function createMetadataMetrics(registry: Registry): MetadataMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  const txnDuration =
    (registry.getSingleMetric('metadata_txn_duration_seconds') as Histogram<'op'> | undefined) ??
    new Histogram<'op'>({
      name: 'metadata_txn_duration_seconds',
      help: 'Duration of metadata transactions, retries included',
      labelNames: ['op'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  return {
    txnRestarts: counter('metadata_txn_restarts_total', 'Metadata transactions restarted after a KV conflict', ['op']),
    txnTotal: counter('metadata_txn_total', 'Metadata transactions by outcome (ok, error, conflict, unavailable)', [
      'op',
      'result',
    ]),
    txnDuration,
    gcChunksDeleted: counter('metadata_gc_chunks_deleted_total', 'Chunks deleted by the GC collector', []),
    gcIntentsReclaimed: counter('metadata_gc_intents_reclaimed_total', 'Expired write intents reclaimed', []),
    gcErrors: counter('metadata_gc_errors_total', 'Failed GC passes by loop (collector, janitor)', ['loop']),
  };
}
