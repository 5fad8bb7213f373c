import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Metrics of the blob data path (README "Metrics"): one counter of finished requests by `method`
 * (`Write`, `Read`: the gRPC method names they replace) and `code` (`OK` or the ServiceError code,
 * `Canceled` when the client went away first), and one latency histogram by `method`, per side.
 */
export interface BlobDataMetrics {
  readonly requests: Counter<'method' | 'code'>;
  readonly seconds: Histogram<'method'>;
}

export type DataMethod = 'Write' | 'Read';

/** The client's metrics, and the pool its read bodies land in (read-client.ts), reported at scrape time. */
export interface BlobDataClientMetrics extends BlobDataMetrics {
  /** Reports `pool` as `blob_data_client_receive_buffers_idle` and `..._reused_total` (the client calls it). */
  watchReceiveBuffers(pool: ReceiveBufferCounts): void;
}

export interface ReceiveBufferCounts {
  readonly idle: number;
  readonly reused: number;
}

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

/**
 * `blob_data_server_requests_total`, `blob_data_server_request_seconds`, the refusal counter, and
 * `pool` (where write bodies land) as `blob_data_server_receive_buffers_idle` / `..._reused_total`.
 */
export function createBlobDataServerMetrics(registry: Registry, pool?: ReceiveBufferCounts): BlobDataMetrics & { readonly refused: Counter } {
  if (pool) receiveBufferMetrics(registry, 'server').push(pool);
  return {
    ...create(registry, 'server', 'Blob data-path requests answered by the blob service', 'Blob data-path request time on the server, until the last byte'),
    refused: existing<Counter>(registry, 'blob_data_server_unauthenticated_total') ?? new Counter({ name: 'blob_data_server_unauthenticated_total', help: 'Blob data-path requests refused: missing or wrong service token', registers: [registry] }),
  };
}

/**
 * `blob_data_client_requests_total`, `blob_data_client_request_seconds`, and the receive buffers:
 * `blob_data_client_receive_buffers_idle` (handed back, waiting for the next socket read) and
 * `blob_data_client_receive_buffers_reused_total` (socket reads that landed in handed-back memory).
 */
export function createBlobDataClientMetrics(registry: Registry): BlobDataClientMetrics {
  const pools = receiveBufferMetrics(registry, 'client');
  return {
    ...create(registry, 'client', 'Blob data-path requests made by this process', 'Blob data-path request time seen by the client, until the last byte'),
    watchReceiveBuffers: (pool) => void pools.push(pool),
  };
}

/** Every receive pool of one side, by the registry that reports them (summed). */
const receivePools = new WeakMap<Registry, Map<'server' | 'client', ReceiveBufferCounts[]>>();

/** The pools `blob_data_<side>_receive_buffers_*` sum over, registering the two metrics on first use. */
function receiveBufferMetrics(registry: Registry, side: 'server' | 'client'): ReceiveBufferCounts[] {
  let sides = receivePools.get(registry);
  if (!sides) receivePools.set(registry, (sides = new Map()));
  let all = sides.get(side);
  if (all) return all;
  const pools: ReceiveBufferCounts[] = (all = []);
  sides.set(side, pools);
  const sum = (k: keyof ReceiveBufferCounts): number => pools.reduce((n, p) => n + p[k], 0);
  const what = side === 'client' ? 'read bodies' : 'write bodies';
  new Gauge({
    name: `blob_data_${side}_receive_buffers_idle`,
    help: `Blob data-path receive buffers (${what}) handed back and waiting for the next socket read`,
    registers: [registry],
    collect() {
      this.set(sum('idle'));
    },
  });
  new Counter({
    name: `blob_data_${side}_receive_buffers_reused_total`,
    help: `Blob data-path socket reads (${what}) that landed in a handed-back buffer instead of new memory`,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sum('reused'));
    },
  });
  return all;
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

function create(registry: Registry, side: 'server' | 'client', help: string, secondsHelp: string): BlobDataMetrics {
  const requestsName = `blob_data_${side}_requests_total`;
  const secondsName = `blob_data_${side}_request_seconds`;
  return {
    requests: existing(registry, requestsName) ?? new Counter({ name: requestsName, help: `${help}, by method and code`, labelNames: ['method', 'code'], registers: [registry] }),
    seconds: existing(registry, secondsName) ?? new Histogram({ name: secondsName, help: secondsHelp, labelNames: ['method'], buckets: BUCKETS, registers: [registry] }),
  };
}

/** Records one finished request. */
export function observeData(m: BlobDataMetrics | undefined, method: DataMethod, code: string, startedNs: bigint): void {
  if (!m) return;
  m.requests.inc({ method, code });
  m.seconds.observe({ method }, Number(process.hrtime.bigint() - startedNs) / 1e9);
}
