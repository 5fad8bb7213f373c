import { KvConflictError } from '../kv';
import { describeKvContract } from './kv-contract';
import { MemoryKv } from './memory-kv';

describeKvContract('MemoryKv', async () => {
  const kv = new MemoryKv();
  return { kv, cleanup: () => kv.close() };
});

const k = (s: string) => Buffer.from(s);

describe('MemoryKv', () => {
  it('fails the next commits on demand, then recovers', async () => {
    const kv = new MemoryKv();
    kv.failNextCommits(2);
    await expect(kv.txn(async (tx) => tx.put(k('a'), k('1')))).rejects.toBeInstanceOf(KvConflictError);
    await expect(kv.txn(async (tx) => tx.put(k('a'), k('2')))).rejects.toBeInstanceOf(KvConflictError);
    expect(await kv.txn(async (tx) => tx.get(k('a')))).toBeUndefined(); // read-only: not failed
    await kv.txn(async (tx) => tx.put(k('a'), k('3')));
    expect(await kv.txn((tx) => tx.get(k('a')))).toEqual(k('3'));
    expect(kv.stats()).toMatchObject({ commits: 1, injectedFailures: 2 });
  });

  it('injects a custom error', async () => {
    const kv = new MemoryKv();
    kv.failNextCommits(1, new Error('disk on fire'));
    await expect(kv.txn(async (tx) => tx.put(k('a'), k('1')))).rejects.toThrow('disk on fire');
  });

  it('keeps old versions only while a reader needs them', async () => {
    const kv = new MemoryKv();
    await kv.txn(async (tx) => tx.put(k('a'), k('1')));
    const snap = await kv.snapshot();
    for (let i = 0; i < 10; i++) await kv.txn(async (tx) => tx.put(k('a'), k(String(i))));
    await kv.txn(async (tx) => tx.delete(k('b')));
    expect(await snap.get(k('a'))).toEqual(k('1'));
    expect(kv.stats().versions).toBeGreaterThan(2);
    snap.close();
    expect(kv.stats()).toMatchObject({ keys: 1, versions: 1, openReaders: 0 });
    await kv.txn(async (tx) => tx.delete(k('a')));
    expect(kv.stats()).toMatchObject({ keys: 0, versions: 0 });
  });

  it('scans a page of 100k keys in O(page)', async () => {
    const kv = new MemoryKv();
    const n = 100_000;
    for (let batch = 0; batch < n; batch += 10_000) {
      await kv.txn(async (tx) => {
        for (let i = batch; i < batch + 10_000; i++) {
          const key = Buffer.alloc(4);
          key.writeUInt32BE((i * 7919) % n); // scattered insertion order
          tx.put(key, key);
        }
      });
    }
    const t0 = performance.now();
    let pages = 0;
    await kv.txn(async (tx) => {
      for (let i = 0; i < 1000; i++, pages++) {
        const start = Buffer.alloc(4);
        start.writeUInt32BE((i * 104729) % n);
        const page = await tx.scan(start, Buffer.alloc(0), { limit: 100 });
        expect(page[0].key).toEqual(start);
      }
    });
    expect(pages).toBe(1000);
    expect(performance.now() - t0).toBeLessThan(2000);
    const last = await kv.txn((tx) => tx.scan(k(''), k(''), { limit: 2, reverse: true }));
    expect(last.map((p) => p.key.readUInt32BE())).toEqual([n - 1, n - 2]);
  }, 30_000);
});
