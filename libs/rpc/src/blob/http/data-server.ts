import { callAborted, ServiceError, throwIfCallAborted, type BlobApi, type CallCtx, type LentBody } from '@massive/contracts';
import type { Logger } from '@massive/observability';
import type { Registry } from 'prom-client';
import { REQUEST_ID_HEADER } from '../../bind-service';
import { servedCall } from '../../call-ctx';
import { decodeManifest, decodeRange, encodeManifest } from '../../codec';
import { loadProtos, type LoadedProtos } from '../../proto';
import { tokenChecker, type RpcSecurity } from '../../security/rpc-security';
import { createBlobDataServerMetrics, observeData, type BlobDataMetrics, type DataMethod } from './data-metrics';
import { asServiceError } from '../../errors';
import { HttpParseError } from './http1-parser';
import { Http1Server, type ServerExchange } from './http1-server';
import { ReceiveBuffers } from './receive-buffers';
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

export interface BlobDataServerOptions {
  readonly blob: BlobApi;
  /** The same trust as the gRPC server: with `tls`, https requiring a client certificate; with `token`, the bearer token. */
  readonly security?: RpcSecurity;
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly protos?: LoadedProtos;
}

/** Keep-alive longer than the client's idle timeout, so the client always closes first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Write bodies land in buffers this big (several socket reads each): the largest piece a write gets. */
export const WRITE_BODY_BUFFER_SIZE = 1024 * 1024;
/**
 * Idle receive buffers kept. A write holds its body until its chunks are stored (up to three 8 MiB
 * chunks for a large one), so busy writes use far more than this; the rest go to the GC.
 */
const MAX_IDLE_RECEIVE_BUFFERS = 32;

/**
 * The blob service's HTTP/1.1 data path (wire.ts): Write and Read bodies as raw bytes, with the same
 * ServiceError codes, auth, deadlines and cancellation as the gRPC Write/Read. A client that hangs up
 * (or a deadline that passes) aborts ctx.signal, which stops the BlobApi's read or write; responses
 * are written only as fast as the socket drains (backpressure), request bodies read only as fast as
 * the BlobApi consumes them. Served by Http1Server: write bodies reach the BlobApi as views of pooled
 * receive buffers (a LentBody), which the blob service hands back once their chunk is stored.
 */
export class BlobDataServer {
  private readonly http: Http1Server;
  private serving = true;
  private readonly metrics: (BlobDataMetrics & { refused: { inc(): void } }) | undefined;
  private readonly protos: LoadedProtos;
  private readonly valid: ((values: readonly string[]) => boolean) | undefined;
  private lastRefusalLog = 0;
  /** Where write bodies land (reported as `blob_data_server_receive_buffers_*`). */
  readonly receiveBuffers = new ReceiveBuffers(WRITE_BODY_BUFFER_SIZE, MAX_IDLE_RECEIVE_BUFFERS);

  constructor(private readonly opts: BlobDataServerOptions) {
    this.protos = opts.protos ?? loadProtos();
    this.metrics = opts.registry && createBlobDataServerMetrics(opts.registry, this.receiveBuffers);
    this.valid = opts.security?.token === undefined ? undefined : tokenChecker(opts.security.token);
    const tls = opts.security?.tls;
    this.http = new Http1Server(
      {
        ...(tls && { tls: { ca: tls.ca, cert: tls.cert, key: tls.key } }),
        buffers: this.receiveBuffers,
        idleMs: KEEP_ALIVE_TIMEOUT_MS,
        // Only a bug gets here (handle answers every error itself).
        onHandlerError: (err) => this.opts.logger?.error('blob data request failed', { err }),
      },
      (ex) => this.handle(ex),
    );
  }

  /** Binds `host:port` (0 picks a free port); resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return this.http.listen(host, port);
  }

  /** What `GET /v1/health` answers (false while draining). */
  setServing(serving: boolean): void {
    this.serving = serving;
  }

  /** Stops accepting, lets in-flight requests finish, then cuts what is left after `timeoutMs`. */
  async shutdown(timeoutMs: number): Promise<void> {
    this.serving = false;
    await this.http.shutdown(timeoutMs);
  }

  private async handle(ex: ServerExchange): Promise<void> {
    const path = ex.path;
    if (path === HEALTH_PATH && (ex.method === 'GET' || ex.method === 'HEAD')) {
      ex.respond(this.serving ? 200 : 503, { 'content-type': 'text/plain' }, Buffer.from(this.serving ? 'serving' : 'not serving'));
      return;
    }
    if (this.valid && !this.valid(headerValues(ex.headers.authorization))) {
      this.refused(path);
      sendPlain(ex, 401, UNAUTHENTICATED_MESSAGE);
      return;
    }
    const method: DataMethod | undefined = path === WRITE_PATH && ex.method === 'PUT' ? 'Write' : path === READ_PATH && ex.method === 'POST' ? 'Read' : undefined;
    if (!method) {
      sendPlain(ex, path === WRITE_PATH || path === READ_PATH ? 405 : 404, `no ${ex.method} ${path.slice(0, 100)} here`);
      return;
    }
    const started = process.hrtime.bigint();
    const id = ex.headers[REQUEST_ID_HEADER];
    const call = servedCall(id ?? '', deadlineFrom(ex.headers));
    const ctx = call.ctx;
    ex.onHangUp(() => call.abort(new ServiceError('Unavailable', 'the client closed the connection')));
    let code = OK_STATUS;
    try {
      if (method === 'Write') await this.write(ex, ctx);
      else await this.read(ex, ctx);
    } catch (err) {
      code = callAborted(ctx) && !ex.finished ? 'Canceled' : asServiceError(err).code;
      this.failed(ex, ctx, method, err);
    } finally {
      ex.onHangUp(undefined);
      call.done();
      observeData(this.metrics, method, code, started);
    }
  }

  private async write(ex: ServerExchange, ctx: CallCtx): Promise<void> {
    const intentId = ex.headers[INTENT_HEADER];
    if (intentId === undefined || intentId === '') throw new ServiceError('InvalidArgument', `a blob write needs the ${INTENT_HEADER} header`);
    const manifest = await this.opts.blob.write(lentBody(ex), { intentId }, ctx);
    const body = this.protos.blob.Write.responseSerialize(encodeManifest(manifest));
    ex.respond(200, { 'content-type': PROTOBUF }, body);
  }

  private async read(ex: ServerExchange, ctx: CallCtx): Promise<void> {
    const raw = await readAll(ex, MAX_READ_REQUEST_BYTES);
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
      ex.writeHead(200, { 'content-type': 'application/octet-stream', trailer: `${STATUS_TRAILER}, ${MESSAGE_TRAILER}, ${ERROR_DETAIL_TRAILER}` });
      const blob = this.opts.blob;
      while (!next.done) {
        const piece = next.value;
        // Once the socket is done with it, the piece's memory serves the next read (BlobApi.release).
        if (!ex.write(piece, (err) => err || blob.release?.(piece))) await ex.drained(ctx);
        throwIfCallAborted(ctx);
        next = await it.next();
      }
      finished = true;
      ex.end({ [STATUS_TRAILER]: OK_STATUS });
    } finally {
      if (!finished) await it.return?.();
    }
  }

  /** An error: a status response if nothing was sent yet, else error trailers ending the body; nothing once the client left. */
  private failed(ex: ServerExchange, ctx: CallCtx, method: DataMethod, err: unknown): void {
    const e = asServiceError(err);
    const internal = e.code === 'Internal';
    if (this.opts.logger) {
      const fields = { requestId: ctx.requestId, method, code: e.code, ...(internal && { err }) };
      if (internal) this.opts.logger.error('blob data request failed', fields);
      else this.opts.logger.debug('blob data request', fields);
    }
    if (ex.destroyed || ex.finished || callAborted(ctx)) {
      ex.destroy();
      return;
    }
    if (ex.headersSent) {
      ex.end(errorTrailers(e));
      return;
    }
    sendPlain(ex, httpStatusOf(e.code), e.message, errorFields(e));
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

function headerValues(v: string | undefined): string[] {
  return v === undefined ? [] : [v];
}

/**
 * A text response. When the request body was not read to its end (a refused or failed write), the
 * response says `connection: close` and the server drops the rest of the body until the client
 * closes, so the client reads the answer instead of a reset and no stray bytes are taken for a next
 * request (Http1Server).
 */
function sendPlain(ex: ServerExchange, status: number, message: string, headers: Record<string, string> = {}): void {
  ex.respond(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }, Buffer.from(message, 'utf8'));
}

/**
 * The request body as the BlobApi's source: views of pooled receive buffers, read only as fast as
 * they are consumed, handed back with `release`. A malformed body (bad chunk framing) or one cut
 * short fails the write as InvalidArgument.
 */
function lentBody(ex: ServerExchange): LentBody {
  const body = ex.body;
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => body.next().catch((e: unknown) => Promise.reject(e instanceof HttpParseError ? new ServiceError('InvalidArgument', `the write body: ${e.message}`) : e)),
      return: () => body.return(),
    }),
    release: (piece) => body.release(piece),
  };
}

async function readAll(ex: ServerExchange, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const b of ex.body) {
    n += b.length;
    if (n > limit) throw new ServiceError('InvalidArgument', `a ReadRequest is at most ${limit} bytes`);
    parts.push(b);
  }
  const all = Buffer.concat(parts, n);
  for (const b of parts) ex.body.release(b);
  return all;
}
