import * as net from 'node:net';
import { ReadConnections, type Exchange } from './read-client';
import { ReceiveBuffers } from './receive-buffers';

const MiB = 1024 * 1024;

/** A raw HTTP/1.1 server: every request (head + content-length body) is answered by `answer`. */
async function rawServer(answer: (socket: net.Socket, n: number) => void): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  let requests = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      for (;;) {
        const headEnd = pending.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(pending.subarray(0, headEnd).toString())?.[1] ?? 0);
        if (pending.length < headEnd + 4 + length) return;
        pending = pending.subarray(headEnd + 4 + length);
        answer(socket, requests++);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function chunkedResponse(body: Buffer, pieces = 4): Buffer {
  const parts: Buffer[] = [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: massive-status\r\n\r\n')];
  const size = Math.ceil(body.length / pieces);
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\nmassive-status: OK\r\n\r\n'));
  return Buffer.concat(parts);
}

function pattern(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

const REQUEST = Buffer.from('POST /v1/blob/read HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\nhi');

async function pieces(ex: Exchange): Promise<Buffer[]> {
  await ex.response();
  const out: Buffer[] = [];
  for (let b = await ex.next(); b !== undefined; b = await ex.next()) out.push(b);
  return out;
}

describe('ReadConnections', () => {
  const bodies = [pattern(3 * MiB, 1), pattern(3 * MiB, 2), pattern(5000, 3)];
  let server: Awaited<ReturnType<typeof rawServer>>;
  let buffers: ReceiveBuffers;
  let conns: ReadConnections;
  beforeEach(async () => {
    server = await rawServer((socket, n) => socket.write(chunkedResponse(bodies[n % bodies.length]!)));
    buffers = new ReceiveBuffers(MiB, 8);
    conns = new ReadConnections({ maxSockets: 4, idleMs: 5_000, buffers });
  });
  afterEach(async () => {
    conns.close();
    await server.close();
  });
  const ep = () => ({ host: '127.0.0.1', port: server.port });

  it('reads responses one after another on one kept connection', async () => {
    for (const want of bodies) {
      const ex = conns.exchange(ep(), REQUEST);
      expect(Buffer.concat(await pieces(ex)).equals(want)).toBe(true);
      expect(ex.trailers).toEqual({ 'massive-status': 'OK' });
    }
    expect([server.connections(), conns.idleCount]).toEqual([1, 1]);
  });

  it('pieces held by the consumer keep their bytes while later reads go on; handed back, the memory is reused', async () => {
    const held = await pieces(conns.exchange(ep(), REQUEST));
    const heldCopy = Buffer.concat(held.map((b) => Buffer.from(b)));
    // Large pieces are views of pooled buffers: the next response must not land in them.
    expect(held.some((b) => b.buffer.byteLength === MiB)).toBe(true);
    const secondPieces = await pieces(conns.exchange(ep(), REQUEST));
    expect(Buffer.concat(secondPieces).equals(bodies[1]!)).toBe(true);
    expect(Buffer.concat(held).equals(heldCopy)).toBe(true);
    expect(heldCopy.equals(bodies[0]!)).toBe(true);
    const heldMemory = new Set(held.map((b) => b.buffer));
    expect(secondPieces.filter((b) => heldMemory.has(b.buffer))).toEqual([]);
    const reusedBefore = buffers.reused;
    for (const b of held) buffers.release(b);
    expect(buffers.idle).toBeGreaterThan(0);
    const third = await pieces(conns.exchange(ep(), REQUEST)); // bodies[2]: small, copied out
    const fourth = await pieces(conns.exchange(ep(), REQUEST));
    expect(Buffer.concat(third).equals(bodies[2]!)).toBe(true);
    expect(Buffer.concat(fourth).equals(bodies[0]!)).toBe(true);
    expect(buffers.reused).toBeGreaterThan(reusedBefore);
    expect(fourth.some((b) => heldMemory.has(b.buffer))).toBe(true);
  });

  it('small pieces are copies: handing them back does nothing', async () => {
    const got = await pieces(conns.exchange(ep(), REQUEST));
    await pieces(conns.exchange(ep(), REQUEST));
    const small = await pieces(conns.exchange(ep(), REQUEST));
    const idle = buffers.idle;
    for (const b of small) {
      expect(b.buffer.byteLength).toBeLessThan(MiB);
      buffers.release(b);
    }
    expect(buffers.idle).toBe(idle);
    void got;
  });

  it('a kept connection the server closes as the next request arrives: the request goes out again on a new one', async () => {
    await server.close();
    // Each connection answers its first request and closes on the second, unanswered (the race of
    // an idle timeout on the server against a client reusing the connection).
    const served = new WeakSet<net.Socket>();
    server = await rawServer((socket) => {
      if (served.has(socket)) return void socket.destroy();
      served.add(socket);
      socket.write(chunkedResponse(bodies[2]!));
    });
    await pieces(conns.exchange(ep(), REQUEST));
    const again = await pieces(conns.exchange(ep(), REQUEST));
    expect(Buffer.concat(again).equals(bodies[2]!)).toBe(true);
    expect(server.connections()).toBe(2);
  });

  it('a kept connection the server closed while idle is dropped, not used', async () => {
    await pieces(conns.exchange(ep(), REQUEST));
    await server.close();
    server = await rawServer((socket) => socket.write(chunkedResponse(bodies[2]!)));
    await new Promise((r) => setTimeout(r, 50));
    expect(conns.idleCount).toBe(0);
    expect(Buffer.concat(await pieces(conns.exchange(ep(), REQUEST))).equals(bodies[2]!)).toBe(true);
  });

  it('a new connection that fails before answering is not retried', async () => {
    await server.close();
    server = await rawServer((socket) => socket.destroy());
    await expect(pieces(conns.exchange(ep(), REQUEST))).rejects.toThrow(/closed/);
    expect(server.connections()).toBe(1);
  });

  it('a consumer that stops pulling stops the reading: the connection pauses at about a MiB queued', async () => {
    await server.close();
    const big = pattern(64 * MiB, 5);
    let written = 0;
    server = await rawServer((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${big.length}\r\n\r\n`);
      const pump = (): void => {
        while (written < big.length) {
          const ok = socket.write(big.subarray(written, written + 256 * 1024));
          written += 256 * 1024;
          if (!ok) return void socket.once('drain', pump);
        }
      };
      pump();
    });
    const ex = conns.exchange(ep(), REQUEST);
    await ex.response();
    await new Promise((r) => setTimeout(r, 300));
    // Kernel socket buffers on both ends hold some MiB; the client itself at most ~2.
    expect(written).toBeLessThan(24 * MiB);
    ex.close(new Error('enough'));
  });

  it('at most maxSockets connections per endpoint: later exchanges wait for one', async () => {
    conns.close();
    conns = new ReadConnections({ maxSockets: 1, idleMs: 5_000, buffers });
    const all = await Promise.all([0, 1, 2].map(() => pieces(conns.exchange(ep(), REQUEST))));
    expect(all.map((p) => Buffer.concat(p).length).sort()).toEqual([3 * MiB, 3 * MiB, 5000].sort());
    expect(server.connections()).toBe(1);
  });

  it('a closed exchange closes its connection unless its response had ended', async () => {
    const ex = conns.exchange(ep(), REQUEST);
    await ex.response();
    await ex.next();
    ex.close(new Error('stop'));
    await expect(ex.next()).rejects.toThrow('stop');
    await new Promise((r) => setTimeout(r, 50));
    expect(conns.idleCount).toBe(0);
    const done = conns.exchange(ep(), REQUEST);
    await pieces(done);
    done.close(new Error('late'));
    expect(conns.idleCount).toBe(1);
  });

  it('keeps at most 64 idle connections per endpoint; the rest close when their exchange ends', async () => {
    await server.close();
    // Answers only once 70 requests are in: 70 connections busy at once.
    const held: net.Socket[] = [];
    server = await rawServer((socket) => {
      held.push(socket);
      if (held.length === 70) for (const s of held) s.write(chunkedResponse(bodies[2]!));
    });
    conns.close();
    conns = new ReadConnections({ maxSockets: 100, idleMs: 5_000, buffers });
    const all = await Promise.all(Array.from({ length: 70 }, () => pieces(conns.exchange(ep(), REQUEST))));
    expect(all.every((p) => Buffer.concat(p).equals(bodies[2]!))).toBe(true);
    expect([server.connections(), conns.idleCount]).toEqual([70, 64]);
  });

  it('idle connections close after idleMs', async () => {
    conns.close();
    conns = new ReadConnections({ maxSockets: 4, idleMs: 50, buffers });
    await pieces(conns.exchange(ep(), REQUEST));
    expect(conns.idleCount).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(conns.idleCount).toBe(0);
  });

  it('a malformed response fails the exchange and its connection is not kept', async () => {
    await server.close();
    server = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n'));
    await expect(pieces(conns.exchange(ep(), REQUEST))).rejects.toThrow(/malformed chunk size/);
    await new Promise((r) => setTimeout(r, 50));
    expect(conns.idleCount).toBe(0);
  });
});

describe('ReceiveBuffers', () => {
  it('a buffer returns to the pool only once the socket moved on and every view was handed back, each once', () => {
    const pool = new ReceiveBuffers(1024, 4);
    const a = pool.forReading();
    const v1 = pool.lend(a, 0, 100);
    const v2 = pool.lend(a, 200, 300);
    expect(pool.inUse(a)).toBe(true);
    pool.release(v1);
    pool.release(v1); // twice: ignored
    pool.release(a.subarray(200, 300)); // an equal view that was not lent: ignored
    expect(pool.idle).toBe(0);
    pool.release(v2);
    expect([pool.inUse(a), pool.idle]).toEqual([false, 0]); // still read into
    pool.doneReading(a);
    expect(pool.idle).toBe(1);
    expect(pool.forReading()).toBe(a);
    expect(pool.reused).toBe(1);
  });

  it('keeps at most maxFree idle buffers', () => {
    const pool = new ReceiveBuffers(16, 2);
    const bufs = [pool.forReading(), pool.forReading(), pool.forReading()];
    for (const b of bufs) pool.doneReading(b);
    expect(pool.idle).toBe(2);
  });
});
