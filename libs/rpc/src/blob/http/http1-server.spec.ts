import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import { Http1Server, type Http1Handler, type ServerExchange } from './http1-server';
import { ReceiveBuffers } from './receive-buffers';

const MiB = 1024 * 1024;

/** A raw client connection: what it sent and everything it received, as text. */
class Raw {
  readonly socket: net.Socket;
  received = '';
  ended = false;
  closed = false;
  private waiters: (() => void)[] = [];

  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port });
    this.socket.on('data', (b) => {
      this.received += b.toString('latin1');
      this.wake();
    });
    this.socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Waits until `ok()` holds (checked after every event). */
  async until(ok: () => boolean): Promise<void> {
    while (!ok()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Responses received so far (heads start with "HTTP/1.1 "). */
  get statuses(): number[] {
    return [...this.received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

describe('Http1Server (the blob data path server)', () => {
  let server: Http1Server;
  let port: number;
  let buffers: ReceiveBuffers;
  let handler: Http1Handler;
  const raws: Raw[] = [];
  const connect = (): Raw => {
    const r = new Raw(port);
    raws.push(r);
    return r;
  };

  beforeEach(async () => {
    buffers = new ReceiveBuffers(MiB, 8);
    server = new Http1Server({ buffers, idleMs: 60_000 }, (ex) => handler(ex));
    port = await server.listen('127.0.0.1', 0);
  });
  afterEach(async () => {
    for (const r of raws.splice(0)) r.socket.destroy();
    await server.shutdown(100);
  });

  /** Echo: reads the body whole, answers its length and MD5. */
  const echo: Http1Handler = async (ex) => {
    let n = 0;
    const md5 = createHash('md5');
    for await (const piece of ex.body) {
      n += piece.length;
      md5.update(piece);
      ex.body.release(piece);
    }
    ex.respond(200, { 'content-type': 'text/plain' }, Buffer.from(`${ex.method} ${ex.path} ${n} ${md5.digest('hex')}`));
  };
  const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

  it("Node's http client: keep-alive requests with Content-Length and chunked bodies", async () => {
    handler = echo;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const put = (body: Buffer, chunked: boolean) =>
      new Promise<string>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/w?q=1', agent, headers: chunked ? {} : { 'content-length': body.length } }, (res) => {
          let text = '';
          res.on('data', (b: Buffer) => (text += b.toString()));
          res.on('end', () => resolve(`${res.statusCode} ${text}`));
        });
        req.on('error', reject);
        if (chunked) {
          for (let i = 0; i < body.length; i += 100_000) req.write(body.subarray(i, i + 100_000));
          req.end();
        } else req.end(body);
      });
    const body = Buffer.alloc(3 * MiB + 17);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32LE(i, i - (i + 4 > body.length ? 4 : 0));
    expect(await put(body, false)).toBe(`200 PUT /w ${body.length} ${md5(body)}`);
    expect(await put(body, true)).toBe(`200 PUT /w ${body.length} ${md5(body)}`);
    expect(await put(Buffer.alloc(0), false)).toBe(`200 PUT /w 0 ${md5(Buffer.alloc(0))}`);
    expect(server.connections).toBe(1);
    agent.destroy();
  });

  it('body pieces are views of pooled buffers, filled read after read, and handed-back buffers serve the next requests', async () => {
    const seen = new Set<ArrayBufferLike>();
    let pieces = 0;
    handler = async (ex) => {
      for await (const piece of ex.body) {
        pieces++;
        seen.add(piece.buffer);
        ex.body.release(piece);
      }
      ex.respond(200, {}, undefined);
    };
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 8; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/', agent }, (res) => res.resume().on('end', resolve));
        req.on('error', reject);
        req.end(Buffer.alloc(2 * MiB, i));
      });
    }
    agent.destroy();
    // 16 MiB arrived in many reads, but few distinct buffers held them: several reads share one, and
    // released buffers came back from the pool.
    expect(pieces).toBeGreaterThan(seen.size);
    expect(seen.size).toBeLessThan(16);
    expect(buffers.reused).toBeGreaterThan(0);
  });

  it('bytes of a next request that arrive with the first (pipelining) are answered after it, in order', async () => {
    handler = echo;
    const r = connect();
    r.socket.write('PUT /a HTTP/1.1\r\ncontent-length: 3\r\n\r\nabcPUT /b HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\nGET /c HTTP/1.1\r\n\r\n');
    await r.until(() => r.statuses.length === 3);
    expect(r.received).toMatch(/PUT \/a 3 [\s\S]*PUT \/b 2 [\s\S]*GET \/c 0 /);
    expect(r.received).not.toMatch(/connection: close/);
  });

  it('a response before the body was read says connection: close; the client reads it (no reset) and the rest is dropped', async () => {
    handler = (ex) => ex.respond(401, {}, Buffer.from('no'));
    const r = connect();
    r.socket.write('PUT /w HTTP/1.1\r\ncontent-length: 10000000\r\n\r\n');
    for (let i = 0; i < 40; i++) r.socket.write(Buffer.alloc(64 * 1024));
    await r.until(() => r.ended);
    expect(r.received).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n[\s\S]*connection: close\r\n\r\nno$/);
  });

  it('Expect: 100-continue gets the interim response before the body is sent', async () => {
    handler = echo;
    const r = connect();
    r.socket.write('PUT /w HTTP/1.1\r\ncontent-length: 4\r\nexpect: 100-continue\r\n\r\n');
    await r.until(() => r.received.includes('100 Continue'));
    r.socket.write('abcd');
    await r.until(() => r.statuses.includes(200));
    expect(r.received).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*PUT \/w 4 /);
  });

  it('a malformed request is answered 400 and the connection closed, before any handler', async () => {
    let called = 0;
    handler = () => void called++;
    for (const bad of ['NOT HTTP AT ALL\r\n\r\n', 'PUT / HTTP/1.1\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n']) {
      const r = connect();
      r.socket.write(bad);
      await r.until(() => r.closed || r.ended);
      expect(r.received).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*connection: close/);
    }
    expect(called).toBe(0);
  });

  it('malformed chunk framing mid-body fails the body the handler reads; its answer closes the connection', async () => {
    let failure: unknown;
    handler = async (ex) => {
      try {
        for await (const p of ex.body) ex.body.release(p);
      } catch (e) {
        failure = e;
      }
      ex.respond(400, {}, Buffer.from('bad body'));
    };
    const r = connect();
    r.socket.write('PUT /w HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\nnope\r\n');
    await r.until(() => r.ended || r.closed);
    expect(String(failure)).toMatch(/malformed chunk size/);
    expect(r.received).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*connection: close[\s\S]*bad body$/);
  });

  it('a handler that does not read holds the client back: the server stops reading past ~1 MiB queued', async () => {
    let ex: ServerExchange | undefined;
    handler = (e) => void (ex = e);
    const r = connect();
    r.socket.write('PUT /w HTTP/1.1\r\ncontent-length: 67108864\r\n\r\n');
    const chunk = Buffer.alloc(MiB);
    let sent = 0;
    const pump = async () => {
      while (sent < 64 * MiB) {
        sent += chunk.length;
        if (!r.socket.write(chunk)) await new Promise((resolve) => r.socket.once('drain', resolve));
      }
    };
    void pump();
    while (ex === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = sent;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Stalled: nothing more was taken, and the server holds about one high-water mark of body.
    expect(sent).toBe(before);
    expect(sent).toBeLessThan(40 * MiB);
    expect(ex!.body.queued).toBeLessThanOrEqual(2 * MiB);
    // Reading resumes it to the end.
    let n = 0;
    for await (const p of ex!.body) {
      n += p.length;
      ex!.body.release(p);
    }
    expect(n).toBe(64 * MiB);
    ex!.respond(200, {}, undefined);
    await r.until(() => r.statuses.includes(200));
  });

  it('a client that half-closes after its request still gets the answer, then the connection closes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    handler = async (ex) => {
      await gate; // the FIN arrives before the answer
      await echo(ex);
    };
    const r = connect();
    r.socket.end('PUT /h HTTP/1.1\r\ncontent-length: 2\r\n\r\nhi');
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await r.until(() => r.ended);
    expect(r.received).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*connection: close[\s\S]*PUT \/h 2 /);
  });

  it('a client that hangs up mid-body: the body fails and the exchange is marked hung up, its listener told once', async () => {
    let ex: ServerExchange | undefined;
    let failure: unknown;
    let told = 0;
    const over = new Promise<void>((resolve) => {
      handler = async (e) => {
        ex = e;
        e.onHangUp(() => told++);
        try {
          for await (const p of e.body) e.body.release(p);
        } catch (err) {
          failure = err;
        }
        resolve();
      };
    });
    const r = connect();
    r.socket.write('PUT /w HTTP/1.1\r\ncontent-length: 1000000\r\n\r\nabc');
    await new Promise((resolve) => setTimeout(resolve, 50));
    r.socket.destroy();
    await over;
    expect(failure).toBeDefined();
    expect(ex!.hungUp).toBe(true);
    expect(told).toBe(1);
    // A listener registered after the hang-up is told at once.
    ex!.onHangUp(() => told++);
    expect(told).toBe(2);
  });

  it('shutdown closes idle connections at once and lets a busy one finish with connection: close', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    handler = async (ex) => {
      await gate;
      ex.respond(200, {}, Buffer.from('done'));
    };
    const idle = connect();
    const busy = connect();
    busy.socket.write('GET /slow HTTP/1.1\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const down = server.shutdown(5000);
    await idle.until(() => idle.closed);
    expect(busy.closed).toBe(false);
    release();
    await busy.until(() => busy.ended);
    expect(busy.received).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*connection: close[\s\S]*done$/);
    await down;
    expect(server.connections).toBe(0);
  });

  it('a chunked response with trailers; write callbacks run once the socket is done with each piece', async () => {
    const written: number[] = [];
    handler = async (ex) => {
      ex.writeHead(200, { trailer: 'x-status' });
      for (let i = 1; i <= 3; i++) if (!ex.write(Buffer.alloc(i * 1000, 97), () => written.push(i))) await ex.drained();
      ex.end({ 'x-status': 'OK' });
    };
    const res = await new Promise<{ body: number; trailers: NodeJS.Dict<string> }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/r', agent: false }, (r) => {
          let body = 0;
          r.on('data', (b: Buffer) => (body += b.length));
          r.on('end', () => resolve({ body, trailers: r.trailers }));
        })
        .on('error', reject);
    });
    expect(res).toEqual({ body: 6000, trailers: { 'x-status': 'OK' } });
    expect(written).toEqual([1, 2, 3]);
  });

  it('a HEAD response carries the length but no body', async () => {
    handler = (ex) => ex.respond(200, { 'content-type': 'text/plain' }, Buffer.from('serving'));
    const r = connect();
    r.socket.write('HEAD /v1/health HTTP/1.1\r\n\r\nGET /v1/health HTTP/1.1\r\n\r\n');
    await r.until(() => r.statuses.length === 2 && r.received.endsWith('serving'));
    expect(r.received).toMatch(/^HTTP\/1\.1 200 OK\r\ncontent-type: text\/plain\r\ncontent-length: 7\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  });

  it('the head leaves with the first piece, and a one-piece body with its trailers too: one socket write', async () => {
    // What the server's sockets hand the kernel: one entry per _write/_writev call.
    const calls: { socket: net.Socket; bytes: string }[] = [];
    const proto = net.Socket.prototype as unknown as {
      _write(chunk: Buffer, enc: string, cb: () => void): void;
      _writev(chunks: { chunk: Buffer | string }[], cb: () => void): void;
    };
    const write = proto._write;
    const writev = proto._writev;
    jest.spyOn(proto, '_write').mockImplementation(function (this: net.Socket, chunk, enc, cb) {
      calls.push({ socket: this, bytes: chunk.toString('latin1') });
      return write.call(this, chunk, enc, cb);
    });
    jest.spyOn(proto, '_writev').mockImplementation(function (this: net.Socket, chunks, cb) {
      calls.push({ socket: this, bytes: chunks.map((c) => (typeof c.chunk === 'string' ? c.chunk : c.chunk.toString('latin1'))).join('') });
      return writev.call(this, chunks, cb);
    });
    try {
      handler = async (ex) => {
        ex.writeHead(200, { trailer: 'x-status' });
        ex.write(Buffer.from('one'));
        await Promise.resolve(); // the next piece's read says "done" without I/O
        if (ex.path === '/two') {
          await new Promise((r) => setTimeout(r, 5)); // a later piece waits for the disk
          ex.write(Buffer.from('two'));
        }
        ex.end({ 'x-status': 'OK' });
      };
      const r = connect();
      r.socket.write('GET /one HTTP/1.1\r\n\r\n');
      await r.until(() => r.received.endsWith('x-status: OK\r\n\r\n'));
      const served = () => calls.filter((c) => c.socket !== r.socket).map((c) => c.bytes);
      expect(served()).toEqual(['HTTP/1.1 200 OK\r\ntrailer: x-status\r\ntransfer-encoding: chunked\r\n\r\n3\r\none\r\n0\r\nx-status: OK\r\n\r\n']);
      calls.length = 0;
      r.received = '';
      r.socket.write('GET /two HTTP/1.1\r\n\r\n');
      await r.until(() => r.received.endsWith('x-status: OK\r\n\r\n'));
      expect(served()).toEqual([
        'HTTP/1.1 200 OK\r\ntrailer: x-status\r\ntransfer-encoding: chunked\r\n\r\n3\r\none\r\n',
        '3\r\ntwo\r\n',
        '0\r\nx-status: OK\r\n\r\n',
      ]);
      // A whole read piece (1 MiB) is taken without waiting for 'drain', the way the data server
      // writes (waiting when write says so): its trailers still leave in the same write.
      handler = async (ex) => {
        ex.writeHead(200, { trailer: 'x-status' });
        if (!ex.write(Buffer.alloc(MiB, 120))) await ex.drained();
        await Promise.resolve();
        ex.end({ 'x-status': 'OK' });
      };
      calls.length = 0;
      r.received = '';
      r.socket.write('GET /big HTTP/1.1\r\n\r\n');
      await r.until(() => r.received.endsWith('x-status: OK\r\n\r\n'));
      const big = served();
      expect(big).toHaveLength(1);
      expect(big[0]!.endsWith('\r\n0\r\nx-status: OK\r\n\r\n')).toBe(true);
    } finally {
      jest.restoreAllMocks();
    }
  });
});
