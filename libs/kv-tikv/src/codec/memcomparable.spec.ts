import { decodeBoundary, decodeKey, decodeKeyPrefix, encodeBoundary, encodeKey } from './memcomparable';
import { compareEnds, inRange, minEnd, nextKey } from './keys';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('memcomparable key encoding', () => {
  it('matches the reference vectors', () => {
    expect(encodeKey(Buffer.alloc(0))).toEqual(hex('0000000000000000 f7'));
    expect(encodeKey(Buffer.from('abc'))).toEqual(hex('6162630000000000 fa'));
    expect(encodeKey(Buffer.from('12345678'))).toEqual(hex('3132333435363738 ff 0000000000000000 f7'));
    expect(encodeKey(Buffer.from('123456789'))).toEqual(hex('3132333435363738 ff 3900000000000000 f8'));
  });

  it('round-trips and preserves unsigned byte order', () => {
    const keys: Buffer[] = [Buffer.alloc(0)];
    for (let i = 0; i < 300; i++) {
      const len = (i * 7) % 19;
      keys.push(Buffer.from(Array.from({ length: len }, (_, j) => (i * 31 + j * 17) % 256)));
    }
    keys.push(Buffer.from([0]), Buffer.from([0, 0]), Buffer.alloc(8), Buffer.alloc(8, 0xff), Buffer.alloc(9, 0xff));
    for (const k of keys) expect(decodeKey(encodeKey(k))).toEqual(k);
    const byRaw = [...keys].sort(Buffer.compare).map((k) => k.toString('hex'));
    const byEnc = [...keys]
      .sort((a, b) => Buffer.compare(encodeKey(a), encodeKey(b)))
      .map((k) => k.toString('hex'));
    expect(byEnc).toEqual(byRaw);
  });

  it('rejects malformed encodings', () => {
    expect(() => decodeKey(hex('61'))).toThrow(/truncated/);
    expect(() => decodeKey(hex('6100000000000000 f0'))).toThrow(/marker/);
    expect(() => decodeKey(hex('6100000000000001 f9'))).toThrow(/padding/);
    expect(() => decodeKey(hex('6100000000000000 f9 00'))).toThrow(/trailing/);
  });

  it('decodes a prefix and leaves the rest', () => {
    const enc = Buffer.concat([encodeKey(Buffer.from('key')), hex('0102')]);
    const { key, rest } = decodeKeyPrefix(enc);
    expect(key.toString()).toBe('key');
    expect(rest).toEqual(hex('0102'));
  });

  it('keeps empty boundaries empty (infinity)', () => {
    expect(decodeBoundary(Buffer.alloc(0))).toEqual(Buffer.alloc(0));
    expect(decodeBoundary(undefined)).toEqual(Buffer.alloc(0));
    expect(encodeBoundary(Buffer.alloc(0))).toEqual(Buffer.alloc(0));
    expect(decodeBoundary(encodeBoundary(Buffer.from('m')))).toEqual(Buffer.from('m'));
  });

  it('accepts boundaries with trailing bytes (TiDB-style suffixes) as the raw key just above K', () => {
    for (const raw of ['', 'm', 'abcdefg', 'abcdefgh', 'abcdefghijklmnop']) {
      const K = Buffer.from(raw);
      for (const suffix of [Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 1]), Buffer.from([0xff]), Buffer.from([0])]) {
        const enc = Buffer.concat([encodeKey(K), suffix]);
        const b = decodeBoundary(enc);
        expect(b).toEqual(Buffer.concat([K, Buffer.from([0])]));
        // the order the decoded boundary stands for is the order of the encoded one
        expect(Buffer.compare(encodeKey(K), enc)).toBe(-1);
        expect(Buffer.compare(enc, encodeKey(b))).toBe(-1);
      }
    }
    expect(() => decodeBoundary(Buffer.from([1, 2, 3]))).toThrow(/truncated/);
  });
});

describe('raw key helpers', () => {
  const k = (s: string) => Buffer.from(s);
  it('orders ends with empty as +infinity', () => {
    expect(compareEnds(k(''), k(''))).toBe(0);
    expect(compareEnds(k(''), k('z'))).toBe(1);
    expect(compareEnds(k('a'), k(''))).toBe(-1);
    expect(compareEnds(k('a'), k('b'))).toBe(-1);
    expect(minEnd(k(''), k('q'))).toEqual(k('q'));
  });
  it('tests ranges and successors', () => {
    expect(inRange(k('b'), k('a'), k('c'))).toBe(true);
    expect(inRange(k('c'), k('a'), k('c'))).toBe(false);
    expect(inRange(k('zzz'), k('a'), k(''))).toBe(true);
    expect(nextKey(k('a'))).toEqual(Buffer.from([0x61, 0]));
  });
});
