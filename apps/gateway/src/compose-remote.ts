import { createBlobDataClientMetrics, createGrpcClientMetrics, GrpcBlobClient, GrpcMetadataClient, loadProtos, parseEndpoints, type RpcSecurity } from '@massive/rpc';
import { createS3Listeners } from '@massive/s3-api';
import { credentialsFor } from './identity';
import type { ComposeDeps, Composed } from './compose-local';
import { metricsAccess, s3ApiConfig, type GatewayConfig } from './config';

/** How long a readiness answer about the dependencies is reused (probes come every few seconds). */
const READY_CACHE_MS = 1000;

/**
 * Distributed mode: the same S3 API over gRPC clients of the metadata and blob services. Nothing else
 * differs from local mode; the gateway keeps no state (GC runs in the metadata service). `security`: the
 * service token and/or TLS material the services require (main.ts reads it; none only in tests).
 */
export function composeRemote(cfg: GatewayConfig, deps: ComposeDeps, security?: RpcSecurity): Composed {
  const protos = loadProtos();
  const common = { metrics: createGrpcClientMetrics(deps.registry), defaultTimeoutMs: cfg.rpcTimeoutMs, ...(security && { security }) };
  const metadata = new GrpcMetadataClient({ ...common, definition: protos.metadata, mux: cfg.rpcMux === 'true', targets: parseEndpoints(cfg.metadataEndpoints.join(','), 'MASSIVE_METADATA_ENDPOINTS') });
  // Object bodies take each blob replica's HTTP data path (announced in its Describe), control calls gRPC.
  const blob = new GrpcBlobClient({
    ...common,
    definition: protos.blob,
    targets: parseEndpoints(cfg.blobEndpoints.join(','), 'MASSIVE_BLOB_ENDPOINTS'),
    dataMetrics: createBlobDataClientMetrics(deps.registry),
  });

  // Ready = metadata answers. Blob is deliberately not part of it: with blob down, every gateway
  // replica would drop out of the load balancer and even inline objects (no blob round trip) and
  // listings would fail. Requests that need blob answer 503 ServiceUnavailable on their own (SDKs
  // retry); blob's state is logged here and visible on its own probes and metrics.
  let cached: { at: number; ok: Promise<boolean> } | undefined;
  let blobWasUp = true;
  const dependenciesReady = (): Promise<boolean> => {
    if (!cached || Date.now() - cached.at > READY_CACHE_MS) {
      const ok = Promise.all([metadata.healthy(1000), blob.healthy(1000)]).then(([m, b]) => {
        if (!m) deps.logger.warn('metadata service not ready: gateway not ready', { metadata: m, blob: b });
        if (b !== blobWasUp) deps.logger.warn(b ? 'blob service answers again' : 'blob service not ready: requests that need object data answer 503', { blob: b });
        blobWasUp = b;
        return m;
      });
      cached = { at: Date.now(), ok };
    }
    return cached.ok;
  };

  const config = s3ApiConfig(cfg);
  const { credentials, admin, sessions } = credentialsFor(deps, metadata, config);
  const { s3: app, website, flush: flushAccessLogs } = createS3Listeners(
    { metadata, blob, credentials, logger: deps.logger, config, ...(deps.sse && { sse: deps.sse }), ...(sessions && { sessions }) },
    {
      registry: deps.registry,
      limitMetrics: deps.limitMetrics,
      metricsAccess: metricsAccess(cfg),
      ready: async () => !deps.draining() && (await dependenciesReady()),
      ...(deps.adminOnS3Port && admin && { admin }),
      websiteDomains: cfg.websiteDomains,
    },
  );
  return {
    app,
    website,
    ...(admin && { admin }),
    start: () => undefined,
    dependenciesReady,
    close: async () => {
      // Buffered access log records are written while the services are still connected.
      await flushAccessLogs();
      metadata.close();
      blob.close();
    },
  };
}
