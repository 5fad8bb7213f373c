import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { GarbageCollector, LifecycleWorker, MetadataService, MvccGcWorker } from '@massive/metadata-core';
import { LmdbKv } from '@massive/kv-embedded';
import { createLogger, createRegistry, onShutdownSignals, openSpaceReserve, runService, startAdminServer } from '@massive/observability';
import { createGrpcClientMetrics, GrpcBlobClient, loadProtos, parseEndpoints, RpcServer, rpcSecurityFromEnv } from '@massive/rpc';
import { loadConfig, usage } from './config';
import { kvReady, openKv } from './kv-backend';
import { combineMultipartChecksum } from '@massive/s3-protocol';

/** How often readiness is re-checked and published on grpc.health.v1. */
const HEALTH_INTERVAL_MS = 5000;

/** config → KV adapter → MetadataService → gRPC server (+ garbage collection over the blob service). */
async function main(): Promise<void> {
  const cfg = loadConfig(process.argv.slice(2), process.env);
  const logger = createLogger({ service: 'metadata', level: cfg.logLevel });
  // Who may call us (and how we call blob): refused at start without a token or certificates.
  const trust = rpcSecurityFromEnv(process.env);
  const registry = createRegistry();
  const kv = await openKv(cfg, registry);
  // The embedded store keeps a free-space reserve of its own; TiKV enforces its reserve-space itself.
  const spaceReserve =
    kv instanceof LmdbKv ? await openSpaceReserve(cfg.dataDir, cfg.reserveSpace, { logger, registry, store: 'metadata', reusable: () => kv.reusableBytes() }) : undefined;
  const metadata = new MetadataService({ kv, registry, gcGraceMs: cfg.gcGraceMs, checksumCombiner: combineMultipartChecksum, spaceReserve });
  const protos = loadProtos();
  const blob = new GrpcBlobClient({
    targets: parseEndpoints(cfg.blobEndpoints.join(','), 'MASSIVE_BLOB_ENDPOINTS'),
    definition: protos.blob,
    metrics: createGrpcClientMetrics(registry),
    defaultTimeoutMs: cfg.rpcTimeoutMs,
    security: trust.security,
  });
  const gc = new GarbageCollector({
    kv,
    blob,
    registry,
    intervalMs: cfg.gcIntervalMs,
    // Stable across restarts of this replica (a pod keeps its name, a process its port), so a replica
    // that crashed while holding the GC lease takes it back at once instead of waiting for it to lapse.
    holderId: cfg.grpcPort === 0 ? `${hostname()}:${randomUUID()}` : `${hostname()}:${cfg.grpcPort}`,
    onError: (err, loop) => logger.warn('garbage collection pass failed', { loop, err }),
  });
  const holderId = cfg.grpcPort === 0 ? `${hostname()}:${randomUUID()}` : `${hostname()}:${cfg.grpcPort}`;
  const lifecycle =
    cfg.lifecycleEnabled === 'true'
      ? new LifecycleWorker({
          kv,
          registry,
          gcGraceMs: cfg.gcGraceMs,
          intervalMs: cfg.lifecycleIntervalMs,
          maxRecordsPerPass: cfg.lifecycleMaxRecords,
          holderId,
          onError: (err, stage) => logger.warn('lifecycle pass failed', { stage, err }),
        })
      : undefined;
  // TiKV keeps every version until PD's GC safe point passes it, and without TiDB nobody moves it.
  const mvccGc =
    kv.collectMvccGarbage && cfg.tikvGcIntervalMs > 0
      ? new MvccGcWorker({
          kv,
          registry,
          lifetimeMs: cfg.tikvGcLifetimeMs,
          intervalMs: cfg.tikvGcIntervalMs,
          holderId,
          onRun: (r) =>
            logger.info('MVCC garbage collection', { outcome: r.outcome, safePoint: new Date(r.safePointMs).toISOString(), txnsResolved: r.txnsResolved, locksResolved: r.locksResolved, heldBy: r.heldBy }),
          onError: (err) => logger.warn('MVCC garbage collection failed', { err }),
        })
      : undefined;
  const rpc = new RpcServer({ metadata, registry, logger, protos, security: trust.security, ...(cfg.muxDirect === 'on' && { muxDirectPort: cfg.muxPort }) });
  const grpcPort = await rpc.listen(cfg.host, cfg.grpcPort);

  let draining = false;
  const ready = async () => !draining && (await kvReady(kv));
  const admin = await startAdminServer({ host: cfg.host, port: cfg.adminPort, registry, ready });
  const health = setInterval(() => void ready().then((ok) => !draining && rpc.setServing(ok)), HEALTH_INTERVAL_MS);
  health.unref();
  gc.start();
  lifecycle?.start();
  mvccGc?.start();

  const shown = cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host;
  logger.info('listening', { grpcPort, muxPort: rpc.directPort, adminPort: admin.port, backend: cfg.backend, dataDir: cfg.dataDir, blob: cfg.blobEndpoints, rpcSecurity: trust.describe });
  logger.flush();
  const direct = rpc.directPort > 0 ? ` (mux direct tcp://${shown}:${rpc.directPort})` : '';
  process.stdout.write(`Massive Storage metadata service listening on grpc://${shown}:${grpcPort} (admin http://${shown}:${admin.port})${direct}\n`);

  const shutdown = (signal: string) => {
    if (draining) return;
    draining = true;
    clearInterval(health);
    logger.info('shutting down: finishing in-flight calls', { signal });
    void (async () => {
      await rpc.shutdown(cfg.shutdownTimeoutMs);
      await gc.stop();
      await lifecycle?.stop();
      await mvccGc?.stop();
      blob.close();
      await kv.close();
      await admin.close();
    })().then(
      () => exit(0, 'stopped'),
      (err: unknown) => exit(1, 'shutdown failed', err),
    );
  };
  const exit = (code: number, msg: string, err?: unknown) => {
    logger[code === 0 ? 'info' : 'error'](msg, err === undefined ? undefined : { err });
    logger.flush();
    process.exit(code);
  };
  onShutdownSignals(shutdown);
}

runService('massive-metadata', usage, main);
