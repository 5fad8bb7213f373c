import { randomBytes } from 'node:crypto';
import { isServiceError } from '@massive/contracts';
import { BLOCK_SIZE, blockCount, dataLengthOf, decodeBlocks, encodeNeedle, needleRangeFor, storedSize } from './needle-format';

const needleOf = (data: Buffer): Buffer => Buffer.concat(encodeNeedle([data]));

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isServiceError(e) ? e.code : String(e);
  }
  return undefined;
}

describe('needle format sw1', () => {
  it.each([0, 1, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1, 3 * BLOCK_SIZE, 3 * BLOCK_SIZE + 17])('sizes invert for %i bytes', (n) => {
    expect(storedSize(n)).toBe(n + 4 * blockCount(n));
    expect(dataLengthOf(storedSize(n))).toBe(n);
    expect(needleOf(randomBytes(n)).length).toBe(storedSize(n));
  });

  it('maps no size below 4 or with a 1..3-byte last block', () => {
    expect(dataLengthOf(0)).toBeUndefined();
    expect(dataLengthOf(3)).toBeUndefined();
    expect(dataLengthOf(BLOCK_SIZE + 4 + 2)).toBeUndefined();
  });

  it('encodes slices without copying the data', () => {
    const a = randomBytes(10);
    const out = encodeNeedle([a]);
    expect(out[0].buffer).toBe(a.buffer);
  });

  it('decodes any range from exactly the blocks needleRangeFor names', () => {
    const data = randomBytes(3 * BLOCK_SIZE + 99);
    const needle = needleOf(data);
    for (const [off, len] of [
      [0, 1],
      [BLOCK_SIZE - 1, 2],
      [BLOCK_SIZE, BLOCK_SIZE],
      [5, 3 * BLOCK_SIZE + 90],
      [3 * BLOCK_SIZE + 98, 1],
    ]) {
      const r = needleRangeFor(off, len);
      expect(r.end - r.start + 1).toBeLessThanOrEqual(len + 2 * (BLOCK_SIZE + 4));
      const raw = needle.subarray(r.start, r.end + 1);
      expect(decodeBlocks('c', raw, needle.length, r.first, off, len).equals(data.subarray(off, off + len))).toBe(true);
    }
  });

  it('fails on a flipped bit, swapped blocks, a block-boundary truncation and a range past the end', () => {
    const data = randomBytes(2 * BLOCK_SIZE + 5);
    const needle = needleOf(data);
    const flipped = Buffer.from(needle);
    flipped[BLOCK_SIZE + 10] ^= 1;
    expect(code(() => decodeBlocks('c', flipped, needle.length, 0, 0, undefined))).toBe('DataCorrupted');
    const s = BLOCK_SIZE + 4;
    const swapped = Buffer.concat([needle.subarray(s, 2 * s), needle.subarray(0, s), needle.subarray(2 * s)]);
    expect(code(() => decodeBlocks('c', swapped, needle.length, 0, 0, undefined))).toBe('DataCorrupted');
    const cut = needle.subarray(0, 2 * s);
    expect(code(() => decodeBlocks('c', cut.subarray(0, s), cut.length, 0, 0, 10))).toBe('DataCorrupted');
    expect(code(() => decodeBlocks('c', needle.subarray(2 * s), needle.length, 2, 2 * BLOCK_SIZE, 6))).toBe('DataCorrupted');
  });
});
