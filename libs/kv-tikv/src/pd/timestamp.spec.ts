import { composeTs, expandBatch, fromU64, logicalOf, MAX_U64, physicalMsOf, physicalOf, toU64 } from './timestamp';

describe('TSO timestamps', () => {
  it('composes physical << 18 | logical as bigint', () => {
    const now = 1_764_000_000_000n;
    const ts = composeTs(now, 5);
    expect(ts).toBe((now << 18n) + 5n);
    expect(physicalOf(ts)).toBe(now);
    expect(logicalOf(ts)).toBe(5n);
    expect(physicalMsOf(ts)).toBe(Number(now));
    expect(ts > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it('rejects logical values outside 18 bits', () => {
    expect(() => composeTs(1, 1 << 18)).toThrow(RangeError);
    expect(() => composeTs(1, -1)).toThrow(RangeError);
  });

  it('expands a batched reply: the reply carries the last timestamp', () => {
    expect(expandBatch(10n, 7n, 3)).toEqual([composeTs(10, 5), composeTs(10, 6), composeTs(10, 7)]);
    expect(expandBatch(10n, 0n, 1)).toEqual([composeTs(10, 0)]);
    expect(() => expandBatch(10n, 1n, 3)).toThrow();
  });

  it('converts u64 at the edge without losing precision', () => {
    const big = (1n << 60n) + 1n;
    expect(fromU64(toU64(big))).toBe(big);
    expect(toU64(MAX_U64)).toBe('18446744073709551615');
    expect(fromU64(undefined)).toBe(0n);
    expect(fromU64(42)).toBe(42n);
    expect(() => toU64(-1n)).toThrow(RangeError);
    expect(() => toU64(MAX_U64 + 1n)).toThrow(RangeError);
  });
});
