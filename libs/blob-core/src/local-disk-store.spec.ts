import { mkdtemp, open, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describeChunkStoreContract, HOSTILE_IDS } from './testing';
import { LocalDiskStore } from './local-disk-store';
import { FOOTER_SIZE } from './chunk-format';

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

describeChunkStoreContract('LocalDiskStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'blob-core-lds-'));
  const store = new LocalDiskStore(dir);
  return {
    store,
    corrupt: async (id, damage) =>
      damage.kind === 'flip'
        ? flipByte(store.pathOf(id), damage.at)
        : truncate(store.pathOf(id), (await stat(store.pathOf(id))).size - 1),
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

describeChunkStoreContract('LocalDiskStore owned by a replica', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'blob-core-lds-'));
  const store = new LocalDiskStore(dir, { replicaId: 'massive-blob-3' });
  return {
    store,
    corrupt: async (id, damage) =>
      damage.kind === 'flip'
        ? flipByte(store.pathOf(id), damage.at)
        : truncate(store.pathOf(id), (await stat(store.pathOf(id))).size - 1),
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('LocalDiskStore', () => {
  let dir: string;
  let store: LocalDiskStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blob-core-lds-'));
    store = new LocalDiskStore(join(dir, 'data'), { blockSize: 4096 });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('lays chunks out as <dir>/chunks/<fan>/<intentId>/<seq> with a trailer and footer', async () => {
    const id = await store.allocate('intent-1', 3);
    expect(id).toBe('intent-1.3');
    await store.put(id, [randomBytes(10_000)]);
    const path = store.pathOf(id);
    expect(path).toMatch(/\/data\/chunks\/[0-9a-f]{2}\/intent-1\/3$/);
    expect((await stat(path)).size).toBe(10_000 + 3 * 4 + FOOTER_SIZE);
    expect(await readdir(join(path, '..'))).toEqual(['3']);
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
    ['a trailer byte', (size: number) => size - FOOTER_SIZE - 2],
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
    const small = new LocalDiskStore(join(dir, 'data'), { blockSize: 64 });
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

  it('removes an emptied intent directory on delete', async () => {
    const id = await store.allocate('lonely', 0);
    await store.put(id, [Buffer.from('x')]);
    await store.delete(id);
    await expect(stat(join(store.pathOf(id), '..'))).rejects.toMatchObject({ code: 'ENOENT' });
    await store.put(await store.allocate('lonely', 1), [Buffer.from('y')]);
    expect(await store.listIntentChunks('lonely')).toEqual(['lonely.1']);
  });

  it('sweeps temp files of dead writers but not its own', async () => {
    const id = await store.allocate('sweep', 0);
    await store.put(id, [Buffer.from('kept')]);
    const intentDir = join(store.pathOf(id), '..');
    await writeFile(join(intentDir, '.1.0123456789ab.0.tmp'), 'partial');
    const mine = (store as unknown as { instance: string }).instance;
    await writeFile(join(intentDir, `.2.${mine}.9.tmp`), 'in flight');
    expect(await store.listIntentChunks('sweep')).toEqual([id]);
    expect(await store.sweepTemp()).toBe(1);
    expect((await readdir(intentDir)).sort()).toEqual([`.2.${mine}.9.tmp`, '0']);
    expect((await store.read(id)).toString()).toBe('kept');
  });

  it('on a replica: mints owned ids, lists them owned, and refuses chunks of other replicas as Unavailable', async () => {
    const mine = new LocalDiskStore(join(dir, 'data'), { replicaId: 'blob-a' });
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

  it('deletes every chunk of an intent concurrently (the last ones race to remove the directory)', async () => {
    for (let round = 0; round < 5; round++) {
      const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => store.allocate(`race-${round}`, i)));
      for (const id of ids) await store.put(id, [Buffer.from(id)]);
      await Promise.all(ids.map((id) => store.delete(id)));
      expect(await store.listIntentChunks(`race-${round}`)).toEqual([]);
    }
  });
});
