import * as http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { callAborted, isServiceError, ServiceError, throwIfCallAborted, whenAborted, type BlobManifest, type ByteRange, type CallCtx } from '@massive/contracts';
import { REQUEST_ID_HEADER } from '../../bind-service';
import { decodeManifest, encodeManifest, encodeRange, opt } from '../../codec';
import { loadProtos, type LoadedProtos } from '../../proto';
import { AUTHORIZATION_HEADER, bearer, type RpcSecurity } from '../../security/rpc-security';
import { observeData, type BlobDataClientMetrics, type BlobDataMetrics, type DataMethod } from './data-metrics';
import { ReadConnections } from './read-client';
import { ReceiveBuffers } from './receive-buffers';
import { WriteBatch } from './write-batch';
import { errorFromResponse, errorFromTrailers, INTENT_HEADER, OK_STATUS, PROTOBUF, READ_PATH, TIMEOUT_HEADER, WRITE_PATH } from './wire';

/** Where a blob replica's data path listens (the host of its gRPC target, the port it announced). */
export interface DataEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface BlobDataClientOptions {
  /** For error messages ("blob service (a:7071)"). */
  readonly label: string;
  readonly security?: RpcSecurity;
  /** createBlobDataClientMetrics (it also reports the receive buffers), or plain request metrics. */
  readonly metrics?: BlobDataMetrics & Partial<Pick<BlobDataClientMetrics, 'watchReceiveBuffers'>>;
  /** Connections per blob replica at most (requests beyond wait for one). Default 256. */
  readonly maxSockets?: number;
  readonly protos?: LoadedProtos;
}

/** Socket reads of read bodies land in buffers this big: the most one read returns. */
export const RECEIVE_BUFFER_SIZE = 1024 * 1024;
/** Idle receive buffers kept: enough for 8 GETs with a piece in their client's socket and one queued. */
const MAX_IDLE_RECEIVE_BUFFERS = 16;

/** Largest manifest response read (5,120 chunks is ~0.5 MiB). */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/** Idle connections are closed by the client after this long, well before the server's 65 s. */
const IDLE_SOCKET_MS = 30_000;
const OVER: unique symbol = Symbol('response arrived');

/**
 * The client side of the blob data path (wire.ts): keep-alive connections to every replica (http, or
 * https with our client certificate under mutual TLS), the service token and request id on every
 * request, ctx's deadline as a timer that cuts the request, the ctx's abort (whenAborted) cutting it.
 * Transport failures (refused, reset, cut mid-body, TLS) are `Unavailable`: the gateway answers 503
 * and SDKs retry. Writes go through Node's http client; reads through ReadConnections, whose socket
 * reads land in pooled buffers (read-client.ts).
 */
export class BlobDataClient {
  private readonly agent: http.Agent;
  private readonly tls: boolean;
  private readonly authorization: string | undefined;
  private readonly protos: LoadedProtos;
  private readonly receive: ReceiveBuffers;
  private readonly reads: ReadConnections;

  constructor(private readonly opts: BlobDataClientOptions) {
    const tls = opts.security?.tls;
    const common = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: opts.maxSockets ?? 256, maxFreeSockets: 64, scheduling: 'lifo' as const, timeout: IDLE_SOCKET_MS };
    this.agent = tls ? new https.Agent({ ...common, ca: tls.ca, cert: tls.cert, key: tls.key }) : new http.Agent(common);
    this.tls = tls !== undefined;
    this.authorization = opts.security?.token === undefined ? undefined : bearer(opts.security.token);
    this.protos = opts.protos ?? loadProtos();
    this.receive = new ReceiveBuffers(RECEIVE_BUFFER_SIZE, MAX_IDLE_RECEIVE_BUFFERS);
    opts.metrics?.watchReceiveBuffers?.(this.receive);
    this.reads = new ReadConnections({ ...(tls && { tls }), maxSockets: common.maxSockets, idleMs: IDLE_SOCKET_MS, buffers: this.receive });
  }

  close(): void {
    this.agent.destroy();
    this.reads.close();
  }

  /**
   * Streams `body` to the replica and resolves with the manifest once every chunk is durable. The
   * source is read only while the socket takes it (at most one piece waits in the client). A source
   * that fails aborts the request (the server then commits nothing) and its error propagates
   * unchanged; a server that answers early (an error) stops the source being read.
   */
  async write(ep: DataEndpoint, body: AsyncIterable<Buffer>, intentId: string, ctx: CallCtx): Promise<BlobManifest> {
    throwIfCallAborted(ctx);
    const call = this.start('Write', ep, 'PUT', WRITE_PATH, ctx, { [INTENT_HEADER]: intentId, 'content-type': 'application/octet-stream' });
    const over: Promise<typeof OVER> = call.response.then(
      () => OVER,
      () => OVER,
    );
    const source = body[Symbol.asyncIterator]();
    const batch = new WriteBatch(call.req);
    try {
      for (;;) {
        const next = await Promise.race([source.next(), over]);
        if (next === OVER) {
          // The server answered (or the request failed) before the body ended: stop reading the source
          // once the pending read settles.
          batch.discard();
          void Promise.resolve(source.return?.()).catch(() => undefined);
          break;
        }
        if (next.done) {
          batch.flush();
          call.req.end();
          break;
        }
        batch.add(next.value);
        if (batch.blocked) await Promise.race([batch.drained(), over]);
      }
    } catch (e) {
      batch.discard();
      call.finish(e);
      throw e;
    }
    try {
      const res = await call.response;
      const raw = await readBody(res, MAX_MANIFEST_BYTES);
      if (res.statusCode !== 200) throw errorFromResponse(res.statusCode ?? 0, res.headers, raw.toString('utf8'), this.opts.label);
      const manifest = decodeManifest(this.protos.blob.Write.responseDeserialize(raw));
      call.finish(undefined);
      return manifest;
    } catch (e) {
      const err = this.failure(e, ctx);
      call.finish(err);
      throw err;
    }
  }

  /**
   * The manifest's bytes (or `range` of them) as the socket delivers them, read only as fast as the
   * consumer iterates. Ends only after the server's status trailer says OK: an error after the first
   * byte is the server's ServiceError, a cut body `Unavailable`. Stopping early (or the ctx's abort)
   * closes the connection, which stops the server's reading. Pieces of 64 KiB and more are views of
   * the socket's pooled read buffers: hand each back with `release` once done with it (one not
   * handed back is left to the GC).
   */
  async *read(ep: DataEndpoint, manifest: BlobManifest, range: ByteRange | undefined, ctx: CallCtx): AsyncIterable<Buffer> {
    throwIfCallAborted(ctx);
    const started = process.hrtime.bigint();
    const body = this.protos.blob.Read.requestSerialize({ manifest: encodeManifest(manifest), ...opt('range', range && encodeRange(range)) });
    const timeout = ctx.deadline === undefined ? undefined : Math.max(0, ctx.deadline - Date.now());
    const head = requestHead('POST', READ_PATH, ep, {
      'content-type': PROTOBUF,
      'content-length': String(body.length),
      [REQUEST_ID_HEADER]: ctx.requestId,
      ...(this.authorization !== undefined && { [AUTHORIZATION_HEADER]: this.authorization }),
      ...(timeout !== undefined && { [TIMEOUT_HEADER]: String(timeout) }),
    });
    const ex = this.reads.exchange(ep, Buffer.concat([head, body]));
    const timer = timeout === undefined ? undefined : setTimeout(() => ex.close(new ServiceError('Unavailable', `${this.opts.label}: deadline exceeded`)), timeout);
    const offAbort = whenAborted(ctx, () => ex.close(abortError(ctx)));
    let outcome: unknown = 'canceled';
    try {
      await ex.response();
      if (ex.status !== 200) throw errorFromResponse(ex.status, ex.headers as IncomingHttpHeaders, await ex.text(64 * 1024), this.opts.label);
      for (let b = await ex.next(); b !== undefined; b = await ex.next()) yield b;
      const bad = errorFromTrailers(ex.trailers ?? {}, this.opts.label);
      if (bad) throw bad;
      outcome = undefined;
    } catch (e) {
      outcome = this.failure(e, ctx);
      throw outcome;
    } finally {
      if (timer) clearTimeout(timer);
      offAbort();
      // Not read to its end (stopped early, failed): the connection is closed, never reused.
      if (outcome !== undefined) ex.close(outcome === 'canceled' ? new Error('read stopped by the consumer') : outcome);
      const code = outcome === undefined ? OK_STATUS : callAborted(ctx) || outcome === 'canceled' ? 'Canceled' : isServiceError(outcome) ? outcome.code : 'Error';
      observeData(this.opts.metrics, 'Read', code, started);
    }
  }

  /** Hands back a piece `read` yielded, once nothing refers to it any more (see `read`). */
  release(piece: Buffer): void {
    this.receive.release(piece);
  }

  /** Starts a request; `finish` records the outcome once and releases (or, on failure, destroys) it. */
  private start(method: DataMethod, ep: DataEndpoint, verb: string, path: string, ctx: CallCtx, headers: Record<string, string>) {
    const started = process.hrtime.bigint();
    const timeout = ctx.deadline === undefined ? undefined : Math.max(0, ctx.deadline - Date.now());
    const req = (this.tls ? https : http).request({
      host: ep.host,
      port: ep.port,
      method: verb,
      path,
      agent: this.agent,
      headers: {
        ...headers,
        [REQUEST_ID_HEADER]: ctx.requestId,
        ...(this.authorization !== undefined && { [AUTHORIZATION_HEADER]: this.authorization }),
        ...(timeout !== undefined && { [TIMEOUT_HEADER]: String(timeout) }),
      },
      ...(this.tls && this.opts.security?.tls?.serverName !== undefined && { servername: this.opts.security.tls.serverName }),
      ...(this.tls && this.opts.security?.tls?.serverName === undefined && isIP(ep.host) === 0 && { servername: ep.host }),
    });
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
    });
    response.catch(() => undefined); // awaited by the caller; never an unhandled rejection meanwhile
    req.on('error', () => undefined); // errors after the response (a reset while discarding) are the response's
    const timer = timeout === undefined ? undefined : setTimeout(() => req.destroy(new ServiceError('Unavailable', `${this.opts.label}: deadline exceeded`)), timeout);
    const offAbort = whenAborted(ctx, () => req.destroy(abortError(ctx)));
    let finished = false;
    const finish = (err: unknown) => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      offAbort();
      if (err !== undefined) req.destroy();
      const code = err === undefined ? OK_STATUS : callAborted(ctx) || err === 'canceled' ? 'Canceled' : isServiceError(err) ? err.code : 'Error';
      observeData(this.opts.metrics, method, code, started);
    };
    return { req, response, finish };
  }

  /**
   * The caller's own abort wins (AbortSignal convention); a ServiceError passes; transport errors are
   * Unavailable, named for the deadline once it has passed (the server cuts the call at the same
   * moment, and its hang-up may arrive before our own timer fires).
   */
  private failure(err: unknown, ctx: CallCtx): unknown {
    if (callAborted(ctx)) return ctx.signal?.reason ?? abortError(ctx);
    if (isServiceError(err)) return err;
    if (ctx.deadline !== undefined && Date.now() >= ctx.deadline) return new ServiceError('Unavailable', `${this.opts.label}: deadline exceeded`);
    return new ServiceError('Unavailable', `${this.opts.label}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A request head: the request line, Host, then `headers` (values with CR, LF or NUL are refused). */
function requestHead(method: string, path: string, ep: DataEndpoint, headers: Record<string, string>): Buffer {
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${isIP(ep.host) === 6 ? `[${ep.host}]` : ep.host}:${ep.port}\r\n`;
  for (const name in headers) {
    const v = headers[name]!;
    if (/[\r\n\0]/.test(v)) throw new ServiceError('Internal', `header ${name} holds a line break`);
    head += `${name}: ${v}\r\n`;
  }
  return Buffer.from(`${head}\r\n`, 'latin1');
}

async function readBody(res: http.IncomingMessage, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const b of res as AsyncIterable<Buffer>) {
    n += b.length;
    if (n > limit) throw new ServiceError('Internal', `a blob data response over ${limit} bytes`);
    parts.push(b);
  }
  return Buffer.concat(parts, n);
}

/** Why the caller aborted: its signal's reason when that is an Error. */
function abortError(ctx: CallCtx): Error {
  const reason: unknown = ctx.signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}
