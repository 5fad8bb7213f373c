import { randomBytes } from 'node:crypto';
import { isServiceError, type ErrorCode } from '@massive/contracts';
import type { ChunkStore } from '../chunk-store';

/** Damage a harness can inflict on a stored chunk: bit rot at a data offset, or a torn (short) file. */
export type ChunkDamage = { readonly kind: 'flip'; readonly at: number } | { readonly kind: 'truncate' };

export interface ChunkStoreHarness {
  readonly store: ChunkStore;
  /** Damages a stored chunk behind the store's back (e.g. flips a byte of the file on disk). */
  corrupt(id: string, damage: ChunkDamage): Promise<void>;
  /** Releases resources (temp dirs, fake servers). */
  close?(): Promise<void>;
  /**
   * Ids of every chunk physically stored, seen behind the store's back (e.g. a fake's live needles):
   * how the contract checks deletes on stores that offer no listing.
   */
  liveChunks?(): Promise<string[]>;
}

export interface ChunkStoreContractOptions {
  /**
   * Whether the store offers `listIntentChunks`/`listChunks` and reclaims by intent itself (default
   * true). SeaweedFS cannot (see chunk-store.ts): its chunks are found again through the ids recorded
   * in metadata, so `deleteIntent` leaves them alone and the contract checks that instead.
   */
  readonly listing?: boolean;
  /** Whether the store offers `openWrite` (default false); its cases run only then. */
  readonly streamedWrites?: boolean;
}

/** Ids no store may accept: traversal, separators, NUL, empty and dot names. */
export const HOSTILE_IDS: readonly string[] = [
  '',
  '.',
  '..',
  '../x.0',
  '../../etc/passwd',
  '/etc/passwd',
  'a/b.0',
  'a/../../b.0',
  'a\\b.0',
  '..\\..\\b.0',
  'a.0/..',
  'a\0.0',
  'a.0\0',
  'a.0\n',
  '%2e%2e%2f.0',
];
export const HOSTILE_INTENT_IDS: readonly string[] = ['', '.', '..', '../x', 'a/b', 'a\\b', '/tmp', 'a\0', 'a\n'];

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isServiceError(err, code)) throw new Error(`expected ServiceError(${code}), got ${String(err)}`);
  if (message) expect(err.message).toMatch(message);
}

function splitRandomly(data: Buffer, parts: number): Buffer[] {
  const cuts = Array.from({ length: parts - 1 }, () => Math.floor(Math.random() * (data.length + 1))).sort((a, b) => a - b);
  return [0, ...cuts].map((c, i) => data.subarray(c, i < cuts.length ? cuts[i] : data.length));
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out.sort();
}

/**
 * The behaviour every ChunkStore must have (see chunk-store.ts). Run it once per implementation:
 * `describeChunkStoreContract('LocalDiskStore', async () => ({ store, corrupt, close }))`.
 * Data sizes straddle 64 KiB so block-checksummed stores see block boundaries.
 */
export function describeChunkStoreContract(
  name: string,
  factory: () => Promise<ChunkStoreHarness>,
  options: ChunkStoreContractOptions = {},
): void {
  const listing = options.listing ?? true;
  const streamedWrites = options.streamedWrites ?? false;
  describe(`ChunkStore contract: ${name}`, () => {
    let h: ChunkStoreHarness;
    let store: ChunkStore;
    let n = 0;
    const intent = () => `contract-${process.pid}-${n++}`;
    const putNew = async (data: Buffer, intentId = intent(), seq = 0): Promise<string> => {
      const id = await store.allocate(intentId, seq, data.length);
      return (await store.put(id, [data])) || id;
    };
    const listIntent = (i: string): Promise<string[]> => {
      if (!store.listIntentChunks) throw new Error('store offers no listIntentChunks');
      return store.listIntentChunks(i);
    };
    const listAll = (): Promise<string[]> => {
      if (store.listChunks) return collect(store.listChunks());
      if (h.liveChunks) return h.liveChunks().then((ids) => ids.sort());
      throw new Error('neither store.listChunks nor harness.liveChunks');
    };

    beforeEach(async () => {
      h = await factory();
      store = h.store;
    });
    afterEach(async () => {
      await h.close?.();
    });

    it(`${streamedWrites ? 'offers' : 'does not offer'} openWrite, as declared`, () => {
      expect(store.openWrite !== undefined).toBe(streamedWrites);
    });

    it('allocates distinct ids for distinct (intent, seq)', async () => {
      const a = intent();
      const b = intent();
      const ids = await Promise.all([store.allocate(a, 0), store.allocate(a, 1), store.allocate(b, 0), store.allocate(b, 1)]);
      expect(new Set(ids).size).toBe(4);
    });

    it.each([0, 1, 65535, 65536, 65537, 3 * 65536 + 17])('round-trips %i bytes written as random slices', async (size) => {
      const data = randomBytes(size);
      const allocated = await store.allocate(intent(), 0, size);
      const id = (await store.put(allocated, splitRandomly(data, 1 + Math.floor(Math.random() * 8)))) || allocated;
      expect((await store.read(id)).equals(data)).toBe(true);
    });

    it('range-reads exactly the requested bytes at every block boundary', async () => {
      const data = randomBytes(3 * 65536 + 123);
      const id = await putNew(data);
      const points = [0, 1, 65535, 65536, 65537, 131071, 131072, 196608, data.length - 1, data.length];
      for (const a of points) {
        for (const b of points) {
          if (b < a) continue;
          const got = await store.read(id, { offset: a, length: b - a });
          expect(got.equals(data.subarray(a, b))).toBe(true);
        }
      }
    });

    it('rejects malformed ranges and treats a range past the end as corruption', async () => {
      const id = await putNew(randomBytes(1000));
      await rejectsWith(store.read(id, { offset: -1, length: 2 }), 'InvalidArgument');
      await rejectsWith(store.read(id, { offset: 0.5, length: 2 }), 'InvalidArgument');
      await rejectsWith(store.read(id, { offset: 999, length: 2 }), 'DataCorrupted');
      await rejectsWith(store.read(id, { offset: 1001, length: 0 }), 'DataCorrupted');
    });

    it('reports a missing chunk as DataCorrupted (referenced data is lost)', async () => {
      const id = await store.allocate(intent(), 0);
      await rejectsWith(store.read(id), 'DataCorrupted', /missing/);
      await rejectsWith(store.read(id, { offset: 0, length: 1 }), 'DataCorrupted', /missing/);
    });

    it('is write-once: a second put to an id rejects and keeps the first data', async () => {
      const data = randomBytes(5000);
      const id = await putNew(data);
      await expect(store.put(id, [randomBytes(5000)])).rejects.toThrow();
      expect((await store.read(id)).equals(data)).toBe(true);
    });

    it('deletes idempotently', async () => {
      const i = intent();
      const keep = await putNew(randomBytes(10), i, 0);
      const gone = await putNew(randomBytes(10), i, 1);
      await store.delete(gone);
      await store.delete(gone);
      await store.delete(await store.allocate(intent(), 7));
      await rejectsWith(store.read(gone), 'DataCorrupted');
      if (listing) expect(await listIntent(i)).toEqual([keep]);
      else expect(await listAll()).toEqual(expect.arrayContaining([keep]));
      if (!listing) expect(await listAll()).not.toContain(gone);
      await store.delete(keep);
      if (listing) expect(await listIntent(i)).toEqual([]);
      else expect(await listAll()).not.toContain(keep);
      await rejectsWith(store.read(keep), 'DataCorrupted');
    });

    if (!listing) {
      it('deleteIntent is idempotent and never touches stored chunks (the recorded ids are the reclaim path)', async () => {
        const a = intent();
        const ids = [await putNew(randomBytes(100), a, 0), await putNew(randomBytes(100), a, 1)];
        await store.deleteIntent(a);
        await store.deleteIntent(a);
        await store.deleteIntent(intent());
        for (const id of ids) expect((await store.read(id)).length).toBe(100);
        expect(await listAll()).toEqual(expect.arrayContaining(ids));
      });

      it('lists as stored only chunks that were put', async () => {
        const i = intent();
        const allocated = await store.allocate(i, 3);
        const ids = [await putNew(randomBytes(1), i, 10), await putNew(randomBytes(1), i, 2)];
        const all = await listAll();
        for (const id of ids) expect(all).toContain(id);
        expect(all).not.toContain(allocated);
      });
    }

    if (listing) it('deleteIntent removes every chunk of that intent and nothing else, idempotently', async () => {
      const [a, b] = [intent(), intent()];
      const aIds = [await putNew(randomBytes(100), a, 0), await putNew(randomBytes(100), a, 1), await putNew(randomBytes(1), a, 2)];
      const bId = await putNew(randomBytes(100), b, 0);
      expect(await listIntent(a)).toEqual(aIds);
      await store.deleteIntent(a);
      await store.deleteIntent(a);
      await store.deleteIntent(intent());
      expect(await listIntent(a)).toEqual([]);
      for (const id of aIds) await rejectsWith(store.read(id), 'DataCorrupted');
      expect((await store.read(bId)).length).toBe(100);
      const all = await listAll();
      expect(all).toContain(bId);
      for (const id of aIds) expect(all).not.toContain(id);
    });

    if (listing) it('lists chunks in seq order and only once stored', async () => {
      const i = intent();
      const allocated = await store.allocate(i, 3);
      const ids = [await putNew(randomBytes(1), i, 10), await putNew(randomBytes(1), i, 2), await putNew(randomBytes(1), i, 0)];
      expect(await listIntent(i)).toEqual([ids[2], ids[1], ids[0]]);
      const all = await listAll();
      for (const id of ids) expect(all).toContain(id);
      expect(all).not.toContain(allocated);
    });

    it.each([0, 1, 65535, 65536, 150_000])('detects a flipped byte at offset %i', async (at) => {
      const data = randomBytes(150_001);
      const id = await putNew(data);
      await h.corrupt(id, { kind: 'flip', at });
      await rejectsWith(store.read(id), 'DataCorrupted');
      await rejectsWith(store.read(id, { offset: at, length: 1 }), 'DataCorrupted');
      await rejectsWith(store.read(id, { offset: Math.max(0, at - 10), length: 20 }), 'DataCorrupted');
    });

    it('an opened chunk (openChunk, where offered) reads what read does, verified, and survives a delete', async () => {
      if (!store.openChunk) return;
      const data = randomBytes(3 * 65536 + 123);
      const id = await putNew(data);
      const reader = await store.openChunk(id);
      try {
        const pieces = await Promise.all([0, 70_000, 140_000].map((offset) => reader.read({ offset, length: Math.min(70_000, data.length - offset) })));
        expect(Buffer.concat(pieces).equals(data.subarray(0, 210_000))).toBe(true);
        await rejectsWith(reader.read({ offset: -1, length: 2 }), 'InvalidArgument');
        await rejectsWith(reader.read({ offset: data.length - 1, length: 2 }), 'DataCorrupted');
        await store.delete(id);
        expect((await reader.read({ offset: 5, length: 10 })).equals(data.subarray(5, 15))).toBe(true);
      } finally {
        await reader.close();
      }
      await rejectsWith(store.openChunk(id), 'DataCorrupted');
      await rejectsWith(store.openChunk('../../etc/passwd'), 'InvalidArgument');
      const flipped = await putNew(randomBytes(150_001));
      await h.corrupt(flipped, { kind: 'flip', at: 65_536 });
      const bad = await store.openChunk(flipped);
      try {
        expect((await bad.read({ offset: 0, length: 1000 })).length).toBe(1000);
        await rejectsWith(bad.read({ offset: 65_000, length: 1000 }), 'DataCorrupted');
      } finally {
        await bad.close();
      }
    });

    it('detects a truncated chunk', async () => {
      const id = await putNew(randomBytes(70_000));
      await h.corrupt(id, { kind: 'truncate' });
      await rejectsWith(store.read(id), 'DataCorrupted');
      await rejectsWith(store.read(id, { offset: 0, length: 10 }), 'DataCorrupted');
    });

    it('rejects hostile chunk ids on every method with InvalidArgument', async () => {
      for (const id of HOSTILE_IDS) {
        await rejectsWith(store.put(id, [Buffer.from('x')]), 'InvalidArgument');
        await rejectsWith(store.read(id), 'InvalidArgument');
        await rejectsWith(store.read(id, { offset: 0, length: 1 }), 'InvalidArgument');
        await rejectsWith(store.delete(id), 'InvalidArgument');
      }
    });

    it('rejects hostile intent ids with InvalidArgument', async () => {
      for (const i of HOSTILE_INTENT_IDS) {
        await rejectsWith(store.allocate(i, 0), 'InvalidArgument');
        await rejectsWith(store.deleteIntent(i), 'InvalidArgument');
        if (store.listIntentChunks) await rejectsWith(store.listIntentChunks(i), 'InvalidArgument');
      }
      await rejectsWith(store.allocate(intent(), -1), 'InvalidArgument');
      await rejectsWith(store.allocate(intent(), 1.5), 'InvalidArgument');
    });

    if (streamedWrites) describe('chunks written as they arrive (openWrite)', () => {
      const openWrite = (id: string) => {
        if (!store.openWrite) throw new Error('store offers no openWrite');
        return store.openWrite(id);
      };

      it.each([0, 1, 65537, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 4097])('round-trips %i bytes appended in random slices, as put does', async (size) => {
        const data = randomBytes(size);
        const id = await store.allocate(intent(), 0);
        const w = openWrite(id);
        for (const s of splitRandomly(data, 1 + Math.floor(Math.random() * 40))) w.append(s);
        await w.finish();
        expect((await store.read(id)).equals(data)).toBe(true);
        const mid = Math.floor(size / 2);
        expect((await store.read(id, { offset: mid, length: size - mid })).equals(data.subarray(mid))).toBe(true);
      });

      it('shows nothing under the id before finish, and nothing at all after abort', async () => {
        const intentId = intent();
        const id = await store.allocate(intentId, 0);
        const w = openWrite(id);
        for (let i = 0; i < 5; i++) w.append(randomBytes(700 * 1024));
        await new Promise((r) => setTimeout(r, 20)); // background writes run meanwhile
        await rejectsWith(store.read(id), 'DataCorrupted');
        expect(await listAll()).toEqual([]);
        await w.abort();
        await w.abort(); // idempotent
        await rejectsWith(store.read(id), 'DataCorrupted');
        expect(await listAll()).toEqual([]);
        if (listing) expect(await listIntent(intentId)).toEqual([]);
        expect(() => w.append(Buffer.from('late'))).toThrow();
      });

      it('is write-once like put: finishing a second write of an id rejects and keeps the first', async () => {
        const first = randomBytes(1024 * 1024 + 99);
        const id = await putNew(first);
        const w = openWrite(id);
        w.append(randomBytes(2 * 1024 * 1024));
        await expect(w.finish()).rejects.toThrow(/write-once|exists/);
        expect((await store.read(id)).equals(first)).toBe(true);
        expect(await listAll()).toEqual([id]);
      });

      it('refuses hostile ids before writing anything', async () => {
        for (const id of HOSTILE_IDS) {
          let err: unknown;
          try {
            openWrite(id);
          } catch (e) {
            err = e;
          }
          await rejectsWith(Promise.reject(err), 'InvalidArgument');
        }
      });

      it('keeps concurrent writes apart', async () => {
        const jobs = await Promise.all(
          Array.from({ length: 6 }, async (_, k) => ({ id: await store.allocate(intent(), k), data: randomBytes(512 * 1024 * (k + 1) + k) })),
        );
        const writes = jobs.map((j) => ({ w: openWrite(j.id), parts: splitRandomly(j.data, 12) }));
        for (let i = 0; i < 12; i++) for (const { w, parts } of writes) w.append(parts[i]);
        await Promise.all(writes.map(({ w }) => w.finish()));
        for (const j of jobs) expect((await store.read(j.id)).equals(j.data)).toBe(true);
      });
    });

    it('handles concurrent puts and reads', async () => {
      const intents = [intent(), intent(), intent()];
      const jobs = Array.from({ length: 24 }, (_, k) => ({ intentId: intents[k % 3], seq: k, data: randomBytes(1000 + k * 977) }));
      const ids = await Promise.all(
        jobs.map(async (j) => {
          const id = await store.allocate(j.intentId, j.seq, j.data.length);
          return (await store.put(id, splitRandomly(j.data, 3))) || id;
        }),
      );
      const back = await Promise.all(ids.map((id) => store.read(id)));
      back.forEach((b, k) => expect(b.equals(jobs[k].data)).toBe(true));
      if (listing) expect((await listIntent(intents[0])).length).toBe(8);
      else expect(await listAll()).toEqual(expect.arrayContaining(ids));
    });
  });
}
