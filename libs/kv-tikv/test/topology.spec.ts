import { TikvKv } from '../src';
import { FAST, get, k, put, startFixture, type ClientFixture } from './client-fixture';
import { FakeCluster } from './fake-tikv';

describe('TikvKv through topology changes and busy stores', () => {
  let fx: ClientFixture;
  afterEach(() => fx.stop());

  it('follows a peer moved to a new store (scale out, conf_ver changes): RegionNotFound on the old store, PD names the new one', async () => {
    fx = await startFixture({ splitKeys: ['m'] });
    await put(fx.kv, { a: '1', z: '2' });
    const r = fx.cluster.regionOf('a');
    const added = await fx.cluster.addStore();
    const moved = fx.cluster.movePeer(r.id, r.leaderStoreId, added);
    expect(moved.confVer).toBe(r.confVer + 1n);
    expect(moved.leaderStoreId).toBe(added);
    expect(await get(fx.kv, 'a')).toBe('1');
    await put(fx.kv, { a: '3', z: '4' });
    expect(await get(fx.kv, 'a')).toBe('3');
    expect(fx.cluster.calls(undefined, added)).toBeGreaterThan(0);
  });

  it.each([false, true])('follows a store removed by scale-in (PD forgets it: %s) without stalling in GetStore', async (forget) => {
    fx = await startFixture({ splitKeys: ['m'] });
    await put(fx.kv, { a: '1', z: '2' });
    const victim = fx.cluster.regionOf('a').leaderStoreId;
    // A cold client whose PD view is stale: PD still names the removed store as leader for a while.
    const cold = fx.client({ readBudgetMs: 5000, pdBudgetMs: 5000 });
    fx.cluster.setPdStale(true);
    fx.cluster.removeStore(victim, { forget });
    setTimeout(() => fx.cluster.setPdStale(false), 300);
    const t0 = Date.now();
    expect(await get(cold, 'a')).toBe('1');
    expect(Date.now() - t0).toBeLessThan(3000); // before: GetStore retried for the whole PD budget
    expect(fx.cluster.regions().every((reg) => reg.peers.every((p) => p.storeId !== victim))).toBe(true);
  });

  it('gives each parallel prewrite batch its own backoff budget', async () => {
    fx = await startFixture({ splitKeys: ['d', 'h', 'p'] });
    const kv = fx.client({ commitBudgetMs: 500, backoff: { staleCommand: { baseMs: 100, capMs: 100 } } });
    // Each of the 4 regions answers its first 3 prewrites with StaleCommand: 3 sleeps of 50-100 ms
    // per batch (<= 300 ms each, fine), but >= 12 x 50 = 600 ms if the batches shared the budget.
    for (const r of fx.cluster.regions()) fx.cluster.failNext({ method: 'KvPrewrite', regionId: r.id }, { kind: 'StaleCommand' }, 3);
    await put(kv, { a: '1', e: '2', i: '3', q: '4' });
    expect(await get(fx.kv, 'q')).toBe('4');
  });

  it('a deadline invalidates only that region; a lost connection every region led from the store', async () => {
    fx = await startFixture({ splitKeys: ['m'] });
    const [left, right] = fx.cluster.regions();
    fx.cluster.transferLeader(right.id, left.leaderStoreId); // both led from one store
    await put(fx.kv, { a: '1', z: '2' });
    expect(await get(fx.kv, 'z')).toBe('2');
    fx.cluster.resetCounters();
    fx.cluster.failNext({ method: 'KvGet', regionId: left.id }, { kind: 'Delay', ms: 1500 }); // > rpcTimeoutMs
    expect(await get(fx.kv, 'a')).toBe('1');
    expect(await get(fx.kv, 'z')).toBe('2');
    expect(fx.cluster.pdCalls('GetRegion')).toBe(1); // only 'a' was looked up again
    fx.cluster.resetCounters();
    fx.cluster.failNext({ method: 'KvGet', regionId: left.id }, { kind: 'Unavailable' });
    expect(await get(fx.kv, 'a')).toBe('1');
    expect(await get(fx.kv, 'z')).toBe('2');
    expect(fx.cluster.pdCalls('GetRegion')).toBe(2); // the store's other region was dropped too
  });

  it('honours ServerIsBusy.backoff_ms as the least wait', async () => {
    fx = await startFixture();
    await put(fx.kv, { a: '1' });
    fx.cluster.failNext({ method: 'KvGet' }, { kind: 'ServerIsBusy', backoffMs: 600 });
    const t0 = Date.now();
    expect(await get(fx.kv, 'a')).toBe('1');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(590); // the fixture's own schedule is 20-200 ms
  });

  it('finds the last region of an unbounded reverse scan with one GetRegion, not a ScanRegions walk', async () => {
    const splits = Array.from({ length: 150 }, (_, i) => `k${String(i).padStart(3, '0')}`);
    fx = await startFixture({ splitKeys: splits });
    await put(fx.kv, { k149x: 'last' });
    const cold = fx.client();
    fx.cluster.resetCounters();
    const pairs = await cold.txn((tx) => tx.scan(k(''), k(''), { reverse: true, limit: 1 }));
    expect(pairs.map((p) => p.key.toString())).toEqual(['k149x']);
    expect(fx.cluster.pdCalls('ScanRegions')).toBe(0);
    expect(fx.cluster.pdCalls('GetRegion')).toBe(1);
  });
});

describe('TikvKv.connect refuses clusters that do not run API V1', () => {
  it.each(['V1TTL', 'V2'] as const)('refuses an API %s cluster with a clear message', async (apiVersion) => {
    const cluster = await FakeCluster.start({ apiVersion });
    try {
      await expect(TikvKv.connect({ pdEndpoints: cluster.pdEndpoints, ...FAST })).rejects.toThrow(
        /does not run API V1 .*(ApiVersionNotMatched|InvalidKeyMode).*storage\.api-version = 1/,
      );
    } finally {
      await cluster.stop();
    }
  });

  it('connects to an API V1 cluster', async () => {
    const cluster = await FakeCluster.start();
    try {
      const kv = await TikvKv.connect({ pdEndpoints: cluster.pdEndpoints, ...FAST });
      await kv.close();
    } finally {
      await cluster.stop();
    }
  });
});
