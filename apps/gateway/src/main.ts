import type { AddressInfo } from 'node:net';
import { createLimitMetrics, createLogger, createRegistry, onShutdownSignals, runService, startAdminServer, type AdminServer } from '@massive/observability';
import { createS3Server } from '@massive/s3-api';
import { rpcSecurityFromEnv } from '@massive/rpc';
import { DEFAULT_GATEWAY_ADMIN_PORT, loadConfig, s3Tls, serverLimits, usage } from './config';
import { composeLocal, type Composed } from './compose-local';
import { composeRemote } from './compose-remote';
import { developmentCredentials, StaticCredentials } from './credentials';

async function main(): Promise<void> {
  const cfg = loadConfig(process.argv.slice(2), process.env);
  const tls = s3Tls(cfg);
  const logger = createLogger({ service: 'gateway', level: cfg.logLevel });
  // Distributed mode: how to reach metadata and blob (refused at start without a token or certificates).
  const trust = cfg.mode === 'distributed' ? rpcSecurityFromEnv(process.env) : undefined;
  const registry = createRegistry();
  let keys = cfg.accessKey && cfg.secretKey ? { accessKey: cfg.accessKey, secretKey: cfg.secretKey } : undefined;
  if (!keys) {
    keys = await developmentCredentials(cfg.dataDir);
    process.stderr.write(
      `\nNo credentials configured: using development credentials kept in ${cfg.dataDir}/dev-credentials.json\n` +
        `  access key: ${keys.accessKey}\n  secret key: ${keys.secretKey}\n` +
        `Set MASSIVE_ACCESS_KEY and MASSIVE_SECRET_KEY to choose your own.\n\n`,
    );
  }
  let draining = false;
  const limitMetrics = createLimitMetrics(registry);
  const deps = { logger, registry, limitMetrics, credentials: new StaticCredentials([keys]), draining: () => draining };
  const composed: Composed = cfg.mode === 'local' ? await composeLocal(cfg, deps) : composeRemote(cfg, deps, trust?.security);
  const server = createS3Server(composed.app, serverLimits(cfg), limitMetrics, tls);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, () => resolve());
  });
  composed.start();
  // Local mode keeps its operational endpoints on the S3 port (/-/...) unless an admin port is asked for.
  const adminPort = cfg.adminPort ?? (cfg.mode === 'distributed' ? DEFAULT_GATEWAY_ADMIN_PORT : undefined);
  let admin: AdminServer | undefined;
  if (adminPort !== undefined) {
    admin = await startAdminServer({ host: cfg.host, port: adminPort, registry, ready: async () => !draining && (await composed.dependenciesReady()) });
  }
  const addr = server.address() as AddressInfo;
  const extra = cfg.mode === 'distributed' ? { metadata: cfg.metadataEndpoints, blob: cfg.blobEndpoints, rpcSecurity: trust?.describe } : { dataDir: cfg.dataDir };
  logger.info('listening', { mode: cfg.mode, scheme: tls ? 'https' : 'http', requireSignedPayload: cfg.requireSignedPayload, host: addr.address, port: addr.port, adminPort: admin?.port, region: cfg.region, ...extra });
  logger.flush();
  // A line tests and scripts can wait for.
  const shown = cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host;
  process.stdout.write(`Massive Storage (${cfg.mode} mode) listening on ${tls ? 'https' : 'http'}://${shown}:${addr.port}${admin ? ` (admin http://${shown}:${admin.port})` : ''}\n`);

  const shutdown = (signal: string) => {
    if (draining) return;
    draining = true;
    logger.info('shutting down: finishing in-flight requests', { signal });
    const force = setTimeout(() => {
      logger.warn('shutdown timeout: closing remaining connections');
      server.closeAllConnections();
    }, cfg.shutdownTimeoutMs);
    force.unref();
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
