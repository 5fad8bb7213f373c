import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { warnIfExt4WithoutJournal } from '@massive/blob-core';
import { createLimitMetrics, createLogger, createRegistry, onShutdownSignals, runService, startAdminServer, type AdminServer } from '@massive/observability';
import { createS3Server } from '@massive/s3-api';
import { rpcSecurityFromEnv } from '@massive/rpc';
import { DEFAULT_GATEWAY_ADMIN_PORT, loadConfig, s3Tls, serverLimits, usage } from './config';
import { composeLocal, type Composed } from './compose-local';
import { composeRemote } from './compose-remote';
import { sseKeysFrom } from './sse-keys';
import { type CredentialSource, newCredentialsNotice, startBanner } from './banner';
import { developmentCredentials, devCredentialsFile, type KeyPair } from './credentials';
import { createMasterKeyMetrics, loadMasterKey, loadPreviousMasterKeys, refuseWellKnownRoot } from './identity';

async function main(): Promise<void> {
  const cfg = loadConfig(process.argv.slice(2), process.env);
  const tls = s3Tls(cfg);
  const logger = createLogger({ service: 'gateway', level: cfg.logLevel });
  // Distributed mode: how to reach metadata and blob (refused at start without a token or certificates).
  const trust = cfg.mode === 'distributed' ? rpcSecurityFromEnv(process.env) : undefined;
  const registry = createRegistry();
  let keys: KeyPair;
  let credentials: CredentialSource;
  if (cfg.accessKey && cfg.secretKey) {
    keys = { accessKey: cfg.accessKey, secretKey: cfg.secretKey };
    credentials = { kind: 'settings', accessKey: keys.accessKey };
  } else {
    // The secret is shown once, when generated; afterwards only where it is kept (the banner says).
    const dev = await developmentCredentials(cfg.dataDir);
    keys = { accessKey: dev.accessKey, secretKey: dev.secretKey };
    credentials = { kind: 'file', accessKey: dev.accessKey, file: devCredentialsFile(cfg.dataDir), created: dev.created };
    if (dev.created) process.stderr.write(newCredentialsNotice(dev.accessKey, dev.secretKey, devCredentialsFile(cfg.dataDir)));
  }
  refuseWellKnownRoot(keys);
  const masterKey = await loadMasterKey(process.env, cfg.dataDir, (msg) => process.stderr.write(`\n${msg}\n\n`));
  const previousMasterKeys = loadPreviousMasterKeys(process.env, masterKey);
  const masterKeyUses = createMasterKeyMetrics(registry);
  let draining = false;
  const limitMetrics = createLimitMetrics(registry);
  // Local mode keeps its operational endpoints on the S3 port (/-/...) unless an admin port is asked for.
  const adminPort = cfg.adminPort ?? (cfg.mode === 'distributed' ? DEFAULT_GATEWAY_ADMIN_PORT : undefined);
  const deps = {
    logger,
    registry,
    limitMetrics,
    identity: { root: keys, masterKey, previousMasterKeys, onPreviousMasterKey: masterKeyUses.accessKey, onResealed: masterKeyUses.resealed },
    sse: sseKeysFrom(masterKey, previousMasterKeys, masterKeyUses.sse),
    adminOnS3Port: adminPort === undefined,
    draining: () => draining,
  };
  const composed: Composed = cfg.mode === 'local' ? await composeLocal(cfg, deps) : composeRemote(cfg, deps, trust?.security);
  const server = createS3Server(composed.app, serverLimits(cfg), limitMetrics, tls);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, () => resolve());
  });
  // The static website endpoint: plain HTTP on a port of its own (S3's website endpoints are HTTP only).
  let website: Server | undefined;
  if (cfg.websitePort !== undefined) {
    const limits = serverLimits(cfg);
    const w = createServer({ headersTimeout: limits.headersTimeoutMs, requestTimeout: 0, keepAliveTimeout: limits.keepAliveTimeoutMs, maxHeaderSize: limits.maxHeaderBytes }, composed.website);
    w.maxConnections = limits.maxConnections;
    website = w;
    await new Promise<void>((resolve, reject) => {
      w.once('error', reject);
      w.listen(cfg.websitePort, cfg.host, () => resolve());
    });
  }
  composed.start();
  let admin: AdminServer | undefined;
  if (adminPort !== undefined) {
    const adminApi = composed.admin;
    admin = await startAdminServer({
      host: cfg.host,
      port: adminPort,
      registry,
      ready: async () => !draining && (await composed.dependenciesReady()),
      ...(adminApi && { routes: [{ prefix: '/admin/', handle: adminApi }] }),
    });
  }
  const addr = server.address() as AddressInfo;
  const extra = cfg.mode === 'distributed' ? { metadata: cfg.metadataEndpoints, blob: cfg.blobEndpoints, rpcSecurity: trust?.describe } : { dataDir: cfg.dataDir };
  logger.info('listening', { mode: cfg.mode, scheme: tls ? 'https' : 'http', requireSignedPayload: cfg.requireSignedPayload, host: addr.address, port: addr.port, adminPort: admin?.port, region: cfg.region, ...extra });
  logger.flush();
  // Its first line is the one tests and scripts wait for.
  const shown = cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host;
  process.stdout.write(
    startBanner({
      mode: cfg.mode,
      s3: `${tls ? 'https' : 'http'}://${shown}:${addr.port}`,
      ...(admin && { admin: `http://${shown}:${admin.port}` }),
      ...(website && { website: `http://${shown}:${(website.address() as AddressInfo).port}` }),
      region: cfg.region,
      dataDir: cfg.dataDir,
      credentials,
      metricsOnS3Port: cfg.metricsPublic === 'true' ? 'public' : cfg.metricsToken !== undefined ? 'token' : 'closed',
      ...(cfg.mode === 'distributed' && { metadata: cfg.metadataEndpoints, blob: cfg.blobEndpoints }),
    }),
  );

  // After the banner, whose first line is the one scripts wait for: a warning about the chunk
  // directory's filesystem (ext4 without a journal) is for the operator's log, not a start failure,
  // and nothing below (the shutdown handlers) waits for it.
  if (composed.chunkDir !== undefined) void warnIfExt4WithoutJournal(composed.chunkDir, logger);

  const shutdown = (signal: string) => {
    if (draining) return;
    draining = true;
    logger.info('shutting down: finishing in-flight requests', { signal });
    const force = setTimeout(() => {
      logger.warn('shutdown timeout: closing remaining connections');
      server.closeAllConnections();
    }, cfg.shutdownTimeoutMs);
    force.unref();
    website?.close();
    website?.closeIdleConnections();
    server.close(() => {
      void Promise.all([composed.close(), admin?.close()]).finally(() => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  onShutdownSignals(shutdown);
}

runService('massive-gateway', usage, main);
