import { Counter, Histogram, Registry } from 'prom-client';

export const SEAWEED_OPS = ['assign', 'lookup', 'upload', 'read', 'delete'] as const;
export type SeaweedOp = (typeof SEAWEED_OPS)[number];
/** Error kinds that mean "SeaweedFS unreachable" (alerted on): exported at 0 before the first one. */
const UNREACHABLE_KINDS = ['network', 'timeout', 'unavailable'] as const;
/** Why a call failed: transport (network, timeout), HTTP class, or what the answer meant. */
export type SeaweedErrorKind =
  | 'network'
  | 'timeout'
  | 'status_4xx'
  | 'status_5xx'
  | 'unavailable'
  | 'jwt'
  | 'not_found'
  | 'checksum'
  | 'too_large'
  | 'aborted';

/** The SeaweedFS client's metrics, registered on an injected Registry (never prom-client's global one). */
export interface SeaweedMetrics {
  readonly assigns: Counter<'result'>;
  readonly uploads: Counter<'result'>;
  readonly reads: Counter<'result'>;
  readonly deletes: Counter<'result'>;
  readonly failovers: Counter<'operation'>;
  readonly reassigns: Counter<string>;
  readonly errors: Counter<'operation' | 'kind'>;
  readonly bytes: Counter<'direction'>;
  readonly latency: Histogram<'operation'>;
  readonly dataLoss: Counter<string>;
  readonly lookupCache: Counter<'result'>;
}

export function createSeaweedMetrics(registry: Registry = new Registry()): SeaweedMetrics {
  const metrics = build(registry);
  for (const operation of SEAWEED_OPS) for (const kind of UNREACHABLE_KINDS) metrics.errors.labels({ operation, kind }).inc(0);
  return metrics;
}

function build(registry: Registry): SeaweedMetrics {
  const registers = [registry];
  return {
    assigns: new Counter({ name: 'seaweedfs_assigns_total', help: 'Master /dir/assign calls by result (ok, retry, error)', labelNames: ['result'], registers }),
    uploads: new Counter({ name: 'seaweedfs_uploads_total', help: 'Chunk uploads by result (ok, retry, error)', labelNames: ['result'], registers }),
    reads: new Counter({ name: 'seaweedfs_reads_total', help: 'Chunk reads by result (ok, error, data_loss)', labelNames: ['result'], registers }),
    deletes: new Counter({ name: 'seaweedfs_deletes_total', help: 'Chunk deletes by result (deleted, absent, retry, error)', labelNames: ['result'], registers }),
    failovers: new Counter({ name: 'seaweedfs_failovers_total', help: 'Requests moved to another replica or master', labelNames: ['operation'], registers }),
    reassigns: new Counter({ name: 'seaweedfs_reassigns_total', help: 'Uploads abandoned on one fid and re-assigned to another', registers }),
    errors: new Counter({ name: 'seaweedfs_errors_total', help: 'Failed SeaweedFS calls by operation and kind', labelNames: ['operation', 'kind'], registers }),
    bytes: new Counter({ name: 'seaweedfs_bytes_total', help: 'Chunk bytes moved (direction: written, read)', labelNames: ['direction'], registers }),
    latency: new Histogram({
      name: 'seaweedfs_request_duration_seconds',
      help: 'SeaweedFS HTTP call latency by operation',
      labelNames: ['operation'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    dataLoss: new Counter({ name: 'seaweedfs_chunks_lost_total', help: 'Chunks missing on every replica (data loss: reads answer 500)', registers }),
    lookupCache: new Counter({ name: 'seaweedfs_lookup_cache_total', help: 'Volume location cache (hit, miss, merged)', labelNames: ['result'], registers }),
  };
}
