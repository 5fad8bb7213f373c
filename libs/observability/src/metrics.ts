import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { HotCounter, HotGauge, HotHistogram, type HotCounterChild, type HotGaugeChild, type HotHistogramChild } from './hot-metrics';

/**
 * A registry per service (three services share one process in local mode: no global registry). No
 * default labels: which service a series comes from is the scrape target's (job, pod, Kubernetes
 * `service`), and a `service` label of our own would be renamed `exported_service` by the Prometheus
 * Operator.
 */
export function createRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry });
    // prom-client also exports these gauges under a `_total` name, which Prometheus reserves for counters
    // (`promtool check metrics` flags them); the same values stay as nodejs_active_handles etc.
    for (const m of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(m);
  }
  return registry;
}

export interface HttpMetrics {
  readonly requests: HotCounter<'operation' | 'code'>;
  readonly duration: HotHistogram<'operation'>;
  readonly bytesIn: HotCounter<'operation'>;
  readonly bytesOut: HotCounter<'operation'>;
  readonly inFlight: HotGauge<'operation'>;
  /** One operation's series, found with one lookup per request (cached per operation). */
  operation(name: string): OperationMetrics;
}

/** The series a request of one operation updates: each a child already resolved from its labels. */
export interface OperationMetrics {
  readonly inFlight: HotGaugeChild<'operation'>;
  readonly duration: HotHistogramChild<'operation'>;
  readonly bytesIn: HotCounterChild<'operation'>;
  readonly bytesOut: HotCounterChild<'operation'>;
  /** `s3_requests_total{operation, code}`, by the response's status code. */
  requests(status: number): HotCounterChild<'operation' | 'code'>;
}

/**
 * Gateway request metrics, labelled by S3 operation (the endpoint name), never by URI. Every request
 * updates four or five of them: hot metrics (hot-metrics.ts), exported as prom-client's would be.
 */
export function createHttpMetrics(registry: Registry): HttpMetrics {
  const metrics = {
    requests: new HotCounter({
      name: 's3_requests_total',
      help: 'S3 requests by operation and HTTP status code',
      labelNames: ['operation', 'code'],
      registers: [registry],
    }),
    duration: new HotHistogram({
      name: 's3_request_duration_seconds',
      help: 'S3 request latency by operation',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    bytesIn: new HotCounter({
      name: 's3_request_body_bytes_total',
      help: 'Object bytes received in request bodies',
      labelNames: ['operation'],
      registers: [registry],
    }),
    bytesOut: new HotCounter({
      name: 's3_response_body_bytes_total',
      help: 'Object bytes sent in response bodies',
      labelNames: ['operation'],
      registers: [registry],
    }),
    inFlight: new HotGauge({
      name: 's3_requests_in_flight',
      help: 'S3 requests being served',
      labelNames: ['operation'],
      registers: [registry],
    }),
  };
  // A request updates up to five series: resolving each from its labels cost five lookups of a
  // freshly built key (the status code's joined to the operation's) per request.
  const operations = new Map<string, OperationMetrics>();
  const operation = (name: string): OperationMetrics => {
    let m = operations.get(name);
    if (m === undefined) {
      const byStatus = new Map<number, HotCounterChild<'operation' | 'code'>>();
      m = {
        inFlight: metrics.inFlight.labels(name),
        duration: metrics.duration.labels(name),
        bytesIn: metrics.bytesIn.labels(name),
        bytesOut: metrics.bytesOut.labels(name),
        requests: (status) => {
          let c = byStatus.get(status);
          if (c === undefined) byStatus.set(status, (c = metrics.requests.labels(name, String(status))));
          return c;
        },
      };
      operations.set(name, m);
    }
    return m;
  };
  return { ...metrics, operation };
}

/** A healthy disk syncs a chunk in milliseconds; a degraded or saturated one takes hundreds of them, or seconds. */
const CHUNK_WRITE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Blob-service storage metrics; the object satisfies blob-core's BlobMetrics hooks structurally. */
export function createBlobMetrics(registry: Registry): {
  chunkWritten(bytes: number, seconds: number): void;
  chunkRead(bytes: number): void;
  corruption(chunkId: string): void;
} {
  const chunksWritten = new Counter({ name: 'blob_chunks_written_total', help: 'Chunks stored durably', registers: [registry] });
  const bytesWritten = new Counter({ name: 'blob_bytes_written_total', help: 'Object bytes stored in chunks', registers: [registry] });
  const bytesRead = new Counter({ name: 'blob_bytes_read_total', help: 'Verified chunk bytes read', registers: [registry] });
  const corruptions = new Counter({ name: 'blob_chunk_corruptions_total', help: 'Reads that found a corrupt or missing chunk', registers: [registry] });
  const writeSeconds = new HotHistogram({
    name: 'blob_chunk_write_seconds',
    help: 'Time from the end of a chunk\'s data to the chunk stored durably (local disk: the part not yet written as it arrived, and the syncs; SeaweedFS: the upload to the volume servers)',
    buckets: CHUNK_WRITE_BUCKETS,
    registers: [registry],
  });
  return {
    chunkWritten: (bytes, seconds) => {
      chunksWritten.inc();
      bytesWritten.inc(bytes);
      writeSeconds.observe(seconds);
    },
    chunkRead: (bytes) => bytesRead.inc(bytes),
    corruption: () => corruptions.inc(),
  };
}
