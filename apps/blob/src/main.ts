import { BlobService, warnIfExt4WithoutJournal } from '@massive/blob-core';
import { createBlobMetrics, createLogger, createRegistry, onShutdownSignals, runService, startAdminServer } from '@massive/observability';
import { BlobDataServer, RpcServer, rpcSecurityFromEnv } from '@massive/rpc';
import { loadConfig, usage } from './config';
import { openStore } from './open-store';

/** How often readiness is re-checked and published on grpc.health.v1. */
const HEALTH_INTERVAL_MS = 5000;

/** config → chunk store → BlobService → gRPC server. */
async function main(): Promise<void> {
  const cfg = loadConfig(process.argv.slice(2), process.env);
  const logger = createLogger({ service: 'blob', level: cfg.logLevel });
  // Who may call us (and how we call metadata): refused at start without a token or certificates.
  const trust = rpcSecurityFromEnv(process.env);
  const registry = createRegistry();
  const opened = await openStore(cfg, { logger, registry, rpcSecurity: trust.security });
  const blob = new BlobService(opened.store, {
    chunkSize: cfg.chunkSize,
    metrics: createBlobMetrics(registry),
    ...(opened.writesInFlight && { maxWritesInFlight: opened.writesInFlight }),
  });
  // Bodies travel over the HTTP data path (same trust as gRPC); Describe tells clients its port.
  const data = cfg.dataPath === 'http' ? new BlobDataServer({ blob, registry, logger, security: trust.security }) : undefined;
  const dataPort = data ? await data.listen(cfg.host, cfg.dataPort) : 0;
  const identity = { replicaId: '', legacyChunks: false, ...opened.identity, dataPort };
  const rpc = new RpcServer({ blob, blobReplica: identity, registry, logger, security: trust.security });
  const grpcPort = await rpc.listen(cfg.host, cfg.grpcPort);

  let draining = false;
  const storeReady = () => opened.ready();
  const ready = async () => !draining && (await storeReady());
  const admin = await startAdminServer({ host: cfg.host, port: cfg.adminPort, registry, ready });
  const health = setInterval(
    () =>
      void ready().then((ok) => {
        if (draining) return;
        rpc.setServing(ok);
        data?.setServing(ok);
      }),
    HEALTH_INTERVAL_MS,
  );
  health.unref();

  const shown = cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host;
  logger.info('listening', {
    grpcPort,
    dataPort,
    adminPort: admin.port,
    backend: cfg.backend,
    ...(opened.identity && { replicaId: opened.identity.replicaId }),
    ...(cfg.backend === 'local' ? { dataDir: cfg.dataDir } : { seaweedMasters: cfg.seaweedMasters, collection: cfg.seaweedCollection, replication: cfg.seaweedReplication }),
    chunkSize: cfg.chunkSize,
    rpcSecurity: trust.describe,
  });
  logger.flush();
  process.stdout.write(`Massive Storage blob service listening on grpc://${shown}:${grpcPort} (admin http://${shown}:${admin.port})${data ? ` (data http${trust.security.tls ? 's' : ''}://${shown}:${dataPort})` : ''}\n`);
  // After the line scripts wait for: the chunk directory's filesystem, for the operator's log (nothing
  // below waits for it).
  if (opened.dir !== undefined) void warnIfExt4WithoutJournal(opened.dir, logger);

  const exit = (code: number, msg: string, err?: unknown) => {
    logger[code === 0 ? 'info' : 'error'](msg, err === undefined ? undefined : { err });
    logger.flush();
    process.exit(code);
  };
  const shutdown = (signal: string) => {
    if (draining) return;
    draining = true;
    clearInterval(health);
    logger.info('shutting down: finishing in-flight calls', { signal });
    void (async () => {
      await Promise.all([rpc.shutdown(cfg.shutdownTimeoutMs), data?.shutdown(cfg.shutdownTimeoutMs)]);
      await admin.close();
      await opened.close();
    })().then(
      () => exit(0, 'stopped'),
      (err: unknown) => exit(1, 'shutdown failed', err),
    );
  };
  onShutdownSignals(shutdown);
}

runService('massive-blob', usage, main);
