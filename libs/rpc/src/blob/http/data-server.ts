import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ServiceError, type BlobApi, type CallCtx } from '@massive/contracts';
import type { Logger } from '@massive/observability';
import type { Registry } from 'prom-client';
import { REQUEST_ID_HEADER } from '../../bind-service';
import { decodeManifest, decodeRange, encodeManifest } from '../../codec';
import { loadProtos, type LoadedProtos } from '../../proto';
import { tokenChecker, type RpcSecurity } from '../../security/rpc-security';
import { createBlobDataServerMetrics, observeData, type BlobDataMetrics, type DataMethod } from './data-metrics';
import { asServiceError } from '../../errors';
import {
  deadlineFrom,
  errorFields,
  errorTrailers,
  HEALTH_PATH,
  httpStatusOf,
  INTENT_HEADER,
  MAX_READ_REQUEST_BYTES,
  MESSAGE_TRAILER,
  OK_STATUS,
  PROTOBUF,
  READ_PATH,
  STATUS_TRAILER,
  UNAUTHENTICATED_MESSAGE,
  WRITE_PATH,
} from './wire';
import { ERROR_DETAIL_TRAILER } from '../../errors';

/** A data request's CallCtx: always with a signal. */
type DataCtx = CallCtx & { readonly signal: AbortSignal };

export interface BlobDataServerOptions {
  readonly blob: BlobApi;
  /** The same trust as the gRPC server: with `tls`, https requiring a client certificate; with `token`, the bearer token. */
  readonly security?: RpcSecurity;
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly protos?: LoadedProtos;
}

/** Keep-alive longer than the client agent's idle timeout, so the client always closes first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * The blob service's HTTP/1.1 data path (wire.ts): Write and Read bodies as raw bytes, with the same
 * ServiceError codes, auth, deadlines and cancellation as the gRPC Write/Read. A client that hangs up
 * (or a deadline that passes) aborts ctx.signal, which stops the BlobApi's read or write; responses
 * are written only as fast as the socket drains (backpressure), request bodies read only as fast as
 * the BlobApi consumes them.
 */
export class BlobDataServer {
  readonly server: http.Server;
  private serving = true;
  private readonly metrics: (BlobDataMetrics & { refused: { inc(): void } }) | undefined;
  private readonly protos: LoadedProtos;
  private readonly valid: ((values: readonly string[]) => boolean) | undefined;
  private lastRefusalLog = 0;

  constructor(private readonly opts: BlobDataServerOptions) {
    this.protos = opts.protos ?? loadProtos();
    this.metrics = opts.registry && createBlobDataServerMetrics(opts.registry);
    this.valid = opts.security?.token === undefined ? undefined : tokenChecker(opts.security.token);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) =>
      void this.handle(req, res).catch((err: unknown) => {
        // Only a bug gets here (handle answers every error itself): never an unhandled rejection.
        this.opts.logger?.error('blob data request failed', { err });
        res.destroy();
      });
    const tls = opts.security?.tls;
    this.server = tls
      ? https.createServer({ ca: tls.ca, cert: tls.cert, key: tls.key, requestCert: true, rejectUnauthorized: true }, handler)
      : http.createServer(handler);
    this.server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
    // Bodies may take long (a 5 GiB write); deadlines come from the caller, not a server default.
    this.server.requestTimeout = 0;
  }

  /** Binds `host:port` (0 picks a free port); resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** What `GET /v1/health` answers (false while draining). */
  setServing(serving: boolean): void {
    this.serving = serving;
  }

  /** Stops accepting, lets in-flight requests finish, then cuts what is left after `timeoutMs`. */
  async shutdown(timeoutMs: number): Promise<void> {
    this.serving = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const force = setTimeout(() => this.server.closeAllConnections(), timeoutMs);
    force.unref();
    await closed;
    clearTimeout(force);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(this.serving ? 200 : 503, { 'content-type': 'text/plain' }).end(this.serving ? 'serving' : 'not serving');
      return;
    }
    if (this.valid && !this.valid(headerValues(req.headers.authorization))) {
      this.refused(path);
      sendPlain(req, res, 401, UNAUTHENTICATED_MESSAGE);
      return;
    }
    const method: DataMethod | undefined = path === WRITE_PATH && req.method === 'PUT' ? 'Write' : path === READ_PATH && req.method === 'POST' ? 'Read' : undefined;
    if (!method) {
      sendPlain(req, res, path === WRITE_PATH || path === READ_PATH ? 405 : 404, `no ${req.method} ${path.slice(0, 100)} here`);
      return;
    }
    const started = process.hrtime.bigint();
    const { ctx, done } = requestCtx(req, res);
    let code = OK_STATUS;
    try {
      if (method === 'Write') await this.write(req, res, ctx);
      else await this.read(req, res, ctx);
    } catch (err) {
      code = ctx.signal.aborted && !res.writableEnded ? 'Canceled' : asServiceError(err).code;
      this.failed(req, res, ctx, method, err);
    } finally {
      done();
      observeData(this.metrics, method, code, started);
    }
  }

  private async write(req: http.IncomingMessage, res: http.ServerResponse, ctx: DataCtx): Promise<void> {
    const intentId = req.headers[INTENT_HEADER];
    if (typeof intentId !== 'string' || intentId === '') throw new ServiceError('InvalidArgument', `a blob write needs the ${INTENT_HEADER} header`);
    const manifest = await this.opts.blob.write(bodyOf(req), { intentId }, ctx);
    const body = this.protos.blob.Write.responseSerialize(encodeManifest(manifest));
    res.writeHead(200, { 'content-type': PROTOBUF, 'content-length': body.length });
    res.end(body);
  }

  private async read(req: http.IncomingMessage, res: http.ServerResponse, ctx: DataCtx): Promise<void> {
    const raw = await readAll(req, MAX_READ_REQUEST_BYTES);
    let decoded: ReturnType<LoadedProtos['blob']['Read']['requestDeserialize']>;
    try {
      decoded = this.protos.blob.Read.requestDeserialize(raw);
    } catch (e) {
      throw new ServiceError('InvalidArgument', `not a ReadRequest: ${(e as Error).message}`);
    }
    const it = this.opts.blob.read(decodeManifest(decoded.manifest), decoded.range ? decodeRange(decoded.range) : undefined, ctx)[Symbol.asyncIterator]();
    // The first piece decides the status: errors before it (InvalidRange, NoSuchKey...) are a plain error response.
    let next = await it.next();
    let finished = next.done === true;
    try {
      res.writeHead(200, { 'content-type': 'application/octet-stream', trailer: `${STATUS_TRAILER}, ${MESSAGE_TRAILER}, ${ERROR_DETAIL_TRAILER}` });
      const blob = this.opts.blob;
      while (!next.done) {
        const piece = next.value;
        // Once the socket is done with it, the piece's memory serves the next read (BlobApi.release).
        if (!res.write(piece, (err) => err || blob.release?.(piece))) await drained(res, ctx.signal);
        ctx.signal.throwIfAborted();
        next = await it.next();
      }
      finished = true;
      res.addTrailers({ [STATUS_TRAILER]: OK_STATUS });
      res.end();
    } finally {
      if (!finished) await it.return?.();
    }
  }

  /** An error: a status response if nothing was sent yet, else error trailers ending the body; nothing once the client left. */
  private failed(req: http.IncomingMessage, res: http.ServerResponse, ctx: DataCtx, method: DataMethod, err: unknown): void {
    const e = asServiceError(err);
    const internal = e.code === 'Internal';
    if (this.opts.logger) {
      const fields = { requestId: ctx.requestId, method, code: e.code, ...(internal && { err }) };
      if (internal) this.opts.logger.error('blob data request failed', fields);
      else this.opts.logger.debug('blob data request', fields);
    }
    if (res.destroyed || res.writableEnded || ctx.signal.aborted) {
      res.destroy();
      return;
    }
    if (res.headersSent) {
      res.addTrailers(errorTrailers(e));
      res.end();
      return;
    }
    sendPlain(req, res, httpStatusOf(e.code), e.message, errorFields(e));
  }

  private refused(path: string): void {
    this.metrics?.refused.inc();
    const now = Date.now();
    if (this.opts.logger && now - this.lastRefusalLog >= 1000) {
      this.lastRefusalLog = now;
      this.opts.logger.warn('blob data request refused: missing or wrong service token', { path: path.slice(0, 200) });
    }
  }
}

function headerValues(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * A text response. When the request body was not read to its end (a refused or failed write), the
 * rest is drained and the connection closed after the response, so the client reads the answer
 * instead of a reset and no stray bytes are taken for a next request.
 */
function sendPlain(req: http.IncomingMessage, res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(message, 'utf8');
  const unread = !req.complete;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length, ...headers, ...(unread && { connection: 'close' }) });
  res.end(body);
  if (unread) req.resume();
}

/** The request body as the BlobApi's source: Buffers, read only as fast as they are consumed. */
async function* bodyOf(req: http.IncomingMessage): AsyncIterable<Buffer> {
  for await (const b of req as AsyncIterable<Buffer>) yield b;
}

async function readAll(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const b of req as AsyncIterable<Buffer>) {
    n += b.length;
    if (n > limit) throw new ServiceError('InvalidArgument', `a ReadRequest is at most ${limit} bytes`);
    parts.push(b);
  }
  return Buffer.concat(parts, n);
}

/** Resolves on 'drain', on close, or when `signal` aborts. */
function drained(res: http.ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    signal.addEventListener('abort', done);
  });
}

/**
 * CallCtx of a data request: the caller's request id, its deadline, and a signal aborted when the
 * client hangs up before the response is complete, or when the deadline passes.
 */
function requestCtx(req: http.IncomingMessage, res: http.ServerResponse): { ctx: DataCtx; done: () => void } {
  const ac = new AbortController();
  const deadline = deadlineFrom(req.headers);
  const timer = deadline === undefined ? undefined : setTimeout(() => ac.abort(new ServiceError('Unavailable', 'deadline exceeded')), Math.max(0, deadline - Date.now()));
  const onClose = () => {
    if (!res.writableFinished) ac.abort(new ServiceError('Unavailable', 'the client closed the connection'));
  };
  res.on('close', onClose);
  const id = req.headers[REQUEST_ID_HEADER];
  return {
    ctx: { requestId: typeof id === 'string' && id !== '' ? id : 'unknown', signal: ac.signal, ...(deadline !== undefined && { deadline }) },
    done: () => {
      if (timer) clearTimeout(timer);
      res.off('close', onClose);
    },
  };
}
