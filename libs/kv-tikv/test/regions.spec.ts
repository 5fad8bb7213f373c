import { KvUnavailableError } from '@massive/kv';
import type { RegionFault } from './fake-tikv';
import { get, k, metric, put, startFixture, str, type ClientFixture } from './client-fixture';

const letters = 'abcdefghijkl'.split('');

describe('TikvKv across regions', () => {
  let fx: ClientFixture;
  beforeEach(async () => {
    fx = await startFixture({ splitKeys: ['c', 'f', 'j'] }, { scanBatchSize: 2 });
  });
  afterEach(() => fx.stop());

  const scan = (start: string, end: string, opts: { limit?: number; reverse?: boolean } = {}) =>
    fx.kv.txn((tx) => tx.scan(k(start), k(end), opts)).then((ps) => ps.map((p) => str(p.key)).join(''));

  it('scans four regions forward and backward, with every limit and boundary', async () => {
    await put(fx.kv, Object.fromEntries(letters.map((l) => [l, l.toUpperCase()])));
    expect(fx.cluster.regions()).toHaveLength(4);
    const all = letters.join('');
    for (let limit = 1; limit <= 13; limit++) {
      expect(await scan('', '', { limit })).toBe(all.slice(0, limit));
      expect(await scan('', '', { limit, reverse: true })).toBe([...all].reverse().join('').slice(0, limit));
    }
    expect(await scan('c', 'j')).toBe('cdefghi');
    expect(await scan('c', 'j', { reverse: true })).toBe('ihgfedc');
    expect(await scan('b', 'g', { reverse: true, limit: 3 })).toBe('fed');
    expect(await scan('f', 'f\0')).toBe('f');
    expect(await scan('j', '', { reverse: true })).toBe('lkj');
    const pairs = await fx.kv.txn((tx) => tx.scan(k('e'), k('h')));
    expect(pairs.map((p) => `${str(p.key)}=${str(p.value)}`)).toEqual(['e=E', 'f=F', 'g=G']);
    const regionsScanned = new Set(fx.cluster.requests('KvScan').map((r) => r.regionId));
    expect(regionsScanned.size).toBe(4);
    // TiKV reads an empty reverse start_key as the empty key, not +inf: a finite ceiling is sent.
    const reverse = fx.cluster.requests('KvScan').map((r) => r.request as { reverse?: boolean; start_key?: Buffer });
    expect(reverse.filter((r) => r.reverse && !r.start_key?.length)).toEqual([]);
  });

  it('bounds key length so that the reverse-scan ceiling is above every key', async () => {
    const kv = fx.client({ maxKeyBytes: 16 });
    await put(kv, { ['\xff'.repeat(16)]: 'top' });
    await expect(put(kv, { ['x'.repeat(17)]: 'v' })).rejects.toThrow(/maxKeyBytes/);
    const last = await kv.txn((tx) => tx.scan(k(''), k(''), { reverse: true, limit: 1 }));
    expect(last.map((p) => str(p.value))).toEqual(['top']);
  });

  it('a split in the middle of a scan: the rest comes from the new regions, once', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    await put(fx.kv, Object.fromEntries(keys.map((key) => [key, 'v'])));
    let scans = 0;
    fx.cluster.beforeApply((info) => {
      if (info.method === 'KvScan' && ++scans === 3) fx.cluster.split('k11', 'k20');
    });
    const got = await fx.kv.txn((tx) => tx.scan(k('k'), k('l')));
    expect(got.map((p) => str(p.key))).toEqual(keys);
    expect(await metric(fx.registry, 'tikv_region_errors_total', { kind: 'epoch_not_match' })).toBeGreaterThanOrEqual(1);
  });

  it('a split during a prewrite: the batch is split again and every key commits', async () => {
    let splitDone = false;
    fx.cluster.beforeApply((info) => {
      if (info.method === 'KvPrewrite' && !splitDone) {
        splitDone = true;
        fx.cluster.split('hh');
      }
    });
    const entries = Object.fromEntries(['g1', 'g2', 'h1', 'hh', 'hz', 'i9'].map((key) => [key, key]));
    await put(fx.kv, entries);
    expect(splitDone).toBe(true);
    for (const key of Object.keys(entries)) expect(await get(fx.kv, key)).toBe(key);
    const prewriteRegions = new Set(fx.cluster.requests('KvPrewrite').map((r) => r.regionId));
    expect(prewriteRegions.size).toBeGreaterThanOrEqual(2);
    expect(fx.cluster.locks()).toHaveLength(0);
  });

  it('follows a leader move (NotLeader names the new leader)', async () => {
    await put(fx.kv, { d: '1' });
    const region = fx.cluster.regionOf('d');
    const other = fx.cluster.storeIds().find((s) => s !== region.leaderStoreId)!;
    fx.cluster.transferLeader(region.id, other);
    fx.cluster.resetCounters();
    expect(await get(fx.kv, 'd')).toBe('1');
    await put(fx.kv, { d: '2', e: '3' });
    expect(await get(fx.kv, 'd')).toBe('2');
    expect(await metric(fx.registry, 'tikv_region_errors_total', { kind: 'not_leader' })).toBe(1);
    expect(fx.cluster.calls('KvGet', other)).toBe(2); // the first try went to the old leader
  });

  it('works while PD still serves the pre-split view (EpochNotMatch carries the new regions)', async () => {
    await put(fx.kv, { d: 'old', e: 'old' });
    fx.cluster.setPdStale(true);
    fx.cluster.split('dd');
    const fresh = fx.client();
    await put(fresh, { d: 'new', e: 'new' });
    expect(await get(fresh, 'd')).toBe('new');
    expect(await get(fx.kv, 'e')).toBe('new');
    fx.cluster.setPdStale(false);
  });

  const kinds: RegionFault[] = [
    { kind: 'NotLeader' },
    { kind: 'NotLeader', leaderStoreId: null },
    { kind: 'EpochNotMatch' },
    { kind: 'RegionNotFound' },
    { kind: 'KeyNotInRegion' },
    { kind: 'ServerIsBusy' },
    { kind: 'StaleCommand' },
    { kind: 'UndeterminedResult' },
  ];
  const label: Record<RegionFault['kind'], string> = {
    NotLeader: 'not_leader',
    EpochNotMatch: 'epoch_not_match',
    RegionNotFound: 'region_not_found',
    KeyNotInRegion: 'key_not_in_region',
    ServerIsBusy: 'server_is_busy',
    StaleCommand: 'stale_command',
    UndeterminedResult: 'undetermined_result',
    DiskFull: 'disk_full', // not retried like the others: see disk-full.spec.ts
  };

  it.each(kinds)('retries every request kind after a region error: %j', async (fault) => {
    await put(fx.kv, { a: '1', d: '2', g: '3' });
    const methods = ['KvGet', 'KvBatchGet', 'KvScan', 'KvPrewrite', 'KvCommit'] as const;
    for (const method of methods) fx.cluster.failNext({ method }, fault, 1);
    await fx.kv.txn(async (tx) => {
      expect(str(await tx.get(k('a')))).toBe('1');
      expect((await tx.batchGet([k('d'), k('g')])).map(str)).toEqual(['2', '3']);
      expect((await tx.scan(k('a'), k('z'))).map((p) => str(p.key))).toEqual(['a', 'd', 'g']);
      tx.put(k('a'), k('changed'));
      tx.put(k('g'), k('changed'));
    });
    expect(await get(fx.kv, 'a')).toBe('changed');
    expect(await get(fx.kv, 'g')).toBe('changed');
    expect(await metric(fx.registry, 'tikv_region_errors_total', { kind: label[fault.kind] })).toBe(methods.length);
    expect(fx.cluster.locks()).toHaveLength(0);
  });

  it('a region error that never clears ends in KvUnavailableError after the budget', async () => {
    const kv = fx.client({ readBudgetMs: 300 });
    await put(kv, { a: '1' });
    fx.cluster.failNext({ method: 'KvGet' }, { kind: 'ServerIsBusy' }, Infinity);
    const t0 = Date.now();
    await expect(kv.txn((tx) => tx.get(k('a')))).rejects.toBeInstanceOf(KvUnavailableError);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
