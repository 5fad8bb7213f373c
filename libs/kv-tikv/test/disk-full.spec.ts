import { KvStoreFullError, KvUnknownOutcomeError } from '@massive/kv';
import { get, k, metric, put, startFixture, type ClientFixture } from './client-fixture';
import type { TikvRequestInfo } from './fake-tikv';
import { DiskFullOpt } from './fake-tikv/types';

const diskFullOpt = (i: TikvRequestInfo): number | undefined => (i.request as { context?: { disk_full_opt?: number } }).context?.disk_full_opt;

/** A TiKV store below its reserved space (DiskFull): fail fast and clean, let deletes through. */
describe('TikvKv on a full TiKV store', () => {
  let fx: ClientFixture;
  beforeEach(async () => {
    // Regions [-inf, m) and [m, +inf), both led from store 1; the one DiskFull retry need not wait 500 ms here.
    fx = await startFixture({ splitKeys: ['m'] }, { backoff: { diskFull: { baseMs: 10, capMs: 10 } } });
    await put(fx.kv, { a: 'old', z: 'old' });
    fx.cluster.resetCounters();
  });
  afterEach(() => fx.stop());

  const regionLookups = () => fx.cluster.pdCalls('GetRegion') + fx.cluster.pdCalls('GetRegionByID') + fx.cluster.pdCalls('ScanRegions');

  it('a plain write on an almost-full cluster fails with KvStoreFullError at once, leaving nothing behind', async () => {
    fx.cluster.setDiskUsage('almostFull');
    const lookups = regionLookups();
    const err = await put(fx.kv, { a: 'new', z: 'new' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvStoreFullError);
    expect((err as Error).message).toMatch(/store 1 has no room .*disk full/);
    // Each region's batch: refused, one retry (TiKV could have moved the leader), refused: no budget spent on it.
    const prewrites = fx.cluster.requests('KvPrewrite');
    expect(prewrites).toHaveLength(4);
    expect(prewrites.every((i) => diskFullOpt(i) === undefined)).toBe(true);
    expect(fx.cluster.calls('KvCommit')).toBe(0);
    expect(await metric(fx.registry, 'tikv_region_errors_total', { kind: 'disk_full' })).toBe(4);
    // The regions were fine: nothing was relocated.
    expect(regionLookups()).toBe(lookups);
    expect(fx.kv.stats().cachedRegions).toBe(2);
    // Reads keep working while the store is full; no lock was left.
    expect(fx.cluster.locks()).toHaveLength(0);
    expect(await get(fx.kv, 'a')).toBe('old');
    expect(await get(fx.kv, 'z')).toBe('old');
    fx.cluster.setDiskUsage('normal');
    await put(fx.kv, { a: 'new', z: 'new' });
    expect(await get(fx.kv, 'a')).toBe('new');
    expect(await get(fx.kv, 'z')).toBe('new');
  });

  it('a txn that frees space (useReserve) commits its deletes on an almost-full cluster, flagged AllowedOnAlmostFull', async () => {
    fx.cluster.setDiskUsage('almostFull');
    await fx.kv.txn(
      async (tx) => {
        tx.delete(k('a'));
        tx.delete(k('z'));
      },
      { useReserve: true },
    );
    expect(await get(fx.kv, 'a')).toBeUndefined();
    expect(await get(fx.kv, 'z')).toBeUndefined();
    const writes = [...fx.cluster.requests('KvPrewrite'), ...fx.cluster.requests('KvCommit')];
    expect(writes.length).toBeGreaterThanOrEqual(4);
    expect(writes.map(diskFullOpt).every((o) => o === DiskFullOpt.AllowedOnAlmostFull)).toBe(true);
    expect(await metric(fx.registry, 'tikv_region_errors_total', { kind: 'disk_full' })).toBe(0);
    // The reserve is for freeing space only: a plain write is still refused, until the store recovers.
    await expect(put(fx.kv, { b: 'new' })).rejects.toBeInstanceOf(KvStoreFullError);
    fx.cluster.setDiskUsage('normal');
    await put(fx.kv, { b: 'new' });
    expect(await get(fx.kv, 'b')).toBe('new');
  });

  it('rolls back what was prewritten when another region is refused, with the txn\'s own flag', async () => {
    const z = fx.cluster.regionOf('z');
    // Injected: refused whatever the flag says (as when a quorum is already full).
    fx.cluster.failNext({ method: 'KvPrewrite', regionId: z.id }, { kind: 'DiskFull', storeIds: [2, 3] }, Infinity);
    const err = await fx.kv
      .txn(
        async (tx) => {
          tx.put(k('a'), k('new'));
          tx.put(k('z'), k('new'));
        },
        { useReserve: true },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvStoreFullError);
    expect((err as Error).message).toMatch(/store 2, 3 has no room/);
    // Refused by followers (a full quorum): TiKV moves nothing, so no retry at all.
    expect(fx.cluster.requests('KvPrewrite').filter((i) => i.regionId === z.id)).toHaveLength(1);
    const rollbacks = fx.cluster.requests('KvBatchRollback');
    expect(rollbacks.length).toBeGreaterThan(0);
    expect(rollbacks.every((i) => diskFullOpt(i) === DiskFullOpt.AllowedOnAlmostFull)).toBe(true);
    expect(fx.cluster.locks()).toHaveLength(0);
    fx.cluster.clearFaults();
    expect(await get(fx.kv, 'a')).toBe('old');
    await put(fx.kv, { a: 'new', z: 'new' });
    expect(await get(fx.kv, 'z')).toBe('new');
  });

  it('retries once when only the leader store is full: TiKV moves the leader to a peer with room', async () => {
    const z = fx.cluster.regionOf('z');
    fx.cluster.transferLeader(z.id, 2);
    fx.cluster.setDiskUsage('almostFull', 2);
    await put(fx.kv, { a: 'new', z: 'new' });
    expect(await get(fx.kv, 'z')).toBe('new');
    expect(fx.cluster.regionOf('z').leaderStoreId).not.toBe(2n);
    expect(fx.cluster.calls('KvPrewrite', 2)).toBe(2); // refused, then "not leader"
    expect(await metric(fx.registry, 'tikv_region_errors_total', { kind: 'disk_full' })).toBe(1);
  });

  it('a DiskFull on the primary commit is a definite "not committed": KvStoreFullError, locks rolled back', async () => {
    fx.cluster.crashTxnAt('commit-primary', { fault: { kind: 'DiskFull', storeIds: [2, 3] }, times: 1 });
    const err = await put(fx.kv, { a: 'new', z: 'new' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvStoreFullError);
    expect(err).not.toBeInstanceOf(KvUnknownOutcomeError);
    expect(fx.cluster.requests('KvCommit')).toHaveLength(1);
    expect(fx.cluster.locks()).toHaveLength(0);
    expect(await get(fx.kv, 'a')).toBe('old');
    expect(await get(fx.kv, 'z')).toBe('old');
    expect(await metric(fx.registry, 'tikv_txn_total', { result: 'unknown_outcome' })).toBe(0);
    await put(fx.kv, { a: 'new', z: 'new' });
    expect(await get(fx.kv, 'z')).toBe('new');
  });

  it('a primary commit refused for space after an unanswered attempt is still KvStoreFullError once rolled back', async () => {
    fx.cluster.crashTxnAt('commit-primary', { times: 1 }); // UNAVAILABLE: it may have been applied, as far as the client knows
    fx.cluster.crashTxnAt('commit-primary', { fault: { kind: 'DiskFull', storeIds: [2, 3] } });
    const err = await put(fx.kv, { a: 'new', z: 'new' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvStoreFullError);
    expect(fx.cluster.locks()).toHaveLength(0);
    fx.cluster.clearFaults();
    expect(await get(fx.kv, 'a')).toBe('old');
  });

  it('an already-full store refuses even the commit; its leftover locks are resolved once the store recovers', async () => {
    const stop = fx.cluster.beforeApply((i) => {
      if (i.method === 'KvCommit') fx.cluster.setDiskUsage('alreadyFull');
    });
    const err = await put(fx.kv, { a: 'new', z: 'new' }).catch((e: unknown) => e);
    stop();
    expect(err).toBeInstanceOf(KvStoreFullError);
    expect(fx.cluster.requests('KvCommit')).toHaveLength(2); // the primary: refused, one retry, refused
    // Rollback is refused too (already full): the locks wait for their TTL, the data never shows.
    expect(fx.cluster.locks().length).toBeGreaterThan(0);
    fx.cluster.setDiskUsage('normal');
    fx.cluster.advanceClock(60_000);
    expect(await get(fx.kv, 'a')).toBe('old');
    expect(await get(fx.kv, 'z')).toBe('old');
    await put(fx.kv, { a: 'new', z: 'new' });
    expect(await get(fx.kv, 'a')).toBe('new');
  });
});
