import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface AdminServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly registry: Registry;
  /** Readiness: false while draining or while a dependency is down (answered 503). */
  readonly ready: () => boolean | Promise<boolean>;
  /** Further endpoints under `prefix` (e.g. the gateway's admin API under `/admin/`): `path` is what follows it, with its leading '/'. */
  readonly routes?: readonly { readonly prefix: string; handle(req: IncomingMessage, res: ServerResponse, path: string): void }[];
}

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The operational HTTP listener every service runs beside its main port: `/metrics` (Prometheus text),
 * `/health/live` (the process answers) and `/health/ready` (it should get traffic).
 */
export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = opts.routes?.find((r) => path.startsWith(r.prefix));
    if (route) return route.handle(req, res, path.slice(route.prefix.length - 1));
    const answer = async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.statusCode = 405;
        return void res.end();
      }
      if (path === '/metrics') {
        res.setHeader('Content-Type', opts.registry.contentType);
        return void res.end(await opts.registry.metrics());
      }
      if (path === '/health/live') return void res.end('ok\n');
      if (path === '/health/ready') {
        const ok = await Promise.resolve()
          .then(opts.ready)
          .catch(() => false);
        res.statusCode = ok ? 200 : 503;
        return void res.end(ok ? 'ready\n' : 'not ready\n');
      }
      res.statusCode = 404;
      res.end('not found\n');
    };
    answer().catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
