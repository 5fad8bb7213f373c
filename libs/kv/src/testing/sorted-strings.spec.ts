import { SortedStrings } from './sorted-strings';

describe('SortedStrings', () => {
  it('matches a sorted array under random inserts and removes', () => {
    const set = new SortedStrings();
    const model = new Set<string>();
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let i = 0; i < 20_000; i++) {
      const s = String.fromCharCode(rnd(256), rnd(256), rnd(4));
      if (rnd(3) === 0) expect(set.remove(s)).toBe(model.delete(s));
      else expect(set.insert(s)).toBe(!model.has(s) && !!model.add(s));
    }
    const sorted = [...model].sort();
    expect(set.size).toBe(sorted.length);
    expect([...set.ascending('')]).toEqual(sorted);
    expect([...set.descending('')]).toEqual([...sorted].reverse());
    for (let i = 0; i < 200; i++) {
      const lo = String.fromCharCode(rnd(256));
      const hi = String.fromCharCode(rnd(256), rnd(256));
      const want = sorted.filter((s) => s >= lo && s < hi);
      expect([...set.ascending(lo, hi)]).toEqual(want);
      expect([...set.descending(lo, hi)]).toEqual([...want].reverse());
      expect(set.has(lo)).toBe(model.has(lo));
    }
  }, 30_000);

  it('handles the empty set and bounds outside the range', () => {
    const set = new SortedStrings();
    expect([...set.ascending('a')]).toEqual([]);
    expect([...set.descending('', 'z')]).toEqual([]);
    set.insert('m');
    expect([...set.descending('', '\xff')]).toEqual(['m']);
    expect([...set.descending('', 'm')]).toEqual([]);
    expect([...set.ascending('n')]).toEqual([]);
  });
});
