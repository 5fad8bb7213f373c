import { groupByRegion, RegionCache } from './region-cache';
import { containsEnd, describeRegion, isOlderEpoch, type RegionInfo } from './region';

const k = (s: string) => Buffer.from(s);
function region(id: number, start: string, end: string, version = 1, leaderStore = 1): RegionInfo {
  const peers = [1, 2, 3].map((s) => ({ id: BigInt(id * 10 + s), storeId: BigInt(s) }));
  return {
    id: BigInt(id),
    startKey: k(start),
    endKey: k(end),
    epoch: { confVer: 1n, version: BigInt(version) },
    peers,
    leader: peers[leaderStore - 1],
  };
}

describe('RegionCache', () => {
  it('looks regions up by key and by end key', () => {
    const c = new RegionCache();
    c.insert(region(2, 'm', 't'));
    c.insert(region(1, '', 'm'));
    c.insert(region(3, 't', ''));
    expect(c.all().map((r) => r.id)).toEqual([1n, 2n, 3n]);
    expect(c.lookup(k(''))?.id).toBe(1n);
    expect(c.lookup(k('a'))?.id).toBe(1n);
    expect(c.lookup(k('m'))?.id).toBe(2n);
    expect(c.lookup(k('zz'))?.id).toBe(3n);
    expect(c.lookupEnd(k('m'))?.id).toBe(1n);
    expect(c.lookupEnd(k('m\0'))?.id).toBe(2n);
    expect(c.lookupEnd(k(''))?.id).toBe(3n);
    expect(c.byId(2n)?.startKey).toEqual(k('m'));
  });

  it('misses holes and invalidated regions', () => {
    const c = new RegionCache();
    c.insert(region(1, '', 'm'));
    c.insert(region(3, 't', ''));
    expect(c.lookup(k('p'))).toBeUndefined();
    expect(c.lookupEnd(k('p'))).toBeUndefined();
    c.invalidate(3n);
    expect(c.lookup(k('x'))).toBeUndefined();
    expect(c.lookupEnd(k(''))).toBeUndefined();
  });

  it('replaces overlapping regions with a split, but refuses an older epoch', () => {
    const c = new RegionCache();
    c.insert(region(1, '', ''));
    expect(c.insert(region(1, '', 'm', 2))).toBe(true);
    expect(c.insert(region(4, 'm', '', 2))).toBe(true);
    expect(c.size).toBe(2);
    // PD still serving the pre-split view.
    expect(c.insert(region(1, '', '', 1))).toBe(false);
    expect(c.lookup(k('z'))?.id).toBe(4n);
    // A merge (newer version) wins over both halves.
    expect(c.insert(region(1, '', '', 3))).toBe(true);
    expect(c.all().map((r) => r.id)).toEqual([1n]);
  });

  it('moves the leader to a known peer, and drops the region for an unknown one', () => {
    const c = new RegionCache();
    c.insert(region(1, '', ''));
    expect(c.updateLeader(1n, { id: 13n, storeId: 3n })).toBe(true);
    expect(c.lookup(k('a'))?.leader.storeId).toBe(3n);
    expect(c.updateLeader(1n, { id: 99n, storeId: 4n })).toBe(false);
    expect(c.size).toBe(0);
    expect(c.updateLeader(7n, { id: 1n, storeId: 1n })).toBe(false);
  });

  it('drops the regions led from a store', () => {
    const c = new RegionCache();
    c.insert(region(1, '', 'm', 1, 1));
    c.insert(region(2, 'm', '', 1, 2));
    c.invalidateStore(2n);
    expect(c.all().map((r) => r.id)).toEqual([1n]);
    c.clear();
    expect(c.size).toBe(0);
  });
});

describe('region helpers', () => {
  it('compares epochs on version and conf_ver', () => {
    expect(isOlderEpoch({ confVer: 1n, version: 1n }, { confVer: 1n, version: 2n })).toBe(true);
    expect(isOlderEpoch({ confVer: 1n, version: 2n }, { confVer: 2n, version: 2n })).toBe(true);
    expect(isOlderEpoch({ confVer: 2n, version: 2n }, { confVer: 2n, version: 2n })).toBe(false);
  });
  it('tests end containment with +infinity', () => {
    expect(containsEnd(region(1, 'a', 'm'), k('m'))).toBe(true);
    expect(containsEnd(region(1, 'a', 'm'), k('a'))).toBe(false);
    expect(containsEnd(region(1, 'a', ''), k(''))).toBe(true);
    expect(describeRegion(region(1, '', 'm'))).toBe('region 1 [-inf, 6d) v1');
  });
});

describe('groupByRegion', () => {
  it('groups sorted keys, locating each region once', async () => {
    const regions = [region(1, '', 'g'), region(2, 'g', 'p'), region(3, 'p', '')];
    const located: string[] = [];
    const locate = async (key: Buffer) => {
      located.push(key.toString());
      const r = regions.find((x) => x.startKey <= key && (x.endKey.length === 0 || key < x.endKey));
      if (!r) throw new Error('no region');
      return r;
    };
    const groups = await groupByRegion([k('z'), k('a'), k('h'), k('b'), k('q'), k('a')], locate);
    expect(groups.map((g) => [g.region.id, g.keys.map(String)])).toEqual([
      [1n, ['a', 'a', 'b']],
      [2n, ['h']],
      [3n, ['q', 'z']],
    ]);
    expect(located).toEqual(['a', 'h', 'q']);
    expect(await groupByRegion([], locate)).toEqual([]);
  });
});
