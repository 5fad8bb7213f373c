import { get, k, put, startFixture, type ClientFixture } from './client-fixture';

describe("TikvKv within TiKV's message size limits", () => {
  let fx: ClientFixture;
  afterEach(() => fx.stop());

  it('a scan whose reply would exceed the store\'s send limit asks for fewer pairs instead of failing', async () => {
    fx = await startFixture({ tikvMaxSendBytes: 256 * 1024 }); // 10 MiB on TiKV; smaller here to keep the test light
    const value = 'v'.repeat(20 * 1024);
    for (let i = 0; i < 40; i += 10) {
      await fx.kv.txn(async (tx) => {
        for (let j = i; j < i + 10; j++) tx.put(k(`big-${String(j).padStart(2, '0')}`), k(value));
      });
    }
    // 40 x 20 KiB = 800 KiB in one region: one 256-pair KvScan reply would be 3x the limit.
    const all = await fx.kv.txn((tx) => tx.scan(k('big-'), k('big.')));
    expect(all.map((p) => p.key.toString())).toEqual(Array.from({ length: 40 }, (_, j) => `big-${String(j).padStart(2, '0')}`));
    const rev = await fx.kv.txn((tx) => tx.scan(k('big-'), k('big.'), { reverse: true, limit: 25 }));
    expect(rev).toHaveLength(25);
    expect(rev[0].key.toString()).toBe('big-39');
    expect(fx.cluster.requests('KvScan').some((r) => (r.request as { limit?: number }).limit! < 13)).toBe(true);
  });

  it('a batch get whose reply would exceed the send limit is asked for in halves instead of failing', async () => {
    fx = await startFixture({ tikvMaxSendBytes: 256 * 1024 });
    const value = 'w'.repeat(20 * 1024);
    for (let i = 0; i < 40; i += 10) {
      await fx.kv.txn(async (tx) => {
        for (let j = i; j < i + 10; j++) tx.put(k(`bg-${String(j).padStart(2, '0')}`), k(value));
      });
    }
    const keys = Array.from({ length: 40 }, (_, j) => k(`bg-${String(j).padStart(2, '0')}`));
    const got = await fx.kv.txn((tx) => tx.batchGet([...keys, k('bg-missing')]));
    expect(got.slice(0, 40).every((v) => v?.length === value.length)).toBe(true);
    expect(got[40]).toBeUndefined();
    expect(fx.cluster.requests('KvBatchGet').length).toBeGreaterThan(2);
  });

  it('a write larger than one raft entry fails at once with a clear error and leaves no lock', async () => {
    fx = await startFixture({ raftEntryMaxBytes: 512 * 1024 }); // 8 MiB on TiKV
    const t0 = Date.now();
    const err = await put(fx.kv, { a: 'x'.repeat(600 * 1024) }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/larger than TiKV accepts in one raft entry/);
    expect(Date.now() - t0).toBeLessThan(1000); // not retried until a budget runs out
    expect(fx.cluster.locks()).toHaveLength(0);
    expect(await get(fx.kv, 'a')).toBeUndefined();
  });
});
