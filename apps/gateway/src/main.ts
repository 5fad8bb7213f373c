import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, createRegistry } from '@massive/observability';
import { ConfigError, loadConfig, usage } from './config';
import { composeLocal } from './compose-local';
import { developmentCredentials, StaticCredentials } from './credentials';

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(usage());
    return;
  }
  const cfg = loadConfig(process.argv.slice(2), process.env);
  const logger = createLogger({ service: 'gateway', level: cfg.logLevel });
  const registry = createRegistry('gateway');
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
  const composed = await composeLocal(cfg, { logger, registry, credentials: new StaticCredentials([keys]), draining: () => draining });
  const server: Server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000, requestTimeout: 0 }, composed.app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, () => resolve());
  });
  composed.start();
  const addr = server.address() as AddressInfo;
  logger.info('listening', { mode: 'local', host: addr.address, port: addr.port, dataDir: cfg.dataDir, region: cfg.region });
  logger.flush();
  // A line tests and scripts can wait for.
  process.stdout.write(`Massive Storage (local mode) listening on http://${cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host}:${addr.port}\n`);

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
      void composed.close().finally(() => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`massive-gateway: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`massive-gateway: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
