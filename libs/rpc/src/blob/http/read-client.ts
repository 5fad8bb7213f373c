import * as net from 'node:net';
import * as tls from 'node:tls';
import type { TlsMaterial } from '../../security/rpc-security';
import type { ReceiveBuffers } from './receive-buffers';
import { ResponseParser, type ResponseSink } from './http1-parser';
import { probeIdle } from '../../tcp-keepalive';

/**
 * HTTP/1.1 exchanges on keep-alive connections whose socket reads land in pooled buffers (Node's
 * `onread`), parsed by ResponseParser: body bytes reach the consumer as views of the read's buffer,
 * handed back through `ReceiveBuffers.release` once the consumer is done with them. The blob data
 * client reads object bodies through this (a 1 MiB GET's body arrives in a few large reads instead of
 * sixteen fresh 64 KiB buffers); writes keep Node's http client.
 *
 * Connections per endpoint are capped (`maxSockets`; later requests wait for one), idle ones are kept
 * (most recently used first), unref'd, and closed after `idleMs`. A request that fails before a byte
 * of response on a connection that had already served one (the server closed it while idle: the
 * race every keep-alive client has) is sent once more on a new connection: only for requests that are
 * safe to repeat, which is all this client sends.
 */
export interface ReadConnectionsOptions {
  readonly tls?: TlsMaterial;
  readonly maxSockets: number;
  readonly idleMs: number;
  readonly buffers: ReceiveBuffers;
}

/** Body pieces under this many bytes are copied out, so a small piece never holds a whole buffer. */
const LEND_FROM = 64 * 1024;
/**
 * Between responses a connection reads into a small buffer of its own: a response's head and a small
 * body fit, and an idle connection holds no pooled buffer. Pieces from it are always copied out.
 */
const FIRST_READ_SIZE = 16 * 1024;
/** Idle connections kept per endpoint (more are closed when their exchange ends). */
const MAX_IDLE_PER_ENDPOINT = 64;

export class ReadConnections {
  private readonly idle = new Map<string, Conn[]>();
  private readonly open = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private closed = false;

  constructor(readonly opts: ReadConnectionsOptions) {}

  /** Sends `request` (head and body bytes) to `ep`; the exchange delivers the response. */
  exchange(ep: { readonly host: string; readonly port: number }, request: Buffer): Exchange {
    const ex = new Exchange(this, ep, request);
    ex.begin();
    return ex;
  }

  /** Closes every connection; later exchanges fail. */
  close(): void {
    this.closed = true;
    for (const conns of this.idle.values()) for (const c of conns) c.destroy();
    this.idle.clear();
    for (const ws of this.waiting.values()) for (const w of ws) w();
    this.waiting.clear();
  }

  /** Idle connections kept, over all endpoints. */
  get idleCount(): number {
    let n = 0;
    for (const conns of this.idle.values()) n += conns.length;
    return n;
  }

  /** @internal An idle connection to `ep`, or a new one (`fresh`: always new), waiting while `maxSockets` are busy. */
  async checkout(ep: { readonly host: string; readonly port: number }, fresh: boolean, gone: () => boolean): Promise<Conn | undefined> {
    const key = `${ep.host}:${ep.port}`;
    for (;;) {
      if (this.closed) throw new Error('client closed');
      if (gone()) {
        this.wake(key); // the wake-up this waiter may have taken is someone else's now
        return undefined;
      }
      const reuse = fresh ? undefined : this.idle.get(key)?.pop();
      if (reuse?.dead) continue; // closing: its 'close' has not come yet
      if (reuse) {
        reuse.socket.ref();
        reuse.socket.setTimeout(0);
        return reuse;
      }
      const n = this.open.get(key) ?? 0;
      if (n < this.opts.maxSockets) {
        this.open.set(key, n + 1);
        return new Conn(this, ep, key);
      }
      await new Promise<void>((resolve) => {
        const ws = this.waiting.get(key);
        if (ws) ws.push(resolve);
        else this.waiting.set(key, [resolve]);
      });
    }
  }

  /** @internal A connection done with its exchange: kept for the next one, or closed. */
  checkin(conn: Conn, reusable: boolean, served = true): void {
    const conns = this.idle.get(conn.key);
    if (!reusable || this.closed || conn.dead || (conns?.length ?? 0) >= MAX_IDLE_PER_ENDPOINT) {
      conn.destroy();
      return;
    }
    if (served) conn.served++;
    conn.socket.setTimeout(this.opts.idleMs);
    conn.socket.unref();
    if (conns) conns.push(conn);
    else this.idle.set(conn.key, [conn]);
    this.wake(conn.key);
  }

  /** @internal A connection closed: out of the idle list and the count; a waiter may open another. */
  gone(conn: Conn): void {
    const conns = this.idle.get(conn.key);
    const i = conns?.indexOf(conn) ?? -1;
    if (i >= 0) conns!.splice(i, 1);
    this.open.set(conn.key, Math.max(0, (this.open.get(conn.key) ?? 1) - 1));
    this.wake(conn.key);
  }

  private wake(key: string): void {
    this.waiting.get(key)?.shift()?.();
  }
}

/** @internal One keep-alive connection. */
export class Conn {
  readonly socket: net.Socket;
  /** The pooled buffer the socket reads into next, if not `small`. */
  private buf: Buffer | undefined;
  /** This connection's own buffer for the first read of a response (FIRST_READ_SIZE). */
  private readonly small = Buffer.allocUnsafeSlow(FIRST_READ_SIZE);
  exchange: Exchange | undefined;
  /** Responses completed on it. */
  served = 0;
  dead = false;
  paused = false;

  constructor(
    private readonly pool: ReadConnections,
    ep: { readonly host: string; readonly port: number },
    readonly key: string,
  ) {
    const onread = { buffer: () => this.nextBuffer(), callback: (n: number, b: Buffer) => this.onRead(n, b) };
    const t = pool.opts.tls;
    this.socket = t
      ? tls.connect({ host: ep.host, port: ep.port, ca: t.ca, cert: t.cert, key: t.key, servername: t.serverName ?? (net.isIP(ep.host) === 0 ? ep.host : undefined), onread } as tls.ConnectionOptions)
      : net.connect({ host: ep.host, port: ep.port, onread });
    this.socket.setNoDelay(true);
    probeIdle(this.socket);
    this.socket.on('error', (e) => this.exchange?.transportFailed(this, e));
    this.socket.on('end', () => this.exchange?.eof(this));
    this.socket.on('timeout', () => this.destroy());
    this.socket.on('close', () => this.closed());
  }

  /**
   * Where the next read lands: between responses, the connection's small buffer; during a body, a
   * pooled one, the same as before unless views of it are out (then another from the pool).
   */
  private nextBuffer(): Buffer {
    const { buffers } = this.pool.opts;
    const cur = this.buf;
    if (!this.exchange?.inBody) {
      if (cur) buffers.doneReading(cur);
      this.buf = undefined;
      return this.small;
    }
    if (cur && !buffers.inUse(cur)) return cur;
    if (cur) buffers.doneReading(cur);
    this.buf = buffers.forReading();
    return this.buf;
  }

  private onRead(n: number, buf: Buffer): boolean {
    const ex = this.exchange;
    if (ex) return ex.received(this, buf, n);
    // Bytes nobody asked for (an idle connection): the server is not speaking our HTTP.
    this.destroy();
    return false;
  }

  resume(): void {
    if (!this.paused || this.dead) return;
    this.paused = false;
    this.socket.resume();
  }

  destroy(err?: Error): void {
    this.dead = true;
    this.socket.destroy(err);
  }

  private closed(): void {
    this.dead = true;
    if (this.buf) this.pool.opts.buffers.doneReading(this.buf);
    this.buf = undefined;
    this.exchange?.transportFailed(this, new Error('connection closed'));
    this.pool.gone(this);
  }
}

/** Unconsumed body bytes past which the connection stops reading until the consumer catches up. */
const HIGH_WATER = 1024 * 1024;

/**
 * One request and its response: `response()` waits for the status and headers, `next()` yields body
 * pieces (lent views or copies), `close()` stops it (the connection is closed unless the response
 * had already been read to its end).
 */
export class Exchange implements ResponseSink {
  status = 0;
  headers: Readonly<Record<string, string>> = {};
  trailers: Readonly<Record<string, string>> | undefined;
  private readonly parser: ResponseParser;
  private conn: Conn | undefined;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private failure: unknown;
  private gotHead = false;
  private ended = false;
  private bytesIn = 0;
  private retried = false;
  private waiter: (() => void) | undefined;

  constructor(
    private readonly pool: ReadConnections,
    private readonly ep: { readonly host: string; readonly port: number },
    private readonly request: Buffer,
  ) {
    this.parser = new ResponseParser(this);
  }

  /** @internal */
  begin(): void {
    this.pool.checkout(this.ep, this.retried, () => this.failure !== undefined).then(
      (conn) => {
        if (!conn) return;
        if (this.failure !== undefined) return this.pool.checkin(conn, !conn.dead, false);
        this.conn = conn;
        conn.exchange = this;
        conn.socket.write(this.request);
      },
      (e: unknown) => this.fail(e),
    );
  }

  /** Resolves once the status and headers arrived. */
  async response(): Promise<void> {
    while (!this.gotHead) {
      if (this.failure !== undefined) throw this.failure;
      await this.wait();
    }
  }

  /** The next body piece, or undefined once the body ended (trailers set). Rejects with the failure. */
  async next(): Promise<Buffer | undefined> {
    for (;;) {
      const piece = this.queue.shift();
      if (piece) {
        this.queued -= piece.length;
        return piece;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return undefined;
      this.conn?.resume();
      await this.wait();
    }
  }

  /** The rest of the body as text (an error response's message), at most `limit` bytes. */
  async text(limit: number): Promise<string> {
    const parts: Buffer[] = [];
    let n = 0;
    for (let b = await this.next(); b !== undefined; b = await this.next()) {
      n += b.length;
      if (n > limit) throw new Error(`a response body over ${limit} bytes`);
      parts.push(Buffer.from(b));
      this.pool.opts.buffers.release(b);
    }
    return Buffer.concat(parts, n).toString('utf8');
  }

  /** Stops the exchange (`reason`: what pending and later calls reject with). */
  close(reason: unknown): void {
    this.fail(reason);
  }

  // ResponseSink: called by the parser during `received`.
  head(status: number, headers: Readonly<Record<string, string>>): void {
    this.status = status;
    this.headers = headers;
    this.gotHead = true;
  }

  /** @internal The head arrived and the body has not ended: worth reading into pooled buffers. */
  get inBody(): boolean {
    return this.gotHead && !this.ended;
  }

  data(buf: Buffer, start: number, end: number): void {
    const piece = end - start >= LEND_FROM && buf.length > FIRST_READ_SIZE ? this.pool.opts.buffers.lend(buf, start, end) : Buffer.from(buf.subarray(start, end));
    this.queue.push(piece);
    this.queued += piece.length;
  }

  end(trailers: Readonly<Record<string, string>>): void {
    this.trailers = trailers;
    this.ended = true;
  }

  /** @internal Bytes read on `conn`: false pauses the connection (the consumer is behind). */
  received(conn: Conn, buf: Buffer, n: number): boolean {
    this.bytesIn += n;
    let at: number;
    try {
      at = this.parser.feed(buf, 0, n);
    } catch (e) {
      this.fail(e);
      return false;
    }
    if (this.parser.done) this.release(conn, at === n && this.parser.reusable);
    this.notify();
    if (!this.parser.done && this.queued >= HIGH_WATER) {
      conn.paused = true;
      return false;
    }
    return true;
  }

  /** @internal EOF on `conn`: completes a close-delimited body, else the response was cut. */
  eof(conn: Conn): void {
    if (this.conn !== conn) return;
    try {
      this.parser.eof();
    } catch (e) {
      return this.transportFailed(conn, e);
    }
    this.release(conn, false);
    this.notify();
  }

  /** @internal `conn` failed or closed under this exchange. */
  transportFailed(conn: Conn, err: unknown): void {
    if (this.conn !== conn) return;
    this.conn = undefined;
    conn.exchange = undefined;
    conn.destroy();
    // A kept connection the server had closed meanwhile: nothing was answered, so ask again, once.
    if (this.bytesIn === 0 && conn.served > 0 && !this.retried && this.failure === undefined) {
      this.retried = true;
      this.begin();
      return;
    }
    this.fail(err);
  }

  private release(conn: Conn, reusable: boolean): void {
    this.conn = undefined;
    conn.exchange = undefined;
    this.pool.checkin(conn, reusable);
  }

  private fail(err: unknown): void {
    if (this.failure === undefined && !(this.ended && this.conn === undefined)) this.failure = err ?? new Error('exchange closed');
    const conn = this.conn;
    if (conn) {
      this.conn = undefined;
      conn.exchange = undefined;
      conn.destroy();
    }
    this.notify();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => (this.waiter = resolve));
  }

  private notify(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
