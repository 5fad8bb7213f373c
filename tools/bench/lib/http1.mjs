// The load generator's HTTP/1.1 transport: keep-alive connections that read the socket straight into one
// buffer of their own (net.Socket `onread`) and parse responses in place.
//
// Why not node:http: on this 2-core box the load generator shares the CPU with the server it measures,
// and node:http spends ~0.8-1 ms of CPU per MiB of response body (a fresh 64 KiB buffer per socket
// read, a stream 'data' event per piece), against ~0.2 ms here and ~0.4 ms for curl (measured
// 2026-12-06 on a 1 GiB GET). The CPU the client burns is CPU the server does not get, so node:http
// understated every large-GET row, and distributed mode (three processes that can use both cores) more
// than local mode (one event loop).
//
// What it does: one request at a time per connection (no pipelining), request head and body written
// with one cork; responses framed by Content-Length, chunked transfer coding, or the connection's end;
// no body for HEAD, 1xx, 204 and 304. `onData(view)` gets views of the connection's read buffer, valid
// only during the call (compare or hash them there, copy to keep). Anything unexpected (a malformed
// head, bytes after a response, a socket error) fails the request and closes its connection; a
// connection is reused only after a whole response. No retries.
import net from 'node:net';

/** Each connection's read buffer: a 1 MiB body arrives in a handful of reads. */
const READ_BUFFER_BYTES = 256 * 1024;
/** The most a response head may take. */
const MAX_HEAD_BYTES = 64 * 1024;

export class Http1Pool {
  /** At most `maxSockets` connections to host:port; requests past that wait for one (LIFO reuse). */
  constructor({ host, port, maxSockets }) {
    this.host = host;
    this.port = port;
    this.maxSockets = maxSockets;
    this.idle = [];
    this.all = new Set();
    this.waiting = [];
    this.destroyed = false;
  }

  /**
   * Sends `head` (the request line and headers, CRLF-terminated, as a string) and `body` (undefined, a
   * Buffer, or `async (socket) => void` that writes exactly the Content-Length it announced, minding
   * `write`'s return and 'drain', and never ends the socket). Resolves { status, headers, body?, bytes }
   * once the response has been read to its end: `body` is the collected bytes unless `onData` took them.
   */
  async request({ method, head, body, onData }) {
    const conn = await this.acquire();
    let reusable = false;
    try {
      const res = await conn.exchange(method, head, body, onData);
      reusable = res.reusable;
      return res.response;
    } finally {
      this.release(conn, reusable);
    }
  }

  destroy() {
    this.destroyed = true;
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.idle.length = 0;
    for (const w of this.waiting.splice(0)) w.reject(new Error('connection pool destroyed'));
  }

  acquire() {
    if (this.destroyed) return Promise.reject(new Error('connection pool destroyed'));
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.all.size < this.maxSockets) return Promise.resolve(this.connect());
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  release(conn, reusable) {
    if (!reusable || this.destroyed) {
      this.drop(conn);
      conn.socket.destroy();
      if (!this.destroyed && this.waiting.length > 0 && this.all.size < this.maxSockets) this.waiting.shift().resolve(this.connect());
      return;
    }
    const w = this.waiting.shift();
    if (w) w.resolve(conn);
    else this.idle.push(conn);
  }

  connect() {
    const conn = new Connection(this.host, this.port, () => this.drop(conn));
    this.all.add(conn);
    return conn;
  }

  /** Forgets a closed connection (an idle one the server closed included). */
  drop(conn) {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }
}

class Connection {
  constructor(host, port, onClose) {
    this.current = undefined;
    this.closed = false;
    this.socket = net.connect({
      host,
      port,
      noDelay: true,
      onread: { buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES), callback: (n, buf) => this.received(buf, n) },
    });
    this.socket.on('error', (err) => this.current?.fail(err));
    this.socket.on('end', () => this.current?.ended());
    this.socket.on('close', () => {
      this.closed = true;
      this.current?.fail(new Error('connection closed before the response ended'));
      onClose();
    });
  }

  /** One request/response; resolves { response, reusable }. */
  exchange(method, head, body, onData) {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const parser = new ResponseParser(method, onData);
      let bodySent = typeof body !== 'function';
      const finish = () => {
        if (parser.state !== 'done' || this.current !== ex) return;
        this.current = undefined;
        // A response before the whole body was sent (a refusal): answered, but the connection is
        // mid-request, so it is closed (the body writer's next write fails unseen).
        resolve({ response: parser.response(), reusable: parser.keepAlive && bodySent && !this.closed });
      };
      const ex = {
        parser,
        fail: (err) => {
          if (this.current !== ex) return;
          this.current = undefined;
          this.socket.destroy();
          reject(err);
        },
        ended: () => {
          if (this.current !== ex) return;
          if (parser.untilClose && parser.state === 'body') {
            parser.state = 'done';
            parser.keepAlive = false;
            finish();
          } else ex.fail(new Error('connection ended before the response did'));
        },
        parsed: finish,
      };
      this.current = ex;
      this.socket.cork();
      this.socket.write(head, 'latin1');
      if (Buffer.isBuffer(body) && body.length > 0) this.socket.write(body);
      this.socket.uncork();
      if (typeof body === 'function') {
        body(this.socket).then(
          () => {
            bodySent = true;
          },
          (err) => ex.fail(err),
        );
      }
    });
  }

  received(buf, n) {
    const ex = this.current;
    if (!ex) {
      // Nothing asked: a server speaking out of turn. The connection cannot be trusted any more.
      this.socket.destroy();
      return;
    }
    try {
      const used = ex.parser.feed(buf, 0, n);
      if (ex.parser.state === 'done') {
        if (used < n) ex.parser.keepAlive = false; // bytes past the response: never reuse this connection
        ex.parsed();
      }
    } catch (err) {
      ex.fail(err);
    }
  }
}

/**
 * An HTTP/1.1 response, fed as it arrives. `feed` returns how many bytes it used (all of them until
 * the response is done). Throws on a malformed head or chunk framing.
 */
export class ResponseParser {
  constructor(method, onData) {
    this.method = method;
    this.onData = onData;
    this.state = 'head';
    this.headKept = undefined;
    this.headLength = 0;
    this.status = 0;
    this.headers = {};
    this.keepAlive = true;
    this.untilClose = false;
    this.remaining = 0;
    this.chunks = onData ? undefined : [];
    this.bytes = 0;
    this.line = '';
  }

  response() {
    const body = this.chunks === undefined ? undefined : this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.bytes);
    return { status: this.status, headers: this.headers, body, bytes: this.bytes };
  }

  feed(buf, at, end) {
    while (at < end && this.state !== 'done') {
      switch (this.state) {
        case 'head':
          at = this.readHead(buf, at, end);
          break;
        case 'body': {
          const n = this.untilClose ? end - at : Math.min(this.remaining, end - at);
          this.deliver(buf, at, n);
          at += n;
          this.remaining -= n;
          if (!this.untilClose && this.remaining === 0) this.state = 'done';
          break;
        }
        case 'chunk-size':
        case 'chunk-end':
        case 'trailer':
          at = this.readChunkLine(buf, at, end);
          break;
        case 'chunk-data': {
          const n = Math.min(this.remaining, end - at);
          this.deliver(buf, at, n);
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'chunk-end';
          break;
        }
      }
    }
    return at;
  }

  deliver(buf, at, n) {
    if (n === 0) return;
    this.bytes += n;
    const view = buf.subarray(at, at + n);
    if (this.onData) this.onData(view);
    else this.chunks.push(Buffer.from(view));
  }

  readHead(buf, at, end) {
    // The head may span reads: look for CRLFCRLF across what we kept and this read.
    const kept = this.headLength;
    const all = kept === 0 ? buf.subarray(at, end) : Buffer.concat([this.headKept, buf.subarray(at, end)]);
    const stop = all.indexOf('\r\n\r\n', Math.max(0, kept - 3), 'latin1');
    if (stop < 0) {
      if (all.length > MAX_HEAD_BYTES) throw new Error(`a response head over ${MAX_HEAD_BYTES} bytes`);
      this.headKept = Buffer.from(all); // the read buffer is reused: keep a copy
      this.headLength = all.length;
      return end;
    }
    const text = all.toString('latin1', 0, stop);
    this.headKept = undefined;
    this.headLength = 0;
    this.parseHead(text);
    return at + (stop + 4 - kept);
  }

  parseHead(text) {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0]);
    if (!m) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(lines[0].slice(0, 100))}`);
    const status = Number(m[1]);
    const headers = {};
    for (let i = 1; i < lines.length; i++) {
      const c = lines[i].indexOf(':');
      if (c <= 0) throw new Error(`a malformed header line: ${JSON.stringify(lines[i].slice(0, 100))}`);
      const name = lines[i].slice(0, c).trim().toLowerCase();
      const value = lines[i].slice(c + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    if (status < 200) return; // 1xx (100 Continue): an interim head, the real one follows
    this.status = status;
    this.headers = headers;
    if (/\bclose\b/i.test(headers.connection ?? '')) this.keepAlive = false;
    if (this.method === 'HEAD' || status === 204 || status === 304) {
      this.state = 'done';
    } else if (headers['transfer-encoding'] !== undefined) {
      if (!/(^|,)\s*chunked\s*$/i.test(headers['transfer-encoding'])) throw new Error(`transfer-encoding ${headers['transfer-encoding']}`);
      this.state = 'chunk-size';
    } else if (headers['content-length'] !== undefined) {
      if (!/^\d+$/.test(headers['content-length'])) throw new Error(`content-length ${JSON.stringify(headers['content-length'])}`);
      this.remaining = Number(headers['content-length']);
      this.state = this.remaining === 0 ? 'done' : 'body';
    } else {
      this.untilClose = true;
      this.keepAlive = false;
      this.state = 'body';
    }
  }

  /** chunk-size lines, the CRLF after a chunk's data, and trailer lines (up to the empty one). */
  readChunkLine(buf, at, end) {
    const lf = buf.indexOf(10, at);
    const stop = lf < 0 || lf >= end ? end : lf + 1;
    this.line += buf.toString('latin1', at, stop);
    if (this.line.length > 4096) throw new Error('a chunk line over 4096 bytes');
    if (!this.line.endsWith('\n')) return stop;
    const line = this.line.endsWith('\r\n') ? this.line.slice(0, -2) : null;
    this.line = '';
    if (line === null) throw new Error('a chunk line not ended by CRLF');
    if (this.state === 'chunk-end') {
      if (line !== '') throw new Error('no CRLF after a chunk');
      this.state = 'chunk-size';
    } else if (this.state === 'chunk-size') {
      const m = /^([0-9a-fA-F]{1,12})(;.*)?$/.exec(line);
      if (!m) throw new Error(`a malformed chunk size ${JSON.stringify(line.slice(0, 40))}`);
      this.remaining = parseInt(m[1], 16);
      this.state = this.remaining === 0 ? 'trailer' : 'chunk-data';
    } else if (line === '') {
      this.state = 'done'; // the empty line after the trailers
    }
    return stop;
  }
}
