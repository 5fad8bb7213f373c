import { constants } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, readlink, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { closingStores, describeChunkStoreContract, HOSTILE_IDS, type ChunkStoreHarness } from './testing';
import { LocalDiskStore, type LocalDiskStoreOptions } from './local-disk-store';
import { encodeTrailer, FOOTER_SIZE } from './chunk-format';
import { sharedReadBuffers } from './read-buffers';

/** Stores a test opens are closed after it. */
const keep = closingStores();

async function flipByte(path: string, at: number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] ^= 0x01;
    await fh.write(b, 0, 1, at);
  } finally {
    await fh.close();
  }
}

/** A LocalDiskStore in a fresh directory, with the damage the contract injects. */
function diskContract(options: LocalDiskStoreOptions = {}): () => Promise<ChunkStoreHarness> {
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blob-core-lds-'));
    const store = keep(new LocalDiskStore(dir, options));
    return {
      store,
      corrupt: async (id, damage) =>
        damage.kind === 'flip'
          ? flipByte(store.pathOf(id), damage.at)
          : truncate(store.pathOf(id), (await stat(store.pathOf(id))).size - 1),
      close: () => rm(dir, { recursive: true, force: true }),
    };
  };
}

/** Makes `open` throw `code` for the calls `refuse` picks (a filesystem's answers); restore it after. */
function failOpens(refuse: (flags: number) => string | undefined): jest.SpyInstance {
  const fsp = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
  const realOpen = fsp.open;
  return jest.spyOn(fsp, 'open').mockImplementation(async (path, flags, mode) => {
    const code = typeof flags === 'number' ? refuse(flags) : undefined;
    if (code) throw Object.assign(new Error(`${code}: open '${String(path)}'`), { code });
    return realOpen(path, flags, mode);
  });
}

/** Descriptors this process has open on files under `dir` (from /proc/self/fd); `dirs`: on directories instead. */
async function fdsUnder(dir: string, { dirs = false } = {}): Promise<string[]> {
  const out: string[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(join('/proc/self/fd', fd)).catch(() => '');
    if (!target.startsWith(dir)) continue;
    const isDir = await stat(target).then((s) => s.isDirectory(), () => false);
    if (isDir === dirs) out.push(target);
  }
  return out.sort();
}

describeChunkStoreContract('LocalDiskStore', diskContract(), { streamedWrites: true });
describeChunkStoreContract('LocalDiskStore through the page cache (--disk-io buffered)', diskContract({ directIo: false }), { streamedWrites: true });
describeChunkStoreContract('LocalDiskStore owned by a replica', diskContract({ replicaId: 'massive-blob-3' }), { streamedWrites: true });

describe('LocalDiskStore', () => {
  let dir: string;
  let store: LocalDiskStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blob-core-lds-'));
    store = keep(new LocalDiskStore(join(dir, 'data'), { blockSize: 4096 }));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('lays chunks out as <dir>/chunks/<fan>/<intentId>.<seq> with a trailer and footer', async () => {
    const id = await store.allocate('intent-1', 3);
    expect(id).toBe('intent-1.3');
    await store.put(id, [randomBytes(10_000)]);
    const path = store.pathOf(id);
    expect(path).toMatch(/\/data\/chunks\/[0-9a-f]{2}\/intent-1\.3$/);
    // 10,000 + 3 × 4 + 32 = 10,044 bytes, padded to whole 4 KiB blocks (chunk format 2).
    expect((await stat(path)).size).toBe(3 * 4096);
    expect(await readdir(join(path, '..'))).toEqual(['intent-1.3']);
  });

  // The process's pool is shared by every store, so its state carries over from earlier tests: aligned
  // buffers they read and never handed back stay counted until the GC collects them. The second case
  // makes that state certain: every aligned buffer allowed is out, held here (CI once met it by chance).
  it.each([
    ['', 0],
    [' (also while every aligned buffer allowed is out, lent and not handed back)', 64],
  ])('reads handed back are reused for later reads, which still return exactly their own bytes%s', async (_, held) => {
    const out = Array.from({ length: held }, () => sharedReadBuffers().acquire(4096));
    const datas = [randomBytes(300_000), randomBytes(1024 * 1024), randomBytes(70_000)];
    const ids = await Promise.all(datas.map((_, i) => store.allocate('reuse', i)));
    for (const [i, id] of ids.entries()) await store.put(id, [datas[i]]);
    const seen = new Set<ArrayBufferLike>();
    for (let round = 0; round < 3; round++) {
      for (const [i, id] of ids.entries()) {
        const whole = await store.read(id);
        expect(whole.equals(datas[i])).toBe(true);
        const part = await store.read(id, { offset: 4095, length: 5000 });
        expect(part.equals(datas[i].subarray(4095, 9095))).toBe(true);
        const reader = await store.openChunk(id);
        const piece = await reader.read({ offset: 10, length: 60_000 });
        expect(piece.equals(datas[i].subarray(10, 60_010))).toBe(true);
        await reader.close();
        for (const b of [whole, part, piece]) {
          seen.add(b.buffer);
          store.release(b);
        }
      }
    }
    // 27 reads through a few buffers: the memory went round.
    expect(seen.size).toBeLessThan(9);
    for (const b of out) sharedReadBuffers().release(b);
  });

  it('creates all 256 fan directories on the first write, and never a directory after', async () => {
    await expect(readdir(join(dir, 'data', 'chunks'))).rejects.toMatchObject({ code: 'ENOENT' });
    await store.put(await store.allocate('first', 0), [Buffer.from('a')]);
    const fans = await readdir(join(dir, 'data', 'chunks'));
    expect(fans).toHaveLength(256);
    expect(fans.every((f) => /^[0-9a-f]{2}$/.test(f))).toBe(true);
    for (let i = 0; i < 20; i++) await store.put(await store.allocate(`w${i}`, 0), [Buffer.from('b')]);
    for (const f of fans) {
      for (const n of await readdir(join(dir, 'data', 'chunks', f))) expect((await stat(join(dir, 'data', 'chunks', f, n))).isFile()).toBe(true);
    }
  });

  it('still reads, lists, sweeps and deletes chunks of the per-intent directory layout (written before 2026-12)', async () => {
    // Build the old layout by hand: <fan>/<intentId>/<seq>, plus a dead writer's temp file.
    const ids = [await store.allocate('old', 0), await store.allocate('old', 1)];
    for (const id of ids) await store.put(id, [Buffer.from(id)]);
    const fan = join(store.pathOf(ids[0]), '..');
    await mkdir(join(fan, 'old'));
    for (const [i, id] of ids.entries()) await rename(store.pathOf(id), join(fan, 'old', String(i)));
    await writeFile(join(fan, 'old', '.2.0123456789ab.0.tmp'), 'partial');
    expect((await store.read('old.1')).toString()).toBe('old.1');
    expect((await store.read('old.0', { offset: 1, length: 2 })).toString()).toBe('ld');
    expect(await store.listIntentChunks('old')).toEqual(ids);
    const all: string[] = [];
    for await (const id of store.listChunks()) all.push(id);
    expect(all.sort()).toEqual(ids);
    expect(await store.sweepTemp()).toBe(1);
    // A new chunk of the same intent goes to the flat layout; both are listed.
    await store.put(await store.allocate('old', 2), [Buffer.from('new')]);
    expect(await store.listIntentChunks('old')).toEqual([...ids, 'old.2']);
    await store.delete('old.0');
    await store.delete('old.1');
    // The emptied legacy directory is removed.
    await expect(stat(join(fan, 'old'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await store.listIntentChunks('old')).toEqual(['old.2']);
    await mkdir(join(fan, 'old'));
    await writeFile(join(fan, 'old', '7'), 'x');
    await store.deleteIntent('old');
    expect(await store.listIntentChunks('old')).toEqual([]);
    await expect(stat(join(fan, 'old'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('serves ranges that avoid a damaged block and rejects those that touch it', async () => {
    const data = randomBytes(5 * 4096);
    const id = await store.allocate('i', 0);
    await store.put(id, [data]);
    await flipByte(store.pathOf(id), 2 * 4096 + 7);
    expect((await store.read(id, { offset: 0, length: 2 * 4096 })).equals(data.subarray(0, 8192))).toBe(true);
    expect((await store.read(id, { offset: 3 * 4096, length: 4096 })).equals(data.subarray(12288, 16384))).toBe(true);
    await expect(store.read(id, { offset: 8191, length: 2 })).rejects.toMatchObject({ code: 'DataCorrupted' });
  });

  it.each([
    ['a trailer byte', () => 9000 + 5], // 9,000 bytes of data, then the trailer
    ['a footer byte', (size: number) => size - 10],
    ['the magic', (size: number) => size - FOOTER_SIZE],
  ])('detects damage to %s', async (_what, where) => {
    const id = await store.allocate('i', 0);
    await store.put(id, [randomBytes(9000)]);
    const { size } = await stat(store.pathOf(id));
    await flipByte(store.pathOf(id), where(size));
    await expect(store.read(id)).rejects.toMatchObject({ code: 'DataCorrupted' });
    await expect(store.read(id, { offset: 0, length: 1 })).rejects.toMatchObject({ code: 'DataCorrupted' });
  });

  it('reads trailers that do not fit in one tail read', async () => {
    const data = randomBytes(1500 * 64);
    const small = keep(new LocalDiskStore(join(dir, 'data'), { blockSize: 64 }));
    const id = await small.allocate('big-trailer', 0);
    await small.put(id, [data]);
    expect((await small.read(id, { offset: 5000, length: 70_000 })).equals(data.subarray(5000, 75_000))).toBe(true);
  });

  it('never touches a path outside its directory for hostile ids', async () => {
    const outside = join(dir, 'victim.0');
    await writeFile(outside, 'precious');
    for (const id of [...HOSTILE_IDS, '../victim.0', '../../victim.0']) {
      await expect(store.delete(id)).rejects.toMatchObject({ code: 'InvalidArgument' });
      await expect(store.put(id, [Buffer.from('x')])).rejects.toMatchObject({ code: 'InvalidArgument' });
    }
    expect((await stat(outside)).size).toBe(8);
  });

  it('deleteIntent removes only that intent (not one whose id it prefixes), temp files included', async () => {
    for (const i of ['ab', 'abc', 'ab_']) for (let seq = 0; seq < 2; seq++) await store.put(await store.allocate(i, seq), [Buffer.from(i)]);
    await writeFile(join(store.pathOf('ab.0'), '..', '.ab.5.0123456789ab.0.tmp'), 'partial');
    await store.deleteIntent('ab');
    expect(await store.listIntentChunks('ab')).toEqual([]);
    expect(await store.listIntentChunks('abc')).toEqual(['abc.0', 'abc.1']);
    expect(await store.listIntentChunks('ab_')).toEqual(['ab_.0', 'ab_.1']);
    expect(await store.sweepTemp()).toBe(0);
  });

  it('sweeps temp files of dead writers but not its own', async () => {
    const id = await store.allocate('sweep', 0);
    await store.put(id, [Buffer.from('kept')]);
    const fanDir = join(store.pathOf(id), '..');
    await writeFile(join(fanDir, '.sweep.1.0123456789ab.0.tmp'), 'partial');
    const mine = (store as unknown as { instance: string }).instance;
    await writeFile(join(fanDir, `.sweep.2.${mine}.9.tmp`), 'in flight');
    expect(await store.listIntentChunks('sweep')).toEqual([id]);
    await writeFile(join(dir, 'data', 'chunks', '.direct-io-probe.0123456789ab'), 'a probe of a dead process');
    expect(await store.sweepTemp()).toBe(2);
    expect((await readdir(join(dir, 'data', 'chunks'))).filter((n) => n.startsWith('.'))).toEqual([]);
    expect((await readdir(fanDir)).sort()).toEqual([`.sweep.2.${mine}.9.tmp`, 'sweep.0']);
    expect((await store.read(id)).toString()).toBe('kept');
  });

  it('on a replica: mints owned ids, lists them owned, and refuses chunks of other replicas as Unavailable', async () => {
    const mine = keep(new LocalDiskStore(join(dir, 'data'), { replicaId: 'blob-a' }));
    const id = await mine.allocate('owned', 2);
    expect(id).toBe('@blob-a/owned.2');
    await mine.put(id, [Buffer.from('mine')]);
    expect(await mine.listIntentChunks('owned')).toEqual([id]);
    // The plain form names the same file (ids stored before the disk had a replica id).
    expect((await mine.read('owned.2')).toString()).toBe('mine');
    expect(mine.pathOf('owned.2')).toBe(mine.pathOf(id));
    for (const other of ['@blob-b/owned.2', '@blob-b/nothing.0']) {
      await expect(mine.read(other)).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringMatching(/belongs to blob replica blob-b, not to blob replica blob-a/) });
      await expect(mine.delete(other)).rejects.toMatchObject({ code: 'Unavailable' });
      await expect(mine.put(other, [Buffer.from('x')])).rejects.toMatchObject({ code: 'Unavailable' });
    }
    // A store without a replica id (local mode) refuses owned ids too, rather than guessing.
    await expect(store.read(id)).rejects.toMatchObject({ code: 'Unavailable' });
    expect((await mine.read(id)).toString()).toBe('mine');
    expect(() => new LocalDiskStore(dir, { replicaId: 'Bad_Id' })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  describe('direct I/O', () => {
    // Sizes around the 4 KiB blocks (the trailer and footer of 4096 - 36 bytes fill one exactly).
    const SIZES = [0, 1, 4096 - 36, 4096 - 35, 4096, 65_536, 1024 * 1024 - 1, 1024 * 1024 + 4097, 3 * 1024 * 1024 + 100];

    it.each(SIZES)('a %i-byte chunk has the same size and layout, whichever mode writes or reads it', async (size) => {
      const direct = keep(new LocalDiskStore(join(dir, 'data'), { blockSize: 4096 }));
      const buffered = keep(new LocalDiskStore(join(dir, 'data'), { blockSize: 4096, directIo: false }));
      const data = randomBytes(size);
      const a = Math.min(3, size);
      const b = Math.max(a, Math.floor(size / 2));
      const pieces = [data.subarray(0, a), data.subarray(a, b), data.subarray(b)];
      for (const [writer, reader, seq] of [[direct, buffered, 0], [buffered, direct, 1], [direct, direct, 2]] as const) {
        const id = await writer.allocate(`dio-${size}`, seq);
        await writer.put(id, pieces);
        expect((await stat(writer.pathOf(id))).size).toBe(Math.ceil((size + 4 * Math.ceil(size / 4096) + FOOTER_SIZE) / 4096) * 4096);
        expect((await reader.read(id)).equals(data)).toBe(true);
        if (size > 10) {
          const at = Math.floor(size / 3) + 1;
          expect((await reader.read(id, { offset: at, length: size - at - 1 })).equals(data.subarray(at, size - 1))).toBe(true);
          const chunk = await reader.openChunk(id);
          try {
            expect((await chunk.read({ offset: 5, length: 5 })).equals(data.subarray(5, 10))).toBe(true);
          } finally {
            await chunk.close();
          }
        }
      }
      expect(buffered.directIo).toBe(false);
    });

    it('writes a chunk through one direct descriptor (none buffered for its end), a MiB per write, the last with the trailer', async () => {
      const s = keep(new LocalDiskStore(join(dir, 'data'), { blockSize: 4096 }));
      await s.put(await s.allocate('one-fd', 0), [Buffer.from('the fan directories and the probe')]);
      const opens: number[] = [];
      const spy = failOpens((flags) => void opens.push(flags));
      const probe = await open(join(dir, 'probe'), 'w');
      const writes = jest.spyOn(Object.getPrototypeOf(probe) as { write: () => unknown }, 'write');
      await probe.close();
      try {
        for (const [seq, size, pwrites] of [[1, 10_000, 1], [2, 1024 * 1024, 1], [3, 1024 * 1024 + 5, 2], [4, 3 * 1024 * 1024, 3]] as const) {
          opens.length = 0;
          writes.mockClear();
          const data = randomBytes(size);
          await s.put(await s.allocate('one-fd', seq), [data]);
          expect(opens).toEqual([constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_DIRECT as number)]);
          expect(writes).toHaveBeenCalledTimes(pwrites);
          expect((await s.read(`one-fd.${seq}`)).equals(data)).toBe(true);
        }
      } finally {
        spy.mockRestore();
        writes.mockRestore();
      }
    });

    it('reads chunk files of format 1 (no padding: written before 2026-12-07), whole, in ranges and opened', async () => {
      const data = randomBytes(100_000);
      const id = await store.allocate('v1', 0);
      await store.put(id, [Buffer.from('makes the fan directories')]);
      const path = store.pathOf(id);
      await writeFile(path, Buffer.concat([data, encodeTrailer([data], 4096, 1)]));
      expect((await stat(path)).size).toBe(100_000 + 25 * 4 + FOOTER_SIZE);
      for (const s of [store, keep(new LocalDiskStore(join(dir, 'data'), { directIo: false }))]) {
        expect((await s.read(id)).equals(data)).toBe(true);
        expect((await s.read(id, { offset: 4095, length: 70_000 })).equals(data.subarray(4095, 74_095))).toBe(true);
        const chunk = await s.openChunk(id);
        expect((await chunk.read({ offset: 99_990, length: 10 })).equals(data.subarray(99_990))).toBe(true);
        await chunk.close();
      }
      // Damage to its trailer is found too.
      await flipByte(path, 100_000 + 9);
      await expect(keep(new LocalDiskStore(join(dir, 'data'))).read(id)).rejects.toMatchObject({ code: 'DataCorrupted' });
    });

    it('reads go on when the disk takes no writes (the probe fails), and an O_DIRECT open refused then falls back', async () => {
      const data = randomBytes(300_000);
      const writer = keep(new LocalDiskStore(join(dir, 'data')));
      await writer.put(await writer.allocate('ro', 0), [data]);
      let refuseDirectReads = false;
      let creates = 0;
      const spy = failOpens((flags) => {
        if ((flags & constants.O_CREAT) !== 0) {
          creates++;
          return 'EROFS';
        }
        return refuseDirectReads && (flags & (constants.O_DIRECT as number)) !== 0 ? 'EINVAL' : undefined;
      });
      try {
        const refused: unknown[] = [];
        const reader = keep(new LocalDiskStore(join(dir, 'data'), { onDirectIoRefused: (e) => refused.push(e) }));
        expect((await reader.read('ro.0')).equals(data)).toBe(true);
        expect((await reader.read('ro.0', { offset: 1, length: 10 })).equals(data.subarray(1, 11))).toBe(true);
        expect(reader.directIo).toBe(true);
        expect(creates).toBe(1); // the probe was tried once, not on every read
        refuseDirectReads = true;
        const other = keep(new LocalDiskStore(join(dir, 'data'), { onDirectIoRefused: (e) => refused.push(e) }));
        expect((await other.read('ro.0', { offset: 7, length: 70_000 })).equals(data.subarray(7, 70_007))).toBe(true);
        expect((await other.read('ro.0')).equals(data)).toBe(true);
        expect(other.directIo).toBe(false);
        expect(refused).toEqual([expect.objectContaining({ code: 'EINVAL' })]);
      } finally {
        spy.mockRestore();
      }
    });

    it('a filesystem that refuses O_DIRECT turns it off once, with a warning, and nothing is lost', async () => {
      const spy = failOpens((flags) => ((flags & (constants.O_DIRECT as number)) !== 0 ? 'EINVAL' : undefined));
      try {
        const refused: unknown[] = [];
        const s = keep(new LocalDiskStore(join(dir, 'data'), { onDirectIoRefused: (e) => refused.push(e) }));
        const data = randomBytes(200_000);
        await Promise.all([0, 1, 2].map(async (seq) => s.put(await s.allocate('refused', seq), [data])));
        expect(s.directIo).toBe(false);
        expect(refused).toHaveLength(1);
        expect(refused[0]).toMatchObject({ code: 'EINVAL' });
        for (const seq of [0, 1, 2]) expect((await s.read(`refused.${seq}`)).equals(data)).toBe(true);
        expect((await readdir(join(dir, 'data', 'chunks'))).filter((n) => n.startsWith('.'))).toEqual([]);
      } finally {
        spy.mockRestore();
      }
    });
  });

  it('deletes every chunk of an intent concurrently (the last ones race to remove the directory)', async () => {
    for (let round = 0; round < 5; round++) {
      const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => store.allocate(`race-${round}`, i)));
      for (const id of ids) await store.put(id, [Buffer.from(id)]);
      await Promise.all(ids.map((id) => store.delete(id)));
      expect(await store.listIntentChunks(`race-${round}`)).toEqual([]);
    }
  });

  describe('chunk files kept open between reads', () => {
    const opens = () => {
      const fsp = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
      return jest.spyOn(fsp, 'open');
    };
    afterEach(() => jest.restoreAllMocks());

    it('reads of a chunk in a row open its file once (whole, ranged, openChunk), and read the same bytes', async () => {
      const data = randomBytes(70_000);
      const id = await store.allocate('kept', 0);
      await store.put(id, [data]);
      const spy = opens();
      for (let i = 0; i < 3; i++) expect((await store.read(id)).equals(data)).toBe(true);
      expect((await store.read(id, { offset: 4095, length: 9000 })).equals(data.subarray(4095, 13_095))).toBe(true);
      const reader = await store.openChunk(id);
      expect((await reader.read({ offset: 60_000, length: 10_000 })).equals(data.subarray(60_000))).toBe(true);
      await reader.close();
      expect(spy).toHaveBeenCalledTimes(1);
      expect(store.openFiles).toEqual({ open: 1, reused: 4 });
      expect(await fdsUnder(dir)).toEqual([store.pathOf(id)]);
    });

    it('a delete closes the kept file, and later reads find the chunk missing', async () => {
      const ids = [await store.allocate('gone', 0), await store.allocate('gone', 1), await store.allocate('other', 0)];
      for (const id of ids) await store.put(id, [Buffer.from(id)]);
      for (const id of ids) await store.read(id);
      expect((await fdsUnder(dir)).length).toBe(3);
      await store.delete(ids[0]);
      await expect(store.read(ids[0])).rejects.toMatchObject({ code: 'DataCorrupted', message: expect.stringMatching(/missing/) });
      await store.deleteIntent('gone');
      await expect(store.read(ids[1], { offset: 0, length: 1 })).rejects.toMatchObject({ code: 'DataCorrupted' });
      // The deleted files' space is given back: nothing holds them open.
      expect(await fdsUnder(dir)).toEqual([store.pathOf(ids[2])]);
      expect((await store.read(ids[2])).toString()).toBe(ids[2]);
    });

    it('reads in flight on a kept file when its chunk is deleted return their bytes; the file closes after them', async () => {
      const data = randomBytes(3 * 4096);
      const id = await store.allocate('racing', 0);
      await store.put(id, [data]);
      await store.read(id);
      // These take the kept descriptor at once (before the delete below starts).
      const reads = [store.read(id), store.read(id, { offset: 100, length: 5000 })];
      await store.delete(id);
      const [whole, part] = await Promise.all(reads);
      expect(whole.equals(data)).toBe(true);
      expect(part.equals(data.subarray(100, 5100))).toBe(true);
      expect(await fdsUnder(dir)).toEqual([]);
      await expect(store.read(id)).rejects.toMatchObject({ code: 'DataCorrupted' });
    });

    it('a read that opens the file while its delete is under way does not keep it open', async () => {
      const id = await store.allocate('window', 0);
      await store.put(id, [Buffer.from('bytes')]);
      // Hold the unlink until a read has opened the file (between the delete's start and its unlink).
      const fsp = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
      const realUnlink = fsp.unlink;
      let go!: () => void;
      const gate = new Promise<void>((r) => (go = r));
      jest.spyOn(fsp, 'unlink').mockImplementation(async (path) => {
        await gate;
        return realUnlink(path);
      });
      const deleting = store.delete(id);
      expect((await store.read(id)).toString()).toBe('bytes');
      expect(await fdsUnder(dir)).toEqual([store.pathOf(id)]);
      go();
      await deleting;
      expect(await fdsUnder(dir)).toEqual([]);
      await expect(store.read(id)).rejects.toMatchObject({ code: 'DataCorrupted' });
    });

    it('keeps at most `openFiles` open, closes them when idle and on close()', async () => {
      // The bound is checked with an idle time no slow machine reaches (CI once took over 100 ms to
      // read four chunks, and the idle close ran first); idle closing with a short one, polled.
      const bounded = keep(new LocalDiskStore(join(dir, 'data'), { blockSize: 4096, openFiles: 2, openFileIdleMs: 60_000 }));
      const ids = await Promise.all([0, 1, 2, 3].map((i) => bounded.allocate('bounded', i)));
      for (const id of ids) await bounded.put(id, [Buffer.from(id)]);
      for (const id of ids) expect((await bounded.read(id)).toString()).toBe(id);
      expect(await fdsUnder(dir)).toEqual([bounded.pathOf(ids[2]), bounded.pathOf(ids[3])].sort());
      bounded.close();
      await new Promise((r) => setImmediate(r));
      expect(await fdsUnder(dir)).toEqual([]);

      const idle = keep(new LocalDiskStore(join(dir, 'data'), { blockSize: 4096, openFiles: 2, openFileIdleMs: 100 }));
      await idle.read(ids[0]);
      await idle.read(ids[1]);
      for (const until = Date.now() + 10_000; (await fdsUnder(dir)).length > 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
      expect(await fdsUnder(dir)).toEqual([]); // closed by the idle timer, not by close()
      idle.close();
    });

    it('writes into a fan directory open it once for their directory fsyncs; close() closes it, and a later write opens it again', async () => {
      const kept = keep(new LocalDiskStore(join(dir, 'data'), { blockSize: 4096 }));
      const ids = await Promise.all([0, 1, 2].map((i) => kept.allocate('one-fan', i)));
      await kept.put(ids[0], [Buffer.from('warm')]); // the first write creates the fan directories
      const fan = dirname(kept.pathOf(ids[0]));
      const spy = opens();
      await kept.put(ids[1], [Buffer.from(ids[1])]);
      await Promise.all([kept.put(ids[2], [Buffer.from(ids[2])]), kept.delete(ids[0])]);
      expect(spy.mock.calls.filter(([path]) => path === fan)).toEqual([]);
      expect(await fdsUnder(dir, { dirs: true })).toEqual([fan]);
      for (const id of ids.slice(1)) expect((await kept.read(id)).toString()).toBe(id);
      kept.close();
      await new Promise((r) => setImmediate(r));
      expect(await fdsUnder(dir, { dirs: true })).toEqual([]);
      const after = await kept.allocate('one-fan', 3);
      await kept.put(after, [Buffer.from(after)]);
      expect(spy.mock.calls.filter(([path]) => path === fan)).toHaveLength(1);
      kept.close();
    });

    it('a damaged file read through a kept descriptor is still caught, and the descriptor dropped', async () => {
      const data = randomBytes(5 * 4096);
      const id = await store.allocate('damaged-later', 0);
      await store.put(id, [data]);
      expect((await store.read(id)).equals(data)).toBe(true);
      await flipByte(store.pathOf(id), 4096 + 1);
      await expect(store.read(id)).rejects.toMatchObject({ code: 'DataCorrupted' });
      expect(await fdsUnder(dir)).toEqual([]);
      await truncate(store.pathOf(id), 4096);
      await expect(store.read(id)).rejects.toMatchObject({ code: 'DataCorrupted' });
    });
  });

  describe('chunks written as they arrive (openWrite)', () => {
    const MiB = 1024 * 1024;
    /** Sizes of the temp files in `fan` (none before the fan directories are made). */
    const temps = async (fan: string): Promise<number[]> => {
      const out: number[] = [];
      for (const n of await readdir(fan).catch(() => [])) if (n.endsWith('.tmp')) out.push((await stat(join(fan, n)).catch(() => ({ size: -1 }))).size);
      return out;
    };
    const until = async (cond: () => Promise<boolean>): Promise<void> => {
      for (let i = 0; i < 500 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await cond()).toBe(true);
    };

    it('writes whole MiB to the temp file while the rest is still coming; the chunk appears at finish, the same file a put makes', async () => {
      const data = randomBytes(3 * MiB + 5000);
      const id = await store.allocate('stream', 0);
      const fan = dirname(store.pathOf(id));
      const w = store.openWrite(id);
      w.append(data.subarray(0, 1000));
      w.append(data.subarray(1000, 2.5 * MiB));
      await until(async () => (await temps(fan)).some((size) => size >= 2 * MiB));
      await expect(stat(store.pathOf(id))).rejects.toMatchObject({ code: 'ENOENT' });
      w.append(data.subarray(2.5 * MiB));
      await w.finish();
      expect(await temps(fan)).toEqual([]);
      const put = await store.allocate('stream', 1);
      await store.put(put, [data]);
      expect((await readFile(store.pathOf(id))).equals(await readFile(store.pathOf(put)))).toBe(true);
      expect((await store.read(id)).equals(data)).toBe(true);
    });

    it('creates the temp file at the first byte, so its open overlaps with the data still arriving', async () => {
      await store.put(await store.allocate('early', 0), [Buffer.from('fans exist')]);
      const id = await store.allocate('early', 1);
      const fan = dirname(store.pathOf(id));
      const w = store.openWrite(id);
      w.append(Buffer.from('a few bytes, far less than a unit'));
      await until(async () => (await temps(fan)).length === 1);
      await expect(stat(store.pathOf(id))).rejects.toMatchObject({ code: 'ENOENT' });
      w.append(Buffer.from(', then the rest'));
      await w.finish();
      expect(await temps(fan)).toEqual([]);
      expect((await store.read(id)).toString()).toBe('a few bytes, far less than a unit, then the rest');
      // An open that fails at the first byte fails finish (not the process: no unhandled rejection).
      const failing = await store.allocate('early', 2);
      const spy = failOpens((flags) => ((flags & constants.O_CREAT) !== 0 ? 'EIO' : undefined));
      try {
        const f = store.openWrite(failing);
        f.append(Buffer.from('x'));
        await until(async () => spy.mock.calls.length > 0);
        await new Promise((r) => setImmediate(r));
        await expect(f.finish()).rejects.toMatchObject({ code: 'EIO' });
      } finally {
        spy.mockRestore();
      }
      expect(await temps(fan)).toEqual([]);
      // A write aborted after its first byte removes the temp file its open made.
      const aborted = store.openWrite(await store.allocate('early', 3));
      aborted.append(Buffer.from('y'));
      await until(async () => (await temps(fan)).length === 1);
      await aborted.abort();
      expect(await temps(fan)).toEqual([]);
    });

    it('a link refused (the chunk exists) fails finish and leaves the existing chunk and no temp file', async () => {
      const id = await store.allocate('twice', 0);
      await store.put(id, [Buffer.from('first')]);
      const fan = dirname(store.pathOf(id));
      const w = store.openWrite(id);
      w.append(Buffer.from('second'));
      await expect(w.finish()).rejects.toMatchObject({ code: 'Internal', message: expect.stringContaining('write-once') });
      expect(await temps(fan)).toEqual([]);
      expect((await store.read(id)).toString()).toBe('first');
    });

    it('a write that failed in the background fails finish with its error and leaves no temp file', async () => {
      await store.put(await store.allocate('bgfail', 0), [Buffer.from('fans exist')]);
      const id = await store.allocate('bgfail', 1);
      const fan = dirname(store.pathOf(id));
      const spy = failOpens((flags) => ((flags & constants.O_CREAT) !== 0 ? 'EIO' : undefined));
      try {
        const w = store.openWrite(id);
        w.append(randomBytes(MiB + 1));
        await until(async () => spy.mock.calls.length > 0); // the first unit's open, before finish
        w.append(randomBytes(10));
        await expect(w.finish()).rejects.toMatchObject({ code: 'EIO' });
      } finally {
        spy.mockRestore();
      }
      expect(await temps(fan)).toEqual([]);
      await expect(store.read(id)).rejects.toMatchObject({ code: 'DataCorrupted' });
    });

    it('abort while a unit is being written removes the temp file once the write is done', async () => {
      const id = await store.allocate('aborted', 0);
      const fan = dirname(store.pathOf(id));
      const w = store.openWrite(id);
      w.append(randomBytes(2 * MiB + 3));
      await until(async () => (await temps(fan)).length > 0);
      await w.abort();
      expect(await temps(fan)).toEqual([]);
      expect(await store.listIntentChunks('aborted')).toEqual([]);
      // The id is free: a new write of it succeeds.
      const again = store.openWrite(id);
      again.append(Buffer.from('second try'));
      await again.finish();
      expect((await store.read(id)).toString()).toBe('second try');
    });

    it('refuses to start while the space reserve is low', () => {
      const reserve = { low: () => true, noteFull: () => undefined, describe: () => 'below the reserve' };
      const s = keep(new LocalDiskStore(join(dir, 'data'), { spaceReserve: reserve }));
      expect(() => s.openWrite('low.0')).toThrow(expect.objectContaining({ code: 'InsufficientStorage' }));
      s.close();
    });
  });

  describe('a full disk', () => {
    /** Every file under `dir`, temp files included (names starting with a dot). */
    async function filesUnder(root: string): Promise<string[]> {
      const out: string[] = [];
      for (const e of await readdir(root, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
      return out.sort();
    }

    it('refuses a put while the space reserve is low, before writing anything; reads and deletes go on', async () => {
      const reserve = { isLow: false, low: () => reserve.isLow, noteFull: () => undefined, describe: () => '1 MiB free on /x, below the 256 MiB reserve kept for deletes' };
      const s = keep(new LocalDiskStore(join(dir, 'data'), { spaceReserve: reserve }));
      const kept = randomBytes(10_000);
      await s.put(await s.allocate('full', 0), [kept]);
      const before = await filesUnder(dir);
      reserve.isLow = true;
      await expect(s.put(await s.allocate('full', 1), [randomBytes(10_000)])).rejects.toMatchObject({
        code: 'InsufficientStorage',
        message: 'chunk full.1 refused: 1 MiB free on /x, below the 256 MiB reserve kept for deletes',
      });
      expect(await filesUnder(dir)).toEqual(before);
      expect((await s.read('full.0')).equals(kept)).toBe(true);
      await s.delete('full.0');
      await expect(s.read('full.0')).rejects.toMatchObject({ code: 'DataCorrupted', message: expect.stringContaining('missing') });
      s.close();
    });

    it('turns ENOSPC and EDQUOT from the disk into InsufficientStorage, leaves no temp file, and has the reserve measure again', async () => {
      let full = 0;
      const reserve = { low: () => false, noteFull: () => void full++, describe: () => '' };
      const s = keep(new LocalDiskStore(join(dir, 'data'), { spaceReserve: reserve }));
      await s.put(await s.allocate('nospc', 0), [randomBytes(1000)]); // the fan directories exist
      const before = await filesUnder(dir);
      for (const code of ['ENOSPC', 'EDQUOT']) {
        const spy = failOpens((flags) => ((flags & constants.O_CREAT) !== 0 ? code : undefined));
        try {
          await expect(s.put(await s.allocate('nospc', 1), [randomBytes(1000)])).rejects.toMatchObject({
            code: 'InsufficientStorage',
            message: expect.stringContaining(`is full (${code})`),
          });
        } finally {
          spy.mockRestore();
        }
      }
      expect(full).toBe(2);
      expect(await filesUnder(dir)).toEqual(before);
      // Other failures keep their own error.
      const spy = failOpens((flags) => ((flags & constants.O_CREAT) !== 0 ? 'EIO' : undefined));
      try {
        await expect(s.put(await s.allocate('nospc', 2), [randomBytes(1000)])).rejects.toMatchObject({ code: 'EIO' });
      } finally {
        spy.mockRestore();
      }
      await s.put(await s.allocate('nospc', 1), [randomBytes(1000)]);
      s.close();
    });
  });
});
