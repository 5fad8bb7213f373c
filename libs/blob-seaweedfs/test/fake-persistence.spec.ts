import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SeaweedFsChunkStore } from '../src/seaweedfs-chunk-store';
import { FakeSeaweed } from './fake-seaweedfs';
import { MemoryIntentLog } from './harness';

// The standalone fake with --data-dir keeps needles across a restart (start:distributed relies on it
// when the e2e suite restarts the stack on the same data dir); without it, it is memory only.
describe('FakeSeaweed with a data dir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fake-seaweed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the same needles after a restart, minus the deleted ones, and keeps minting fresh fids', async () => {
    const data = randomBytes(100_000);
    let fake = await FakeSeaweed.start({ servers: 2, dataDir: dir });
    let store = new SeaweedFsChunkStore({ masters: fake.masterUrls, intentLog: new MemoryIntentLog(), replication: '001' });
    const put = async (b: Buffer, seq: number): Promise<string> => {
      const a = await store.allocate('persist', seq, b.length);
      return (await store.put(a, [b])) || a;
    };
    const kept = await put(data, 0);
    const gone = await put(randomBytes(10), 1);
    await store.delete(gone);
    store.close();
    await fake.stop();

    fake = await FakeSeaweed.start({ servers: 2, dataDir: dir });
    store = new SeaweedFsChunkStore({ masters: fake.masterUrls, intentLog: new MemoryIntentLog(), replication: '001' });
    try {
      expect((await store.read(kept)).equals(data)).toBe(true);
      await expect(store.read(gone)).rejects.toMatchObject({ code: 'DataCorrupted' });
      const fresh = await put(randomBytes(10), 2);
      expect([kept, gone]).not.toContain(fresh);
      expect(fake.liveNeedles().map((n) => `sw1:${n.fid}`).sort()).toEqual([kept, fresh].sort());
    } finally {
      store.close();
      await fake.stop();
    }
  });
});
