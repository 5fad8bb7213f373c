import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlobManifest, CallCtx } from '@massive/contracts';
import { BlobService } from './blob-service';
import type { ChunkRange, ChunkReader, ChunkStore } from './chunk-store';
import { LocalDiskStore } from './local-disk-store';
import { closingStores, MemoryChunkStore } from './testing';

/** Stores a test opens are closed after it. */
const keep = closingStores();

const C = 1000;
const ctx: CallCtx = { requestId: 'test' };

async function* fromBuffers(bufs: Buffer[]): AsyncIterable<Buffer> {
  for (const b of bufs) yield b;
}

function randomSplits(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const n = Math.random() < 0.1 ? 0 : 1 + Math.floor(Math.random() * 2.5 * C);
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

async function drain(it: AsyncIterable<Buffer>, pieces?: Buffer[]): Promise<Buffer> {
  const got: Buffer[] = pieces ?? [];
  for await (const b of it) got.push(b);
  return Buffer.concat(got);
}

/** A store wrapper that records calls and can hold puts/reads until released. */
class SpyStore implements ChunkStore {
  reads: { id: string; range?: ChunkRange }[] = [];
  putsInFlight = 0;
  maxPutsInFlight = 0;
  readsInFlight = 0;
  maxReadsInFlight = 0;
  putBytesDone = 0;
  gate?: () => Promise<void>;
  constructor(readonly inner: MemoryChunkStore = new MemoryChunkStore()) {}
  allocate(intentId: string, seq: number) {
    return this.inner.allocate(intentId, seq);
  }
  async put(id: string, data: readonly Buffer[]) {
    this.maxPutsInFlight = Math.max(this.maxPutsInFlight, ++this.putsInFlight);
    try {
      await this.gate?.();
      await this.inner.put(id, data);
      this.putBytesDone += data.reduce((n, b) => n + b.length, 0);
    } finally {
      this.putsInFlight--;
    }
  }
  async read(id: string, range?: ChunkRange) {
    this.reads.push({ id, range });
    this.maxReadsInFlight = Math.max(this.maxReadsInFlight, ++this.readsInFlight);
    try {
      await this.gate?.();
      return await this.inner.read(id, range);
    } finally {
      this.readsInFlight--;
    }
  }
  delete(id: string) {
    return this.inner.delete(id);
  }
  deleteIntent(intentId: string) {
    return this.inner.deleteIntent(intentId);
  }
  listIntentChunks(intentId: string) {
    return this.inner.listIntentChunks(intentId);
  }
  listChunks() {
    return this.inner.listChunks();
  }
}

const tick = () => new Promise<void>((r) => setTimeout(r, 1));

describe('BlobService.write of a LentBody (pooled receive buffers)', () => {
  /**
   * A body that lends its pieces and checks each hand-back: exactly once, and only when no put that
   * was given any byte of the piece is still pending (a put is pending from its call until it settles).
   */
  function lentBody(pieces: Buffer[], pending: Set<number>) {
    const ranges = new Map<Buffer, { start: number; end: number }>();
    const released = new Map<Buffer, number>();
    const early: string[] = [];
    let at = 0;
    for (const p of pieces) {
      ranges.set(p, { start: at, end: at + p.length });
      at += p.length;
    }
    const body = {
      async *[Symbol.asyncIterator]() {
        for (const p of pieces) {
          await tick();
          yield p;
        }
      },
      release(piece: Buffer) {
        released.set(piece, (released.get(piece) ?? 0) + 1);
        const r = ranges.get(piece)!;
        for (const seq of pending) if (seq * C < r.end && (seq + 1) * C > r.start) early.push(`piece ${r.start}-${r.end} while chunk ${seq} was being put`);
      },
    };
    return { body, released, early };
  }

  class PendingStore extends SpyStore {
    readonly pending = new Set<number>();
    failSeq?: number;
    override async put(id: string, data: readonly Buffer[]) {
      const seq = Number(id.split('.').pop());
      this.pending.add(seq);
      try {
        // Puts settle out of order.
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 6)));
        if (seq === this.failSeq) throw new Error('disk full');
        await super.put(id, data);
      } finally {
        this.pending.delete(seq);
      }
    }
  }

  it('hands back every piece exactly once, each only after every chunk holding part of it was put', async () => {
    for (let round = 0; round < 5; round++) {
      const store = new PendingStore();
      const blob = new BlobService(store, { chunkSize: C, maxWritesInFlight: 3 });
      const data = randomBytes(7 * C + 13);
      const pieces = randomSplits(data);
      const { body, released, early } = lentBody(pieces, store.pending);
      const m = await blob.write(body, { intentId: `l${round}` }, ctx);
      expect((await drain(blob.read(m, undefined, ctx))).equals(data)).toBe(true);
      expect(early).toEqual([]);
      expect(pieces.filter((p) => released.get(p) !== 1)).toEqual([]);
    }
  });

  it('a failed write hands back everything too, once no put is pending', async () => {
    const store = new PendingStore();
    store.failSeq = 2;
    const blob = new BlobService(store, { chunkSize: C, maxWritesInFlight: 2 });
    const pieces = randomSplits(randomBytes(8 * C));
    const { body, released, early } = lentBody(pieces, store.pending);
    await expect(blob.write(body, { intentId: 'lf' }, ctx)).rejects.toThrow('disk full');
    expect(early).toEqual([]);
    // Pieces the write never pulled from the source were never lent to it.
    const taken = pieces.filter((p) => released.has(p));
    expect(taken.length).toBeGreaterThan(0);
    expect(taken.every((p) => released.get(p) === 1)).toBe(true);
  });

  it('a plain body (no release) is consumed as before', async () => {
    const blob = new BlobService(new MemoryChunkStore(), { chunkSize: C });
    const data = randomBytes(3 * C);
    const m = await blob.write(fromBuffers(randomSplits(data)), { intentId: 'p' }, ctx);
    expect((await drain(blob.read(m, undefined, ctx))).equals(data)).toBe(true);
  });
});

describe.each([false, true])('BlobService (store writes chunks as they arrive: %s)', (streamedWrites) => {
  const memoryStore = () => new MemoryChunkStore({ streamedWrites });

  describe.each([0, 1, C - 1, C, C + 1, 3 * C, 5 * C + 7])('round trip of %i bytes', (size) => {
    it('writes fixed-size chunks under the intent and reads the same bytes back', async () => {
      const store = memoryStore();
      const blob = new BlobService(store, { chunkSize: C, readPieceSize: 300 });
      const data = randomBytes(size);
      const m = await blob.write(fromBuffers(randomSplits(data)), { intentId: 'w1' }, ctx);
      expect(m.size).toBe(size);
      expect(m.chunks.map((c) => c.size)).toEqual(
        Array.from({ length: Math.ceil(size / C) }, (_, i) => Math.min(C, size - i * C)),
      );
      expect(m.chunks.map((c) => c.id)).toEqual(m.chunks.map((_, i) => `w1.${i}`));
      const pieces: Buffer[] = [];
      expect((await drain(blob.read(m, undefined, ctx), pieces)).equals(data)).toBe(true);
      expect(pieces.every((p) => p.length > 0 && p.length <= 300)).toBe(true);
    });
  });

  it('reads every range between chunk boundaries from only the covered chunks', async () => {
    const store = new SpyStore();
    const blob = new BlobService(store, { chunkSize: C });
    const data = randomBytes(3 * C + 7);
    const m = await blob.write(fromBuffers([data]), { intentId: 'r' }, ctx);
    const points = [0, 1, C - 1, C, C + 1, 2 * C - 1, 2 * C, 2 * C + 1, 3 * C - 1, 3 * C, data.length - 1];
    for (const start of points) {
      for (const end of points.filter((e) => e >= start)) {
        store.reads = [];
        const got = await drain(blob.read(m, { start, end }, ctx));
        expect(got.equals(data.subarray(start, end + 1))).toBe(true);
        const covered = Math.floor(end / C) - Math.floor(start / C) + 1;
        expect(store.reads.length).toBe(covered);
      }
    }
  });

  it('rejects out-of-bounds ranges with InvalidRange', async () => {
    const blob = new BlobService(memoryStore(), { chunkSize: C });
    const m = await blob.write(fromBuffers([randomBytes(10)]), { intentId: 'oob' }, ctx);
    await expect(drain(blob.read(m, { start: 5, end: 10 }, ctx))).rejects.toMatchObject({ code: 'InvalidRange' });
    await expect(drain(blob.read(m, { start: 10, end: 10 }, ctx))).rejects.toMatchObject({ code: 'InvalidRange' });
  });

  it('stops consuming the source when aborted mid-write, and cleans up what it stored', async () => {
    const store = memoryStore();
    const blob = new BlobService(store, { chunkSize: C });
    const ac = new AbortController();
    let pulled = 0;
    let closed = false;
    async function* endless(): AsyncIterable<Buffer> {
      try {
        for (;;) {
          pulled++;
          if (pulled === 10) ac.abort(new Error('client went away'));
          await tick();
          yield randomBytes(700);
        }
      } finally {
        closed = true;
      }
    }
    await expect(blob.write(endless(), { intentId: 'abort' }, { requestId: 'a', signal: ac.signal })).rejects.toThrow(
      'client went away',
    );
    const pulledAtReject = pulled;
    await new Promise((r) => setTimeout(r, 20));
    expect(pulled).toBe(pulledAtReject);
    expect(pulled).toBeLessThanOrEqual(11);
    expect(closed).toBe(true);
    expect(store.size).toBe(0);
  });

  it('rejects promptly when aborted while the source is stalled', async () => {
    const blob = new BlobService(memoryStore(), { chunkSize: C });
    const ac = new AbortController();
    const stalled: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => undefined) }) };
    setTimeout(() => ac.abort(new Error('deadline')), 5);
    await expect(blob.write(stalled, { intentId: 's' }, { requestId: 's', signal: ac.signal })).rejects.toThrow('deadline');
  });

  it("listens for a hang-up through the ctx's onAbort: the lazy signal is made only when it fires", async () => {
    const blob = new BlobService(memoryStore(), { chunkSize: C });
    let signalReads = 0;
    let gone = false;
    const listeners = new Set<() => void>();
    const ac = new AbortController();
    const lazy: CallCtx = {
      requestId: 'lazy',
      get signal() {
        signalReads++;
        return ac.signal;
      },
      isAborted: () => gone,
      onAbort: (l) => (listeners.add(l), () => void listeners.delete(l)),
    };
    const data = randomBytes(5 * C + 17);
    const m = await blob.write(fromBuffers(randomSplits(data)), { intentId: 'lazy' }, lazy);
    expect(await drain(blob.read(m, undefined, lazy))).toEqual(data);
    expect(signalReads).toBe(0);
    expect(listeners.size).toBe(0); // every listener it added is gone

    const stalled: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => undefined) }) };
    const writing = blob.write(stalled, { intentId: 'lazy2' }, lazy);
    await new Promise((r) => setTimeout(r, 5));
    gone = true;
    ac.abort(new Error('client closed the connection'));
    for (const l of [...listeners]) l();
    await expect(writing).rejects.toThrow('client closed the connection');
  });

  it('fails the write when a chunk put fails, stops reading and removes the chunks it stored', async () => {
    const store = memoryStore();
    const blob = new BlobService(store, { chunkSize: C });
    let pulled = 0;
    async function* source(): AsyncIterable<Buffer> {
      for (;;) {
        pulled++;
        if (pulled === 5) store.failNext('put');
        yield randomBytes(C);
      }
    }
    await expect(blob.write(source(), { intentId: 'pf' }, ctx)).rejects.toMatchObject({ code: 'Unavailable' });
    expect(pulled).toBeLessThan(10);
    expect(store.size).toBe(0);
  });

  it('fails promptly when a put fails while the source is stalled', async () => {
    const store = memoryStore();
    const blob = new BlobService(store, { chunkSize: C });
    async function* source(): AsyncIterable<Buffer> {
      yield randomBytes(C);
      await new Promise(() => undefined);
    }
    store.failNext('put');
    await expect(blob.write(source(), { intentId: 'ps' }, ctx)).rejects.toMatchObject({ code: 'Unavailable' });
    expect(store.size).toBe(0);
  });

  it('fails the write when the source fails', async () => {
    const store = memoryStore();
    const blob = new BlobService(store, { chunkSize: C });
    async function* source(): AsyncIterable<Buffer> {
      yield randomBytes(3 * C);
      throw new Error('connection reset');
    }
    await expect(blob.write(source(), { intentId: 'sf' }, ctx)).rejects.toThrow('connection reset');
    expect(store.size).toBe(0);
  });

  it('bounds the bytes held by a write: at most maxWritesInFlight puts plus one chunk being filled', async () => {
    const store = new SpyStore();
    store.gate = () => new Promise((r) => setTimeout(r, 2));
    const blob = new BlobService(store, { chunkSize: C, maxWritesInFlight: 2 });
    const piece = 300;
    let produced = 0;
    let maxHeld = 0;
    async function* source(): AsyncIterable<Buffer> {
      for (let i = 0; i < 100; i++) {
        maxHeld = Math.max(maxHeld, produced - store.putBytesDone);
        produced += piece;
        yield randomBytes(piece);
      }
    }
    const m = await blob.write(source(), { intentId: 'mem' }, ctx);
    expect(m.size).toBe(100 * piece);
    expect(store.maxPutsInFlight).toBe(2);
    expect(maxHeld).toBeLessThanOrEqual(3 * C + piece);
  });

  it.each([1, 3])('keeps readAhead = %i pieces in flight ahead of a slow reader, never more', async (readAhead) => {
    const store = new SpyStore();
    const blob = new BlobService(store, { chunkSize: C, readAhead });
    const m = await blob.write(fromBuffers([randomBytes(10 * C)]), { intentId: 'pre' }, ctx);
    store.gate = tick;
    let yielded = 0;
    for await (const b of blob.read(m, undefined, ctx)) {
      yielded += b.length;
      await tick();
      await tick();
      // Issued: the pieces yielded (this one included) and readAhead more.
      expect(store.reads.length).toBeLessThanOrEqual(yielded / C + readAhead);
    }
    expect(store.maxReadsInFlight).toBe(readAhead);
    expect(store.reads.length).toBe(10);
  });

  it('aborts a read', async () => {
    const blob = new BlobService(memoryStore(), { chunkSize: C, readPieceSize: 100 });
    const m = await blob.write(fromBuffers([randomBytes(4 * C)]), { intentId: 'ra' }, ctx);
    const ac = new AbortController();
    let got = 0;
    await expect(
      (async () => {
        for await (const b of blob.read(m, undefined, { requestId: 'r', signal: ac.signal })) {
          got += b.length;
          if (got === 1500) ac.abort(new Error('hung up'));
        }
      })(),
    ).rejects.toThrow('hung up');
    expect(got).toBe(1500);
  });

  it('a read stopped early hands the pieces it read ahead back to the store, never the ones it yielded', async () => {
    const store = new SpyStore();
    const released: Buffer[] = [];
    Object.assign(store, { release: (b: Buffer) => released.push(b) });
    const blob = new BlobService(store, { chunkSize: C, readPieceSize: C, readAhead: 3 });
    const m = await blob.write(fromBuffers([randomBytes(6 * C)]), { intentId: 'ahead' }, ctx);
    const yielded: Buffer[] = [];
    for await (const b of blob.read(m, undefined, ctx)) {
      yielded.push(b);
      if (yielded.length === 2) break;
    }
    await tick();
    // Pieces 3 to 5 were in flight when the consumer stopped: read, never seen, handed back.
    expect(released).toHaveLength(3);
    expect(released.some((b) => yielded.includes(b))).toBe(false);
  });

  it('surfaces corruption mid-stream as DataCorrupted after only correct bytes, and counts it', async () => {
    const store = memoryStore();
    const corruptions: string[] = [];
    const counters = { written: 0, read: 0 };
    const blob = new BlobService(store, {
      chunkSize: C,
      readAhead: 1,
      metrics: {
        chunkWritten: (n) => (counters.written += n),
        chunkRead: (n) => (counters.read += n),
        corruption: (id) => corruptions.push(id),
      },
    });
    const data = randomBytes(3 * C);
    const m = await blob.write(fromBuffers([data]), { intentId: 'bad' }, ctx);
    // (Read-ahead would also read, and count, the chunk after the corrupt one.)
    expect(counters.written).toBe(3 * C);
    store.corrupt('bad.1', { kind: 'flip', at: 17 });
    const pieces: Buffer[] = [];
    await expect(drain(blob.read(m, undefined, ctx), pieces)).rejects.toMatchObject({ code: 'DataCorrupted' });
    expect(Buffer.concat(pieces).equals(data.subarray(0, C))).toBe(true);
    expect(corruptions).toEqual(['bad.1']);
    expect(counters.read).toBe(C);
  });

  it('reports how long each chunk took to be stored durably', async () => {
    const store = memoryStore();
    const slow = Object.create(store) as MemoryChunkStore;
    // The second chunk's store is slow: its time must cover the whole put, not the call.
    let calls = 0;
    const secondSlow = async <T>(store: () => Promise<T>): Promise<T> => {
      if (calls++ === 1) await new Promise((r) => setTimeout(r, 80));
      return store();
    };
    slow.put = (id, data) => secondSlow(() => store.put(id, data));
    const open = store.openWrite;
    if (open) {
      // Streamed: the time runs from the chunk's last byte (finish), so the slow part is there.
      Object.defineProperty(slow, 'openWrite', {
        value: (id: string) => {
          const w = open(id);
          return { append: (d: Buffer) => w.append(d), abort: () => w.abort(), finish: () => secondSlow(() => w.finish()) };
        },
      });
    }
    const seen: [number, number][] = [];
    const blob = new BlobService(slow, { chunkSize: C, metrics: { chunkWritten: (bytes, seconds) => seen.push([bytes, seconds]) } });
    await blob.write(fromBuffers([randomBytes(2 * C + 5)]), { intentId: 'timed' }, ctx);
    expect(seen.map(([b]) => b).sort((a, b) => a - b)).toEqual([5, C, C]);
    const times = seen.map(([, t]) => t);
    expect(times.every((t) => t >= 0 && t < 5)).toBe(true);
    expect(times.filter((t) => t >= 0.075)).toHaveLength(1);
  });

  it('treats a chunk shorter than its manifest entry as corrupt', async () => {
    const store = memoryStore();
    const blob = new BlobService(store, { chunkSize: C });
    const m = await blob.write(fromBuffers([randomBytes(C)]), { intentId: 'short' }, ctx);
    const lying: BlobManifest = { size: C + 1, chunks: [{ id: m.chunks[0].id, size: C + 1 }] };
    await expect(drain(blob.read(lying, undefined, ctx))).rejects.toMatchObject({ code: 'DataCorrupted' });
  });

  it('deletes chunks and intents idempotently', async () => {
    const store = memoryStore();
    const blob = new BlobService(store, { chunkSize: C });
    const a = await blob.write(fromBuffers([randomBytes(2 * C)]), { intentId: 'da' }, ctx);
    await blob.write(fromBuffers([randomBytes(2 * C)]), { intentId: 'db' }, ctx);
    const ids = a.chunks.map((c) => c.id);
    await blob.deleteChunks(ids, ctx);
    await blob.deleteChunks(ids, ctx);
    await blob.deleteIntent('db', ctx);
    await blob.deleteIntent('db', ctx);
    expect(store.size).toBe(0);
  });

  it('round-trips through LocalDiskStore with the default chunk size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blob-core-svc-'));
    try {
      const blob = new BlobService(keep(new LocalDiskStore(dir)));
      const data = randomBytes(8 * 1024 * 1024 + 12345);
      const m = await blob.write(fromBuffers(randomSplits(data)), { intentId: 'disk' }, ctx);
      expect(m.chunks.length).toBe(2);
      expect((await drain(blob.read(m, undefined, ctx))).equals(data)).toBe(true);
      const start = 8 * 1024 * 1024 - 5;
      expect((await drain(blob.read(m, { start, end: start + 9 }, ctx))).equals(data.subarray(start, start + 10))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('opened chunks (ChunkStore.openChunk)', () => {
    /** A store whose openChunk counts opens and closes and reads through the inner store. */
    class OpeningStore extends SpyStore {
      opened: string[] = [];
      open = 0;
      closedWithReadsInFlight = 0;
      /** Most reads in flight together on one opened chunk. */
      maxChunkReads = 0;
      /** The read at offset 600 takes 30 ms: the pieces after it, the chunk's last included, settle first. */
      slowFirst = false;
      async openChunk(id: string): Promise<ChunkReader> {
        await this.inner.read(id, { offset: 0, length: 0 }); // missing → DataCorrupted, as a real store
        this.opened.push(id);
        this.open++;
        let closed = false;
        let inFlight = 0;
        return {
          read: async (range) => {
            if (closed) throw new Error('read after close');
            this.maxChunkReads = Math.max(this.maxChunkReads, ++inFlight);
            try {
              if (this.slowFirst && range.offset === 600) await new Promise((r) => setTimeout(r, 30));
              return await this.read(id, range);
            } finally {
              inFlight--;
            }
          },
          close: async () => {
            if (inFlight > 0) this.closedWithReadsInFlight++;
            closed = true;
            this.open--;
          },
        };
      }
    }

    it('opens each chunk read in several pieces once, reads single pieces plainly, and closes every chunk it opened', async () => {
      const store = new OpeningStore();
      const blob = new BlobService(store, { chunkSize: C, readPieceSize: 300 });
      const data = randomBytes(3 * C + 200);
      const m = await blob.write(fromBuffers([data]), { intentId: 'oc' }, ctx);
      store.gate = tick;
      expect((await drain(blob.read(m, undefined, ctx))).equals(data)).toBe(true);
      expect(store.opened).toEqual(['oc.0', 'oc.1', 'oc.2']); // the 200-byte last chunk is one piece: no open
      await tick();
      expect(store.open).toBe(0);
      // A range within one chunk, several pieces: one open; a one-piece range: none.
      store.opened = [];
      expect((await drain(blob.read(m, { start: 1100, end: 1899 }, ctx))).equals(data.subarray(1100, 1900))).toBe(true);
      expect((await drain(blob.read(m, { start: 2100, end: 2199 }, ctx))).equals(data.subarray(2100, 2200))).toBe(true);
      expect(store.opened).toEqual(['oc.1']);
    });

    it('with reads of one opened chunk in flight together, closes it only once all have settled', async () => {
      const store = new OpeningStore();
      const blob = new BlobService(store, { chunkSize: C, readPieceSize: 100, readAhead: 4 });
      const data = randomBytes(2 * C);
      const m = await blob.write(fromBuffers([data]), { intentId: 'ooo' }, ctx);
      // Later pieces come back first: the last piece of a chunk settles before the ones ahead of it.
      store.slowFirst = true;
      expect((await drain(blob.read(m, undefined, ctx))).equals(data)).toBe(true);
      expect(store.maxChunkReads).toBe(4);
      await new Promise((r) => setTimeout(r, 50));
      expect(store.open).toBe(0);
      expect(store.closedWithReadsInFlight).toBe(0);
      // Stopped early with reads in flight: closed after them too.
      for await (const b of blob.read(m, undefined, ctx)) {
        expect(b.length).toBe(100);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(store.open).toBe(0);
      expect(store.closedWithReadsInFlight).toBe(0);
    });

    it('closes the open chunk when the reader stops early or a read fails', async () => {
      const store = new OpeningStore();
      const blob = new BlobService(store, { chunkSize: C, readPieceSize: 100 });
      const m = await blob.write(fromBuffers([randomBytes(3 * C)]), { intentId: 'early' }, ctx);
      store.gate = tick;
      for await (const b of blob.read(m, undefined, ctx)) {
        expect(b.length).toBe(100);
        break;
      }
      await tick();
      await tick();
      expect(store.open).toBe(0);
      await store.inner.delete('early.1');
      await expect(drain(blob.read(m, undefined, ctx))).rejects.toMatchObject({ code: 'DataCorrupted' });
      await tick();
      await tick();
      expect(store.open).toBe(0);
    });
  });
});

