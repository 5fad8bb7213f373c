import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { WriteBatch } from './write-batch';

/** A Writable that records each write call and each writev (a corked batch arrives as one). */
function recorder(highWaterMark = 16 * 1024) {
  const writes: number[] = [];
  const flushes: number[][] = [];
  let hold: (() => void) | undefined;
  const out = new Writable({
    highWaterMark,
    writev(chunks, cb) {
      flushes.push(chunks.map((c) => (c.chunk as Buffer).length));
      hold = cb;
    },
    write(chunk: Buffer, _enc, cb) {
      flushes.push([chunk.length]);
      hold = cb;
    },
  });
  const write = out.write.bind(out);
  out.write = ((chunk: Buffer, ...rest: never[]) => {
    writes.push(chunk.length);
    return write(chunk, ...rest);
  }) as typeof out.write;
  return { out, writes, flushes, release: () => hold?.() };
}

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('WriteBatch', () => {
  it('writes the pieces of one event-loop turn together, in order, at the check phase', async () => {
    const { out, flushes, release } = recorder(64 * 1024 * 1024);
    const b = new WriteBatch(out, 1024 * 1024);
    for (let i = 0; i < 5; i++) b.add(Buffer.alloc(1000 + i));
    b.add(Buffer.alloc(0));
    expect(flushes).toEqual([]);
    await turn();
    expect(flushes).toEqual([[1000, 1001, 1002, 1003, 1004]]);
    release();
    b.add(Buffer.alloc(7));
    await turn();
    expect(flushes).toEqual([[1000, 1001, 1002, 1003, 1004], [7]]);
  });

  it('writes at once when a batch reaches its size, and on flush()', async () => {
    const { out, writes } = recorder(64 * 1024 * 1024);
    const b = new WriteBatch(out, 3000);
    b.add(Buffer.alloc(1000));
    b.add(Buffer.alloc(1000));
    expect(writes).toEqual([]);
    b.add(Buffer.alloc(1000));
    expect(writes).toEqual([1000, 1000, 1000]);
    b.add(Buffer.alloc(10));
    b.flush();
    expect(writes).toEqual([1000, 1000, 1000, 10]);
    await turn();
    expect(writes).toHaveLength(4); // the scheduled flush found nothing left
  });

  it('says blocked once the stream is full, until it drains', async () => {
    const { out, release } = recorder(1024);
    const b = new WriteBatch(out, 4096);
    b.add(Buffer.alloc(100));
    b.flush();
    expect(b.blocked).toBe(false);
    b.add(Buffer.alloc(5000));
    expect(b.blocked).toBe(true);
    let drained = false;
    const wait = b.drained().then(() => (drained = true));
    await turn();
    expect(drained).toBe(false);
    release(); // the first write completes, then the second: the buffer empties
    await turn();
    release();
    await wait;
    expect(b.blocked).toBe(false);
  });

  it('discard() drops what waits, and nothing is written after', async () => {
    const { out, writes } = recorder();
    const b = new WriteBatch(out);
    b.add(Buffer.alloc(10));
    b.discard();
    await turn();
    expect(writes).toEqual([]);
  });

  describe('over a TCP socket', () => {
    let server: Server;
    let port: number;
    const received: Buffer[] = [];
    let ended: () => void = () => undefined;
    beforeAll(async () => {
      server = createServer((s) => {
        s.on('data', (d: Buffer) => received.push(d));
        s.on('end', () => ended());
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('delivers every byte in order, with backpressure, whatever the piece sizes', async () => {
      const sock: Socket = connect(port, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      const data = randomBytes(24 * 1024 * 1024 + 17);
      const b = new WriteBatch(sock);
      let blockedSeen = 0;
      for (let at = 0; at < data.length; ) {
        const n = Math.min(data.length - at, 1 + Math.floor(Math.random() * 128 * 1024));
        b.add(data.subarray(at, at + n));
        at += n;
        if (b.blocked) {
          blockedSeen++;
          await b.drained();
        }
        if (Math.random() < 0.05) await turn();
      }
      const all = new Promise<void>((r) => (ended = r));
      b.flush();
      sock.end();
      await all;
      expect(Buffer.concat(received).equals(data)).toBe(true);
      expect(blockedSeen).toBeGreaterThan(0);
    });
  });
});
