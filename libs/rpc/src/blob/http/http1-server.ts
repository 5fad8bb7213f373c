import { STATUS_CODES } from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { callAborted, whenAborted, type CallCtx } from '@massive/contracts';
import { HttpParseError, RequestParser, type RequestSink } from './http1-parser';
import type { ReceiveBuffers } from './receive-buffers';
import { probeIdle } from '../../tcp-keepalive';

/**
 * The HTTP/1.1 server under the blob data path (data-server.ts). Request bodies land straight in
 * pooled buffers: each connection's socket reads with Node's `onread`, into a pooled 1 MiB buffer
 * filled read after read, and body bytes reach the handler as views of it (`RequestBody`), handed back
 * with `release` once nothing refers to them (the blob service does once a chunk's put settled). Node's
 * http server instead allocates 64 KiB per socket read and copies every body piece into a fresh
 * Buffer of its own: on distributed 1 MiB PUTs that external memory drove a major GC in the blob
 * every few dozen MiB, about a fifth of the blob's CPU.
 *
 * What it serves: keep-alive connections, one request at a time (bytes of a next request that arrive
 * early wait, copied, until the response ended), `Expect: 100-continue`, request bodies delimited by
 * Content-Length or chunked (refused: anything else, and both at once), responses with a
 * Content-Length or chunked with trailers, backpressure both ways. A malformed request is answered
 * 400 and the connection closed. A response that ends before its request body was read (an early
 * error) says `connection: close`, and the rest of the body is read and dropped until the client
 * closes (so it reads the answer instead of a reset). Idle connections, and heads slower than
 * `idleMs`, are closed.
 *
 * With `tls` (mutual TLS: a client certificate chaining to `ca` is required), sockets come from a TLS
 * server and reads arrive as Node allocates them: Node's TLS sockets accept `onread` only on the
 * client side. Pieces are then the socket's own buffers (never reused, nothing to hand back), and a
 * client's half-close ends the connection (a TLS socket that allowed half-open connections would stay
 * open after a handshake its client gave up).
 */
export interface Http1ServerOptions {
  readonly tls?: { readonly ca: Buffer | string; readonly cert: Buffer | string; readonly key: Buffer | string };
  /** The pool body reads land in (plaintext sockets). */
  readonly buffers: ReceiveBuffers;
  /** An idle keep-alive connection, or a request head not complete, is closed after this long. */
  readonly idleMs: number;
  /** Longest request head (request line and headers) or trailer section. Default 64 KiB. */
  readonly maxHead?: number;
  /** A handler that threw (a bug: handlers answer their own errors); the connection is cut. */
  readonly onHandlerError?: (err: unknown) => void;
}

export type Http1Handler = (ex: ServerExchange) => void | Promise<void>;

/** Between requests a connection reads into a small buffer of its own: a head and a small body fit. */
const FIRST_READ_SIZE = 16 * 1024;
/** A pooled buffer with less room than this left is retired; the next read takes a fresh one. */
const MIN_POOLED_READ = 64 * 1024;
/** Unconsumed body bytes past which the connection stops reading until the handler catches up. */
const HIGH_WATER = 1024 * 1024;
/**
 * Response bytes queued on a socket before `write` says wait for 'drain': a read piece (up to 1 MiB
 * and 64 KiB, pooled memory the piece holds anyway) is taken without waiting, so a handler writing
 * the last piece learns the body ended and its trailers leave in the same write.
 */
const RESPONSE_HIGH_WATER_MARK = 2 * 1024 * 1024;
/** After a response that left its request body unread, the client gets this long to stop sending. */
const LINGER_MS = 5_000;
const CRLF = Buffer.from('\r\n', 'latin1');
const LAST_CHUNK = '0\r\n';

export class Http1Server {
  private readonly server: net.Server;
  private readonly conns = new Set<ServerConn>();
  /** Every TCP connection the server counts (under TLS, also those still in their handshake). */
  private readonly accepted = new Set<net.Socket>();
  private shuttingDown = false;

  constructor(
    readonly opts: Http1ServerOptions,
    readonly handler: Http1Handler,
  ) {
    const t = opts.tls;
    this.server = t
      ? tls.createServer({ ca: t.ca, cert: t.cert, key: t.key, requestCert: true, rejectUnauthorized: true }, (s) => this.adopt(s))
      : net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (s) => this.adopt(s));
    this.server.on('connection', (s: net.Socket) => {
      this.accepted.add(s);
      s.once('close', () => this.accepted.delete(s));
    });
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

  /** Open connections (busy or idle). */
  get connections(): number {
    return this.conns.size;
  }

  /** @internal */
  get closing(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops accepting; idle connections close now, busy ones once their response ended (it says
   * `connection: close`), and whatever is left is cut after `timeoutMs`.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.shuttingDown = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.conns) if (!c.busy) c.destroy();
    const force = setTimeout(() => {
      for (const c of this.conns) c.destroy();
      for (const s of this.accepted) s.destroy(); // TLS: connections still in their handshake
    }, timeoutMs);
    force.unref();
    await Promise.all([stopped, ...[...this.conns].map((c) => c.gone)]);
    clearTimeout(force);
  }

  /** @internal */
  forget(conn: ServerConn): void {
    this.conns.delete(conn);
  }

  private adopt(accepted: net.Socket): void {
    if (this.shuttingDown) {
      accepted.destroy();
      return;
    }
    const conn = this.opts.tls ? new ServerConn(this, accepted, undefined) : ServerConn.withPooledReads(this, accepted);
    this.conns.add(conn);
  }
}

/** How the bytes of a read may be kept: lent views of a pooled buffer, copies, or the read's own buffer. */
type ReadKind = 'lend' | 'copy' | 'own';

/** @internal One client connection. */
export class ServerConn implements RequestSink {
  readonly socket: net.Socket;
  /** Resolves once the socket closed. */
  readonly gone: Promise<void>;
  private parser: RequestParser;
  /** The request in progress: from its head until its response ended and its body was read. */
  private ex: ServerExchange | undefined;
  /** A head parsed during the current feed, handed to the handler once the feed is over. */
  private started: ServerExchange | undefined;
  private readKind: ReadKind = 'copy';
  /** The pooled buffer body reads land in, filled from `off` on (plaintext only). */
  private buf: Buffer | undefined;
  private off = 0;
  private readonly small: Buffer | undefined;
  /** Bytes past the current request (a pipelining client), fed once its response ended. */
  private stash: Buffer | undefined;
  private paused = false;
  /** The client closed its side (a half-close): answer the request in progress, then close. */
  private peerEnded = false;
  /** Stop parsing: the stream is no longer in step (a malformed request) or the connection is ending. */
  private broken = false;
  private closed = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;

  /**
   * A plaintext connection whose reads land in pooled buffers: the accepted socket's handle moves to
   * a socket made with `onread` (net.Server offers no `onread` of its own). Accepted with
   * `pauseOnConnect`, so nothing was read before the move.
   */
  static withPooledReads(server: Http1Server, accepted: net.Socket): ServerConn {
    const shell = accepted as unknown as { _handle?: object | null };
    const handle = shell._handle;
    if (!handle) return new ServerConn(server, accepted, undefined);
    // The socket asks for its first buffer as it is made, before the connection exists.
    const ref: { conn?: ServerConn } = {};
    const small = Buffer.allocUnsafeSlow(FIRST_READ_SIZE);
    shell._handle = null;
    accepted.destroy(); // the empty shell: net.Server counts the connection closed
    const socket = new net.Socket({
      handle,
      allowHalfOpen: true,
      writableHighWaterMark: RESPONSE_HIGH_WATER_MARK,
      onread: { buffer: () => ref.conn?.nextBuffer() ?? small, callback: (n: number, b: Buffer) => ref.conn?.onRead(n, b) ?? false },
    } as net.SocketConstructorOpts);
    ref.conn = new ServerConn(server, socket, small);
    return ref.conn;
  }

  constructor(
    private readonly server: Http1Server,
    socket: net.Socket,
    small: Buffer | undefined,
  ) {
    this.socket = socket;
    this.small = small;
    this.parser = new RequestParser(this, server.opts.maxHead);
    socket.setNoDelay(true);
    probeIdle(socket);
    if (!small) {
      socket.on('data', (b: Buffer) => {
        if (!this.feed(b, 0, b.length, 'own')) this.pause();
      });
      socket.resume();
    }
    socket.on('error', () => undefined); // 'close' follows; the exchange learns it there
    socket.on('end', () => this.onEnd());
    this.gone = new Promise((resolve) => socket.once('close', resolve));
    socket.once('close', () => this.onClose());
    this.armIdle();
  }

  /** A request is in progress. */
  get busy(): boolean {
    return this.ex !== undefined;
  }

  destroy(): void {
    this.broken = true;
    this.socket.destroy();
  }

  /** Where the next socket read lands: the pooled buffer while a body streams, else the small one. */
  private nextBuffer(): Buffer {
    const { buffers } = this.server.opts;
    const ex = this.ex;
    if (!ex || !this.parser.headDone || this.parser.done || ex.discarding || this.broken) {
      this.retireBuffer();
      return this.small!;
    }
    if (this.buf && this.buf.length - this.off >= MIN_POOLED_READ) return this.buf.subarray(this.off);
    this.retireBuffer();
    this.buf = buffers.forReading();
    this.off = 0;
    return this.buf;
  }

  private retireBuffer(): void {
    if (this.buf) this.server.opts.buffers.doneReading(this.buf);
    this.buf = undefined;
  }

  private onRead(n: number, b: Buffer): boolean {
    if (b === this.small) return this.feed(b, 0, n, 'copy');
    const start = this.off;
    this.off += n;
    return this.feed(this.buf!, start, start + n, 'lend');
  }

  /** Parses `buf[start, end)`; false: stop reading (the handler is behind, or a next request waits). */
  private feed(buf: Buffer, start: number, end: number, kind: ReadKind): boolean {
    if (this.broken) return true; // read and dropped (a connection being closed)
    this.readKind = kind;
    let at = start;
    try {
      while (at < end) {
        if (this.parser.done) {
          // The current request is whole: what follows is the next one, parsed after the response.
          if (this.ex) {
            const rest = Buffer.from(buf.subarray(at, end));
            this.stash = this.stash ? Buffer.concat([this.stash, rest]) : rest;
            break;
          }
          this.parser = new RequestParser(this, this.server.opts.maxHead);
        }
        at = this.parser.feed(buf, at, end);
      }
    } catch (e) {
      this.malformed(e);
    }
    const started = this.started;
    this.started = undefined;
    if (started) this.run(started);
    // Returning false stops the socket reading (onread); resumeReading starts it again.
    if (this.stash !== undefined || (this.ex !== undefined && !this.parser.done && this.ex.body.queued >= HIGH_WATER)) {
      this.paused = true;
      return false;
    }
    return true;
  }

  // RequestSink: called by the parser during `feed`.
  head(method: string, target: string, headers: Readonly<Record<string, string>>): void {
    this.disarmIdle();
    const ex = new ServerExchange(this, method, target, headers, this.server.opts.buffers);
    this.ex = ex;
    this.started = ex;
    const expect = headers['expect'];
    const hasBody = headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
    if (expect !== undefined && expect.toLowerCase() === '100-continue' && hasBody) this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
  }

  data(buf: Buffer, start: number, end: number): void {
    const ex = this.ex;
    if (!ex || ex.discarding) return;
    const kind = this.readKind;
    const piece = kind === 'lend' ? this.server.opts.buffers.lend(buf, start, end) : kind === 'own' ? buf.subarray(start, end) : Buffer.from(buf.subarray(start, end));
    ex.body.push(piece);
  }

  end(): void {
    const ex = this.ex;
    if (!ex) return;
    ex.body.end();
    // Answered before its body ended: move on once this feed is over (never inside the parser's call).
    if (ex.finished) process.nextTick(() => this.ex === ex && this.next());
  }

  /** The handler may read more: resume a paused socket. */
  resumeReading(): void {
    if (!this.paused || this.closed || this.stash !== undefined) return;
    this.paused = false;
    this.socket.resume();
  }

  /**
   * Writes the response head. `close`: this response ends the connection (the request asked, the
   * server is shutting down, or the body was not read to its end).
   */
  writeHead(ex: ServerExchange, status: number, headers: Readonly<Record<string, string | number>>): boolean {
    const close = this.server.closing || this.peerEnded || !this.parser.done || !this.parser.reusable || ex.wantsClose;
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    for (const name in headers) {
      const v = String(headers[name]);
      if (/[\r\n\0]/.test(v)) throw new Error(`response header ${name} holds a line break`);
      head += `${name}: ${v}\r\n`;
    }
    if (close) head += 'connection: close\r\n';
    this.socket.write(`${head}\r\n`, 'latin1');
    return close;
  }

  /** The response ended (its last byte is queued on the socket). */
  responded(ex: ServerExchange): void {
    if (ex.closesConnection || this.broken || this.peerEnded) {
      this.closeAfterResponse(ex);
      return;
    }
    if (this.parser.done) this.next();
  }

  /** The current exchange is over: parse the next request (waiting bytes first), or wait for one. */
  private next(): void {
    this.ex = undefined;
    if (this.closed) return;
    this.parser = new RequestParser(this, this.server.opts.maxHead);
    this.armIdle();
    const stash = this.stash;
    this.stash = undefined;
    if (stash && !this.feed(stash, 0, stash.length, 'own')) return this.pause();
    this.resumeReading();
  }

  /** Ends our side once the response is flushed; the rest of an unread body is dropped until the client closes. */
  private closeAfterResponse(ex: ServerExchange): void {
    this.broken = true;
    ex.body.abandon();
    this.stash = undefined;
    this.socket.end();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), LINGER_MS);
    this.lingerTimer.unref();
    if (this.peerEnded) return; // both sides ended: the socket closes once ours is flushed
    this.paused = false;
    this.socket.resume();
  }

  private malformed(e: unknown): void {
    const message = e instanceof HttpParseError ? e.message : 'malformed request';
    const ex = this.ex;
    this.broken = true;
    if (ex) {
      // Mid-body: the handler sees its body fail and answers (or has answered); then the connection closes.
      ex.body.fail(new HttpParseError(message));
      return;
    }
    const body = Buffer.from(`malformed request: ${message}`, 'utf8');
    this.socket.write(`HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`, 'latin1');
    this.socket.end(body);
    this.lingerTimer = setTimeout(() => this.socket.destroy(), LINGER_MS);
    this.lingerTimer.unref();
  }

  private run(ex: ServerExchange): void {
    let result: void | Promise<void>;
    try {
      result = this.server.handler(ex);
    } catch (e) {
      this.handlerFailed(e);
      return;
    }
    if (result) result.catch((e: unknown) => this.handlerFailed(e));
  }

  private handlerFailed(e: unknown): void {
    this.server.opts.onHandlerError?.(e);
    this.destroy();
  }

  private pause(): void {
    this.paused = true;
    this.socket.pause();
  }

  private onEnd(): void {
    this.peerEnded = true;
    const ex = this.ex;
    if (!ex) {
      this.socket.destroy();
      return;
    }
    // A request not yet whole never will be (the client gave up: as a hang-up); a whole one is
    // answered, then the connection closes.
    if (!this.parser.done) ex.connectionClosed();
    if (ex.finished) this.socket.destroy();
  }

  private onClose(): void {
    this.closed = true;
    this.disarmIdle();
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.retireBuffer();
    const ex = this.ex;
    this.ex = undefined;
    this.stash = undefined;
    if (ex) ex.connectionClosed();
    this.server.forget(this);
  }

  private armIdle(): void {
    this.disarmIdle();
    this.idleTimer = setTimeout(() => this.destroy(), this.server.opts.idleMs);
    this.idleTimer.unref();
  }

  private disarmIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

/**
 * A request body as the handler reads it: pieces as the socket delivers them, read only as fast as
 * they are consumed. Pieces are views of pooled receive buffers: hand each back with `release` once
 * nothing refers to it (one never handed back is left to the GC). `return()` (stopping early) drops
 * the rest of the body.
 */
export class RequestBody implements AsyncIterableIterator<Buffer> {
  private readonly queue: Buffer[] = [];
  /** Bytes waiting to be read. */
  queued = 0;
  private ended = false;
  private failure: unknown;
  private abandoned = false;

  /** The whole body has arrived (it may not all have been read). */
  get arrived(): boolean {
    return this.ended;
  }
  private waiter: (() => void) | undefined;

  constructor(
    private readonly conn: ServerConn,
    private readonly buffers: ReceiveBuffers,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Buffer>> {
    for (;;) {
      const piece = this.queue.shift();
      if (piece) {
        this.queued -= piece.length;
        if (this.queued < HIGH_WATER) this.conn.resumeReading();
        return { value: piece, done: false };
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended || this.abandoned) return { value: undefined, done: true };
      this.conn.resumeReading();
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  async return(): Promise<IteratorResult<Buffer>> {
    this.abandon();
    return { value: undefined, done: true };
  }

  /** Hands back a piece this body yielded (the caller must not touch it again). */
  release(piece: Buffer): void {
    this.buffers.release(piece);
  }

  /** @internal */
  push(piece: Buffer): void {
    if (this.abandoned) return this.release(piece);
    this.queue.push(piece);
    this.queued += piece.length;
    this.wake();
  }

  /** @internal */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** @internal */
  fail(err: unknown): void {
    if (!this.ended && this.failure === undefined) this.failure = err;
    this.wake();
  }

  /** @internal The rest is not wanted: what is queued goes back to the pool, later pieces are dropped. */
  abandon(): void {
    this.abandoned = true;
    for (const p of this.queue) this.release(p);
    this.queue.length = 0;
    this.queued = 0;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

/** One request and its response. */
export class ServerExchange {
  readonly path: string;
  readonly body: RequestBody;
  /** The connection closed before the response ended (the client hung up). */
  hungUp = false;
  /** Told once when the client hangs up (`onHangUp`): no AbortController per request. */
  private hangUpListener: (() => void) | undefined;
  headersSent = false;
  /** The response ended (its last byte is queued on the socket). */
  finished = false;
  /** @internal The rest of the request body is dropped (the response ended before it). */
  discarding = false;
  /** @internal The response said `connection: close`. */
  closesConnection = false;
  /** @internal The handler asked to close the connection after the response. */
  wantsClose = false;
  private chunked = false;
  private closed = false;

  constructor(
    private readonly conn: ServerConn,
    readonly method: string,
    readonly target: string,
    readonly headers: Readonly<Record<string, string>>,
    buffers: ReceiveBuffers,
  ) {
    const q = target.indexOf('?');
    this.path = q < 0 ? target : target.slice(0, q);
    this.body = new RequestBody(conn, buffers);
  }

  /**
   * Calls `listener` once if the connection closes before the response ended (at once if it did
   * already). One listener per exchange: a later call replaces it; `undefined` removes it.
   */
  onHangUp(listener: (() => void) | undefined): void {
    if (listener && this.hungUp) {
      listener();
      return;
    }
    this.hangUpListener = listener;
  }

  /** The whole request body has arrived (it may not have been read yet). */
  get bodyComplete(): boolean {
    return this.bodyEnded;
  }

  /** The connection is gone. */
  get destroyed(): boolean {
    return this.closed;
  }

  /** A whole response: status, headers, and `body` with its Content-Length (no body bytes to HEAD). */
  respond(status: number, headers: Readonly<Record<string, string | number>>, body?: Buffer, opts: { close?: boolean } = {}): void {
    if (this.headersSent || this.closed) return;
    if (opts.close) this.wantsClose = true;
    if (!this.bodyEnded) this.discarding = true;
    this.headersSent = true;
    const socket = this.conn.socket;
    socket.cork();
    try {
      this.closesConnection = this.conn.writeHead(this, status, { ...headers, 'content-length': body?.length ?? 0 });
      if (body && body.length > 0 && this.method !== 'HEAD') socket.write(body);
    } finally {
      socket.uncork();
    }
    this.ended();
  }

  /** Starts a chunked response (`trailer` names the trailers `end` may send). */
  writeHead(status: number, headers: Readonly<Record<string, string | number>>): void {
    if (this.headersSent || this.closed) return;
    this.headersSent = true;
    this.chunked = true;
    // The head leaves with what the handler writes before the event loop moves on (its first piece;
    // the trailers too when the body is that one piece): one write, and one wake-up of the reader,
    // instead of three.
    const socket = this.conn.socket;
    socket.cork();
    setImmediate(() => socket.uncork());
    this.closesConnection = this.conn.writeHead(this, status, { ...headers, 'transfer-encoding': 'chunked' });
  }

  /**
   * Writes a piece of a chunked body; `written` runs once the socket is done with it (err on
   * failure). False: wait for `drained` before writing more.
   */
  write(piece: Buffer, written?: (err?: Error | null) => void): boolean {
    if (!this.chunked || this.finished || this.closed) {
      written?.(new Error('the response is not open'));
      return true;
    }
    if (piece.length === 0) {
      written?.();
      return true;
    }
    const socket = this.conn.socket;
    socket.cork();
    socket.write(`${piece.length.toString(16)}\r\n`, 'latin1');
    socket.write(piece, written);
    const ok = socket.write(CRLF);
    socket.uncork();
    return ok;
  }

  /** Resolves once the socket drained or closed, or `ctx`'s call was aborted (its deadline). */
  drained(ctx?: CallCtx): Promise<void> {
    const socket = this.conn.socket;
    if (!socket.writableNeedDrain || this.closed || callAborted(ctx)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        unlisten();
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
      const unlisten = whenAborted(ctx, done);
    });
  }

  /** Ends a chunked response with `trailers`. */
  end(trailers: Readonly<Record<string, string>> = {}): void {
    if (!this.chunked || this.finished || this.closed) return;
    let tail = LAST_CHUNK;
    for (const name in trailers) {
      const v = trailers[name]!;
      if (/[\r\n\0]/.test(v)) throw new Error(`trailer ${name} holds a line break`);
      tail += `${name}: ${v}\r\n`;
    }
    this.conn.socket.write(`${tail}\r\n`, 'latin1');
    if (!this.bodyEnded) this.discarding = true;
    this.ended();
  }

  /** Cuts the connection (a response that cannot be completed). */
  destroy(): void {
    this.conn.destroy();
  }

  private get bodyEnded(): boolean {
    return this.body.arrived;
  }

  private ended(): void {
    this.finished = true;
    if (this.discarding) this.body.abandon();
    this.conn.responded(this);
  }

  /** @internal The connection closed (or the client ended it mid-request). */
  connectionClosed(): void {
    this.closed = true;
    if (!this.finished && !this.hungUp) {
      this.hungUp = true;
      const listener = this.hangUpListener;
      this.hangUpListener = undefined;
      listener?.();
    }
    this.body.fail(new HttpParseError('the connection closed before the request ended'));
  }
}
