import { ServiceError, type BlobApi, type BlobManifest, type CallCtx } from '@massive/contracts';
import { MAX_DATA_MESSAGE_BYTES } from '../src';
import { readFileSync } from 'node:fs';
import { RECEIVE_BUFFER_SIZE } from '../src/blob/http/data-client';
import { WRITE_BODY_BUFFER_SIZE } from '../src/blob/http/data-server';
import { startLoopbackRpc, type LoopbackRpc } from '../src/testing';

const KiB = 1024;
const MiB = 1024 * KiB;
/**
 * Resolves after `ms`, or as soon as `signal` aborts. The abort listener goes when the timer fires: a
 * slow consumer sleeps once per piece on one call's signal (it left 11 on one, a MaxListenersExceeded
 * warning in every CI log).
 */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((r) => {
    const onAbort = () => (clearTimeout(t), r());
    const t = setTimeout(() => (signal?.removeEventListener('abort', onAbort), r()), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** A BlobApi that records what it sees and lets the test set its pace. */
class FakeBlob implements BlobApi {
  received: number[] = [];
  consumeDelayMs = 0;
  failAfterBytes = Infinity;
  produced = 0;
  readPieces = 0;
  readFinished = false;
  readSignal?: AbortSignal;
  readCtx?: CallCtx;

  async write(body: AsyncIterable<Buffer>, req: { intentId: string }, ctx: CallCtx): Promise<BlobManifest> {
    let total = 0;
    for await (const b of body) {
      this.received.push(b.length);
      total += b.length;
      if (total > this.failAfterBytes) throw new ServiceError('DataCorrupted', 'disk said no');
      if (this.consumeDelayMs) await sleep(this.consumeDelayMs, ctx.signal);
    }
    return { size: total, chunks: [{ id: `${req.intentId}/0`, size: total }] };
  }

  async *read(manifest: BlobManifest, range: { start: number; end: number } | undefined, ctx: CallCtx): AsyncIterable<Buffer> {
    this.produced = 0;
    this.readFinished = false;
    this.readSignal = ctx.signal;
    this.readCtx = ctx;
    if (range && range.end >= manifest.size) throw new ServiceError('InvalidRange', 'out of range', { objectSize: manifest.size });
    const want = range ? range.end - range.start + 1 : manifest.size;
    try {
      while (this.produced < want) {
        const n = Math.min(MiB, want - this.produced);
        this.produced += n;
        this.readPieces++;
        yield Buffer.alloc(n, this.produced % 251);
      }
    } finally {
      this.readFinished = true;
    }
  }

  async deleteChunks(): Promise<void> {}
  async deleteIntent(): Promise<void> {}
}

/** The most the kernel may buffer on one loopback TCP connection: the receiver's and the sender's maxima. */
function kernelSocketBufferMax(): number {
  const max = (name: string) => Number(readFileSync(`/proc/sys/net/ipv4/${name}`, 'utf8').trim().split(/\s+/)[2]);
  return max('tcp_rmem') + max('tcp_wmem');
}

async function* source(total: number, piece: number, counter: { sent: number }): AsyncIterable<Buffer> {
  while (counter.sent < total) {
    const n = Math.min(piece, total - counter.sent);
    counter.sent += n;
    yield Buffer.alloc(n, 7);
  }
}

/**
 * The same streaming contract over both transports of GrpcBlobClient: gRPC Write/Read, and the HTTP
 * data path (announced in Describe). Tests about gRPC messages run on gRPC only.
 */
describe.each([
  ['gRPC', false],
  ['the HTTP data path', true],
])('blob streams over %s', (_transport, dataPath) => {
  const fake = new FakeBlob();
  let rpc: LoopbackRpc;
  // Defined only for their transport (never reported as skipped).
  const grpcOnly = (name: string, fn: () => Promise<void>) => !dataPath && it(name, fn);
  const httpOnly = (name: string, fn: () => Promise<void>) => dataPath && it(name, fn);
  beforeAll(async () => {
    rpc = await startLoopbackRpc({ blob: fake }, { dataPath });
  });
  afterAll(() => rpc.close());
  beforeEach(() => {
    fake.received = [];
    fake.consumeDelayMs = 0;
    fake.failAfterBytes = Infinity;
  });
  const ctx = { requestId: 'r' };

  httpOnly('bodies take the data path (Describe announced its port)', async () => {
    expect(await rpc.blob.dataEndpoint(0)).toEqual({ host: '127.0.0.1', port: rpc.dataPort });
  });

  grpcOnly('bodies stay on gRPC without a data port', async () => {
    expect(await rpc.blob.dataEndpoint(0)).toBeUndefined();
  });

  it('writes a body (pieces of at most a message, or a receive buffer on the data path, reach the service) and answers the manifest', async () => {
    const counter = { sent: 0 };
    const m = await rpc.blob.write(source(3 * MiB + 5, MiB, counter), { intentId: 'i1' }, ctx);
    expect(m).toEqual({ size: 3 * MiB + 5, chunks: [{ id: 'i1/0', size: 3 * MiB + 5 }] });
    expect(Math.max(...fake.received)).toBeLessThanOrEqual(dataPath ? WRITE_BODY_BUFFER_SIZE : MAX_DATA_MESSAGE_BYTES);
    expect(fake.received.reduce((a, b) => a + b, 0)).toBe(3 * MiB + 5);
  });

  grpcOnly('joins small source pieces (socket reads) into messages of exactly 256 KiB', async () => {
    const counter = { sent: 0 };
    const m = await rpc.blob.write(source(MiB + 100, 10 * KiB, counter), { intentId: 'small' }, ctx);
    expect(m.size).toBe(MiB + 100);
    expect(fake.received).toEqual([MAX_DATA_MESSAGE_BYTES, MAX_DATA_MESSAGE_BYTES, MAX_DATA_MESSAGE_BYTES, MAX_DATA_MESSAGE_BYTES, 100]);
  });

  it('writes an empty body', async () => {
    expect(await rpc.blob.write(source(0, 1, { sent: 0 }), { intentId: 'e' }, ctx)).toEqual({ size: 0, chunks: [{ id: 'e/0', size: 0 }] });
  });

  it('reads the source only as fast as the server consumes it (backpressure)', async () => {
    fake.consumeDelayMs = 20;
    const counter = { sent: 0 };
    const p = rpc.blob.write(source(64 * MiB, 256 * KiB, counter), { intentId: 'bp' }, ctx);
    await sleep(400);
    const consumed = fake.received.reduce((a, b) => a + b, 0);
    // ~20 pieces consumed by now; what is buffered in between is bounded by flow-control windows
    // (gRPC), or by the server's pause and the sockets' kernel buffers (the data path, see below).
    const between = dataPath ? 4 * MiB + kernelSocketBufferMax() : 16 * MiB;
    expect(counter.sent - consumed).toBeLessThan(between);
    expect(counter.sent).toBeLessThan(Math.max(32 * MiB, consumed + between));
    fake.consumeDelayMs = 0;
    expect((await p).size).toBe(64 * MiB);
  });

  it('a stalled server holds at most a few MiB of a write in flight (client, windows, server buffer)', async () => {
    fake.consumeDelayMs = 60_000;
    const counter = { sent: 0 };
    const ac = new AbortController();
    const p = rpc.blob.write(source(256 * MiB, 64 * KiB, counter), { intentId: 'stall' }, { requestId: 'r', signal: ac.signal });
    p.catch(() => undefined);
    // Wait until the source is no longer read (everything that fits is in flight).
    let last = -1;
    while (counter.sent !== last) {
      last = counter.sent;
      await sleep(250);
    }
    // gRPC: 4 messages waiting for HTTP/2 (1 MiB), the piece being joined, the server's 1 MiB stream
    // window and the messages grpc-js buffers on the server (16, 4 MiB): ~5.75 MiB measured. Without
    // the client's bound grpc-js buffers 16 messages on the client too: ~7.75 MiB.
    // The data path: the server stops reading once 1 MiB waits (one read more may land: 2 MiB); the
    // rest sits in the two sockets' kernel buffers, which Linux grows up to tcp_rmem / tcp_wmem's
    // maximum on a connection that was read fast (the test before this one): 9.5 MiB on a fresh one
    // here, 23.5 MiB on a reused one. Without the pause it would take all 256 MiB.
    expect(counter.sent).toBeLessThan(dataPath ? 4 * MiB + kernelSocketBufferMax() : 7 * MiB);
    ac.abort(new Error('test over'));
    await expect(p).rejects.toThrow('test over');
    fake.consumeDelayMs = 0;
  });

  it('a server failure mid-write rejects with its ServiceError and stops reading the source', async () => {
    fake.failAfterBytes = MiB;
    const counter = { sent: 0 };
    let returned = false;
    async function* body() {
      try {
        yield* source(512 * MiB, 256 * KiB, counter);
      } finally {
        returned = true;
      }
    }
    const e = await rpc.blob.write(body(), { intentId: 'f' }, ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ServiceError);
    expect((e as ServiceError).code).toBe('DataCorrupted');
    await waitFor(() => returned);
    expect(counter.sent).toBeLessThan(64 * MiB);
  });

  it('a failing source cancels the write and its error propagates unchanged', async () => {
    const boom = new Error('signature mismatch');
    async function* body() {
      yield Buffer.alloc(1000);
      throw boom;
    }
    await expect(rpc.blob.write(body(), { intentId: 'x' }, ctx)).rejects.toBe(boom);
  });

  // gRPC: messages of at most 256 KiB. The data path: at most one socket read (its receive buffer).
  it(`reads in pieces of at most ${dataPath ? '1 MiB' : '256 KiB'}, honouring a range`, async () => {
    const manifest = { size: 5 * MiB, chunks: [] };
    const sizes: number[] = [];
    for await (const b of rpc.blob.read(manifest, { start: 10, end: 2 * MiB + 9 }, ctx)) sizes.push(b.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(2 * MiB);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(dataPath ? RECEIVE_BUFFER_SIZE : MAX_DATA_MESSAGE_BYTES);
  });

  it('an invalid range fails the first read with InvalidRange and its detail', async () => {
    const it = rpc.blob.read({ size: 10, chunks: [] }, { start: 0, end: 10 }, ctx)[Symbol.asyncIterator]();
    const e = (await it.next().catch((x: unknown) => x)) as ServiceError;
    expect([e.code, e.detail]).toEqual(['InvalidRange', { objectSize: 10 }]);
  });

  it('a consumer that stops early stops the producer on the server (client hang-up)', async () => {
    const manifest = { size: 1024 * MiB, chunks: [] };
    let got = 0;
    for await (const b of rpc.blob.read(manifest, undefined, ctx)) {
      got += b.length;
      if (got >= 2 * MiB) break;
    }
    await waitFor(() => fake.readFinished);
    expect(fake.readSignal!.aborted).toBe(true);
    expect(fake.produced).toBeLessThan(64 * MiB);
  });

  it('a slow consumer holds the producer back (backpressure)', async () => {
    const manifest = { size: 1024 * MiB, chunks: [] };
    const it = rpc.blob.read(manifest, undefined, ctx)[Symbol.asyncIterator]();
    await it.next();
    await sleep(300);
    expect(fake.produced).toBeLessThan(64 * MiB);
    await it.return!();
    await waitFor(() => fake.readFinished);
  });

  it('aborting ctx.signal mid-read rejects with the reason and stops the server', async () => {
    const ac = new AbortController();
    const reason = new Error('client closed the connection');
    const it = rpc.blob.read({ size: 1024 * MiB, chunks: [] }, undefined, { requestId: 'r', signal: ac.signal })[Symbol.asyncIterator]();
    await it.next();
    ac.abort(reason);
    let e: unknown;
    try {
      for (;;) if ((await it.next()).done) break;
    } catch (x) {
      e = x;
    }
    expect(e).toBe(reason);
    await waitFor(() => fake.readFinished);
  });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(10);
  }
}

/** Byte `i` of stream `seed`: differs between streams and along each one. */
const patternByte = (seed: number, i: number) => (seed * 31 + i * 7 + (i >> 10)) & 0xff;

describe('concurrent blob streams over gRPC keep every byte', () => {
  // Reads yield pieces of odd sizes (cut again into messages); each stream's bytes follow its own seed.
  const api: BlobApi = {
    async write(body, req) {
      let total = 0;
      const seed = Number(req.intentId);
      for await (const b of body) {
        for (let j = 0; j < b.length; j++) if (b[j] !== patternByte(seed, total + j)) throw new ServiceError('DataCorrupted', `stream ${seed} byte ${total + j}`);
        total += b.length;
      }
      return { size: total, chunks: [{ id: `${seed}/0`, size: total }] };
    },
    async *read(manifest) {
      const seed = manifest.chunks.length;
      for (let at = 0; at < manifest.size; ) {
        const n = Math.min(333 * KiB + seed, manifest.size - at);
        yield Buffer.from(Array.from({ length: n }, (_, j) => patternByte(seed, at + j)));
        at += n;
      }
    },
    deleteChunks: async () => undefined,
    deleteIntent: async () => undefined,
  };
  let rpc: LoopbackRpc;
  beforeAll(async () => {
    rpc = await startLoopbackRpc({ blob: api });
  });
  afterAll(() => rpc.close());

  it('reads: 6 streams at once, each byte as the server produced it', async () => {
    const size = MiB + 17;
    const one = async (seed: number) => {
      const manifest = { size, chunks: Array.from({ length: seed }, (_, i) => ({ id: `c${i}`, size: i === 0 ? size : 0 })) };
      let at = 0;
      let bad = -1;
      for await (const b of rpc.blob.read(manifest, undefined, { requestId: `r${seed}` })) {
        for (let j = 0; j < b.length && bad < 0; j++) if (b[j] !== patternByte(seed, at + j)) bad = at + j;
        at += b.length;
      }
      return { at, bad };
    };
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map(one));
    expect(results).toEqual(Array.from({ length: 6 }, () => ({ at: size, bad: -1 })));
  });

  it('writes: 6 streams at once, from pieces of odd sizes, each byte as the client sent it', async () => {
    const size = MiB + 17;
    const body = async function* (seed: number) {
      for (let at = 0; at < size; ) {
        const n = Math.min(61 * KiB + seed * 13, size - at);
        yield Buffer.from(Array.from({ length: n }, (_, j) => patternByte(seed, at + j)));
        at += n;
      }
    };
    const sizes = await Promise.all([1, 2, 3, 4, 5, 6].map(async (seed) => (await rpc.blob.write(body(seed), { intentId: String(seed) }, { requestId: `w${seed}` })).size));
    expect(sizes).toEqual(Array(6).fill(size));
  });
});
