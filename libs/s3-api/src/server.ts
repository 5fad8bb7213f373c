import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import { parseEndpoint, S3Error, type Endpoint, type EndpointName } from '@massive/s3-protocol';
import { createHttpMetrics, requestIdGenerator } from '@massive/observability';
import { HANDLERS } from './handlers';
import { authenticate } from './http/auth';
import { openRequestBody } from './http/request-body';
import { renderError } from './http/render-error';
import { refuseUnsupportedHeaders } from './http/unsupported-headers';
import { toS3Error } from './errors/to-s3-error';
import type { Handler, S3ApiDeps, S3Request, S3Response } from './types';

export interface S3ApiOptions {
  readonly registry: Registry;
  /** Readiness: false while draining or when a dependency is down. */
  readonly ready?: () => boolean | Promise<boolean>;
}

/**
 * The S3 REST API as an express app: one catch-all handler (no per-request middleware chain), an
 * endpoint table for routing, and one error renderer. Operational endpoints live under `/-/`
 * (no bucket name can start with '-', so they never shadow a bucket).
 */
export function createS3Api(deps: S3ApiDeps, opts: S3ApiOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  const metrics = createHttpMetrics(opts.registry);
  const nextRequestId = requestIdGenerator();
  const log = deps.logger;

  const ops = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (path === '/-/health/live') return void res.end('ok');
    if (path === '/-/health/ready') {
      const ok = opts.ready ? await opts.ready() : true;
      res.statusCode = ok ? 200 : 503;
      return void res.end(ok ? 'ready' : 'not ready');
    }
    if (path === '/-/metrics') {
      res.setHeader('Content-Type', opts.registry.contentType);
      return void res.end(await opts.registry.metrics());
    }
    res.statusCode = 404;
    res.end();
  };

  app.use((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    if (rawPath.startsWith('/-/')) return void ops(req, res, rawPath).catch(() => res.destroy());
    void serve(req, res, rawPath, q < 0 ? '' : url.slice(q + 1));
  });

  async function serve(req: IncomingMessage, res: ServerResponse, rawPath: string, rawQuery: string): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = nextRequestId();
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('Server', 'MassiveStorage');
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client closed the connection'));
    });
    let ep: Endpoint | undefined;
    let operation: EndpointName | 'Unknown' = 'Unknown';
    let bytesIn = 0;
    let bytesOut = 0;
    try {
      const query = new URLSearchParams(rawQuery);
      ep = parseEndpoint({ method: req.method ?? 'GET', rawPath, query, headers: req.headers }, deps.config);
      operation = ep.name;
      metrics.inFlight.inc({ operation });
      const auth = authenticate(req, rawPath, rawQuery, deps);
      refuseUnsupportedHeaders(req.headers);
      const handler = HANDLERS[ep.name] as Handler<EndpointName> | undefined;
      if (!handler) throw new S3Error('NotImplemented');
      const body = openRequestBody(req, auth, deps.config, (n) => (bytesIn += n));
      const s3req: S3Request = {
        method: req.method ?? 'GET',
        headers: req.headers,
        query,
        body,
        owner: auth.owner,
        requestId,
        ctx: { requestId, signal: abort.signal },
      };
      const out = await handler(ep, s3req, deps);
      bytesOut = out.objectBytes ?? 0;
      await writeResponse(res, out, req.method === 'HEAD');
    } catch (err) {
      const where = ep && 'bucket' in ep ? { bucket: ep.bucket, key: 'key' in ep ? ep.key : undefined } : {};
      const { error, internal } = toS3Error(err, where);
      if (abort.signal.aborted) {
        // The client hung up: nothing to answer, and not a server fault.
        log.info('client disconnected', { requestId, operation });
        res.destroy();
        return;
      }
      if (internal) log.error('internal error', { requestId, operation, err });
      if (res.headersSent) {
        // The body had started: the only honest signal left is a broken connection.
        res.destroy();
      } else {
        renderError(res, error, req.method ?? 'GET', rawPath, requestId);
      }
      // Unread request bodies would otherwise hold the socket.
      if (!req.complete) req.resume();
    } finally {
      if (operation !== 'Unknown') metrics.inFlight.dec({ operation });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requests.inc({ operation, status: String(res.statusCode) });
      metrics.duration.observe({ operation }, seconds);
      if (bytesIn) metrics.bytesIn.inc({ operation }, bytesIn);
      if (bytesOut) metrics.bytesOut.inc({ operation }, bytesOut);
      if (log.enabled('info')) {
        log.info('request', {
          requestId,
          operation,
          method: req.method,
          status: res.statusCode,
          bytesIn,
          bytesOut,
          durationMs: Math.round(seconds * 1e6) / 1e3,
        });
      }
    }
  }

  return app;
}

async function writeResponse(res: ServerResponse, out: S3Response, head: boolean): Promise<void> {
  res.statusCode = out.status;
  if (out.headers) {
    for (const name in out.headers) {
      const v = out.headers[name];
      if (v !== undefined) res.setHeader(name, v);
    }
  }
  const body = out.body;
  if (body === undefined || head) {
    if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) closeIterable(body);
    res.end();
    return;
  }
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (!res.hasHeader('Content-Length')) res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
    return;
  }
  await pipeline(Readable.from(body, { objectMode: false }), res);
}

function closeIterable(body: AsyncIterable<Buffer>): void {
  const it = body[Symbol.asyncIterator]();
  void it.return?.();
}
