import { randomBytes, randomInt } from 'node:crypto';
import {
  decodeGcKey,
  decodeIntentExpiryKey,
  decodeObjectKey,
  decodePartKey,
  decodeUploadKey,
  decodeVersionKey,
  escapeKey,
  gcKey,
  guardStripe,
  intentExpiryKey,
  decodeIntentChunkKey,
  intentChunkKey,
  intentChunkPrefix,
  keyVersionsPrefix,
  latestMarkerKey,
  nullVersionKey,
  objectKey,
  objectPrefix,
  partKey,
  unescapeKey,
  uploadKey,
  versionKey,
  versionPrefix,
  BUCKET_GUARD_STRIPES,
  bucketKey,
  bucketPrefix,
  gcPrefix,
  uploadKeyPrefix,
} from './keys';

const BID = randomBytes(16).toString('hex');
const ALPHABET = ['a', 'b', '/', '\u0000', '\u0001', '\u00ff', 'é', '日', '😀', '\uffff', 'z', ' ', '-'];

function randomString(): string {
  let s = '';
  const n = randomInt(0, 8);
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(0, ALPHABET.length)];
  return s;
}

const utf8Cmp = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('escaped user keys', () => {
  it('round-trips', () => {
    for (const s of ['', 'a', '\u0000', 'a\u0000b', '\u0000\u0000', 'x/y/z', '😀\u0000', ...Array.from({ length: 300 }, randomString)]) {
      expect(unescapeKey(escapeKey(s)).value).toBe(s);
      expect(decodeObjectKey(objectKey(BID, s))).toBe(s);
    }
  });

  it('orders encoded keys exactly like the UTF-8 bytes of the S3 keys (property)', () => {
    const strings = Array.from({ length: 400 }, randomString);
    // Include strings that are prefixes of each other, and NUL-adjacent edge cases.
    strings.push('a', 'a\u0000', 'a\u0000\u0000', 'a\u0001', 'a/', 'a//', 'ab', '', '\u0000');
    for (let i = 0; i < 4000; i++) {
      const a = strings[randomInt(0, strings.length)];
      const b = Math.random() < 0.3 ? a + randomString() : strings[randomInt(0, strings.length)];
      expect(Math.sign(Buffer.compare(objectKey(BID, a), objectKey(BID, b)))).toBe(Math.sign(utf8Cmp(a, b)));
    }
  });

  it('puts every key with a prefix under objectPrefix(prefix), and no other key', () => {
    const strings = Array.from({ length: 300 }, randomString);
    for (const p of ['a', 'a\u0000', '\u0000', 'a/', '']) {
      const bytes = objectPrefix(BID, p);
      for (const s of strings.concat(['a', 'a\u0000', 'a\u0000b', p])) {
        const has = objectKey(BID, s).subarray(0, bytes.length).equals(bytes);
        expect(has).toBe(s.startsWith(p));
      }
    }
  });
});

describe('typed keys', () => {
  it('decode what they encode', () => {
    const vid = randomBytes(16).toString('hex');
    const uid = randomBytes(16).toString('hex');
    expect(decodeVersionKey(versionKey(BID, 'k\u0000', vid))).toEqual({ key: 'k\u0000', versionId: vid });
    expect(decodeUploadKey(uploadKey(BID, 'a/b', uid))).toEqual({ key: 'a/b', uploadId: uid });
    expect(decodePartKey(partKey(uid, 10000))).toBe(10000);
    expect(decodeGcKey(gcKey(123456789, 'chunk\u0000id'))).toEqual({ dueAt: 123456789, chunkId: 'chunk\u0000id' });
    expect(decodeIntentExpiryKey(intentExpiryKey(42, uid))).toEqual({ expiresAt: 42, intentId: uid });
    expect(decodeIntentChunkKey(intentChunkKey(uid, 'sw1:3,01637037d6'))).toBe('sw1:3,01637037d6');
    const k = intentChunkKey(uid, 'a');
    expect(k.subarray(0, intentChunkPrefix(uid).length).equals(intentChunkPrefix(uid))).toBe(true);
  });

  it('orders versions newest first and numbers big-endian', () => {
    const older = '0000000000010000000000000000000a';
    const newer = '0000000000020000000000000000000a';
    expect(Buffer.compare(versionKey(BID, 'k', newer), versionKey(BID, 'k', older))).toBeLessThan(0);
    expect(Buffer.compare(partKey(older, 2), partKey(older, 10))).toBeLessThan(0);
    expect(Buffer.compare(gcKey(255, 'z'), gcKey(256, 'a'))).toBeLessThan(0);
  });

  it('orders uploads by key, then by upload id', () => {
    const u1 = '00000000000100000000000000000000';
    const u2 = '00000000000200000000000000000000';
    const keys = [uploadKey(BID, 'a', u2), uploadKey(BID, 'a\u0000', u1), uploadKey(BID, 'a', u1), uploadKey(BID, 'ab', u1)];
    const sorted = [...keys].sort(Buffer.compare).map(decodeUploadKey);
    expect(sorted).toEqual([
      { key: 'a', uploadId: u1 },
      { key: 'a', uploadId: u2 },
      { key: 'a\u0000', uploadId: u1 },
      { key: 'ab', uploadId: u1 },
    ]);
  });

  it('spreads keys over the guard stripes deterministically', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 20 * BUCKET_GUARD_STRIPES; i++) seen.add(guardStripe(`key-${i}`));
    expect(seen.size).toBe(BUCKET_GUARD_STRIPES);
    expect(guardStripe('x')).toBe(guardStripe('x'));
  });
});

describe('version key ranges', () => {
  const within = (k: Buffer, prefix: Buffer): boolean => k.subarray(0, prefix.length).equals(prefix);
  const id = (t: number): string => t.toString(16).padStart(12, '0') + '0'.repeat(20);

  it("a key's versions sort newest first, and its prefix holds no other key's versions", () => {
    for (let i = 0; i < 200; i++) {
      const a = randomString();
      const b = a + randomString() + 'x';
      const [older, newer] = [versionKey(BID, a, id(1000 + i)), versionKey(BID, a, id(2000 + i))];
      expect(Buffer.compare(newer, older)).toBeLessThan(0);
      expect(within(older, keyVersionsPrefix(BID, a))).toBe(true);
      expect(within(versionKey(BID, b, id(1)), keyVersionsPrefix(BID, a))).toBe(false);
      // every version of `a` sorts before every version of a longer key it prefixes (S3 order)
      expect(Buffer.compare(versionKey(BID, a, id(0)), versionKey(BID, b, id(2 ** 47)))).toBeLessThan(0);
      expect(within(versionKey(BID, b, id(1)), versionPrefix(BID, a))).toBe(true);
    }
  });

  it('N keys are their own family, one per object key', () => {
    expect(nullVersionKey(BID, 'k')[0]).toBe(0x4e);
    expect(nullVersionKey(BID, 'k').equals(nullVersionKey(BID, 'k'))).toBe(true);
    expect(nullVersionKey(BID, 'k').equals(nullVersionKey(BID, 'k2'))).toBe(false);
  });

  it('D keys are their own family, one per object key', () => {
    expect(latestMarkerKey(BID, 'k')[0]).toBe(0x44);
    expect(latestMarkerKey(BID, 'k').equals(latestMarkerKey(BID, 'k'))).toBe(true);
    expect(latestMarkerKey(BID, 'k').equals(latestMarkerKey(BID, 'k2'))).toBe(false);
    expect(latestMarkerKey(BID, 'k').subarray(1).equals(nullVersionKey(BID, 'k').subarray(1))).toBe(true);
  });
});

describe('keys built in one allocation', () => {
  // The layout spelled out part by part (what the builders did with Buffer.concat before).
  const esc = (s: string): Buffer => {
    const raw = Buffer.from(s, 'utf8');
    const out: number[] = [];
    for (const b of raw) out.push(...(b === 0 ? [0x00, 0xff] : [b]));
    return Buffer.from([...out, 0x00, 0x01]);
  };
  const id = (hex: string): Buffer => Buffer.from(hex, 'hex');
  const not = (b: Buffer): Buffer => Buffer.from(b.map((x) => 0xff - x));
  const strings = (): string[] => [
    '',
    'k',
    '\u0000',
    'a\u0000b\u0000',
    '日本/😀',
    '\ud800', // a lone surrogate: U+FFFD in UTF-8, whichever way it is written
    'x'.repeat(1024),
    ...Array.from({ length: 300 }, randomString),
  ];

  it('lay out every byte as the schema says (property)', () => {
    const vid = randomBytes(16).toString('hex');
    const uid = randomBytes(16).toString('hex');
    for (const k of strings()) {
      expect(bucketKey(k)).toEqual(Buffer.concat([Buffer.from('B'), esc(k)]));
      expect(objectKey(BID, k)).toEqual(Buffer.concat([Buffer.from('O'), id(BID), esc(k)]));
      expect(versionKey(BID, k, vid)).toEqual(Buffer.concat([Buffer.from('V'), id(BID), esc(k), not(id(vid))]));
      expect(keyVersionsPrefix(BID, k)).toEqual(Buffer.concat([Buffer.from('V'), id(BID), esc(k)]));
      expect(nullVersionKey(BID, k)).toEqual(Buffer.concat([Buffer.from('N'), id(BID), esc(k)]));
      expect(latestMarkerKey(BID, k)).toEqual(Buffer.concat([Buffer.from('D'), id(BID), esc(k)]));
      expect(uploadKeyPrefix(BID, k)).toEqual(Buffer.concat([Buffer.from('U'), id(BID), esc(k)]));
      expect(uploadKey(BID, k, uid)).toEqual(Buffer.concat([Buffer.from('U'), id(BID), esc(k), id(uid)]));
    }
  });

  it('write the id bytes (version ids complemented) for every hex digit', () => {
    const ids = ['0123456789abcdef'.repeat(2), 'fedcba9876543210'.repeat(2), '0'.repeat(32), 'f'.repeat(32), ...Array.from({ length: 50 }, () => randomBytes(16).toString('hex'))];
    for (const x of ids) {
      const raw = Buffer.from(x, 'hex');
      expect(uploadKey(BID, 'k', x).subarray(-16)).toEqual(raw);
      expect(versionKey(BID, 'k', x).subarray(-16)).toEqual(Buffer.from(raw.map((b) => 0xff - b)));
      expect(decodeVersionKey(versionKey(BID, 'k', x))).toEqual({ key: 'k', versionId: x });
    }
  });

  it('refuse malformed version and upload ids, whatever the key', () => {
    for (const bad of ['', 'AB'.repeat(16), 'ab'.repeat(15), 'ab'.repeat(17), 'zz'.repeat(16), `${'ab'.repeat(16)}\n`, `g${'a'.repeat(31)}`, `${'a'.repeat(31)}/`, `${'a'.repeat(30)}:a`, `${'a'.repeat(31)}\u0661`]) {
      expect(() => versionKey(BID, 'k', bad)).toThrow(/malformed version id/);
      expect(() => versionKey(BID, 'a\u0000', bad)).toThrow(/malformed version id/);
      expect(() => uploadKey(BID, 'k', bad)).toThrow(/malformed upload id/);
    }
    expect(() => versionKey(BID.slice(2), 'k', 'ab'.repeat(16))).toThrow(/malformed bucket id/);
  });
});

describe('shared key parts', () => {
  it('keys built from the same bucket id share no bytes: changing one key or prefix never changes the next', () => {
    const a = objectKey(BID, 'k');
    a.fill(0);
    expect(objectKey(BID, 'k').equals(a)).toBe(false);
    expect(decodeObjectKey(objectKey(BID, 'k'))).toBe('k');
    const p = bucketPrefix();
    p[0] = 0;
    expect(bucketPrefix()[0]).not.toBe(0);
    const g = gcPrefix();
    g[0] = 0;
    expect(gcPrefix()[0]).not.toBe(0);
    const v = versionKey(BID, 'k', 'ab'.repeat(16));
    v.fill(1);
    expect(decodeVersionKey(versionKey(BID, 'k', 'ab'.repeat(16)))).toEqual({ key: 'k', versionId: 'ab'.repeat(16) });
  });

  it('still refuses malformed ids after a good one was seen', () => {
    objectKey(BID, 'k');
    expect(() => objectKey(BID.toUpperCase(), 'k')).toThrow(/malformed bucket id/);
    expect(() => objectKey(BID.slice(1), 'k')).toThrow(/malformed bucket id/);
  });
});

