import { randomBytes } from 'node:crypto';
import { isServiceError } from '@massive/contracts';
import { PACKAGE_OVERHEAD, PACKAGE_PLAIN, cipherRange, cipherSize, decryptStream, encryptStream, type PlainSelection } from './package-format';

const P = PACKAGE_PLAIN;
const C = PACKAGE_PLAIN + PACKAGE_OVERHEAD;
const KEY = randomBytes(32);

/** A small seeded PRNG (mulberry32), so piece sizes are random but a failure replays. */
function rng(seed: number): (max: number) => number {
  let a = seed >>> 0;
  return (max) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return 1 + ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * max) | 0;
  };
}

/** `buf` cut into pieces of 1..maxPiece bytes (all of `maxPiece` when `next` is omitted). */
async function* pieces(buf: Buffer, maxPiece: number, next?: (max: number) => number): AsyncGenerator<Buffer> {
  for (let at = 0; at < buf.length; ) {
    const n = Math.min(next ? next(maxPiece) : maxPiece, buf.length - at);
    yield buf.subarray(at, at + n);
    at += n;
  }
}

async function collect(gen: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of gen) out.push(b);
  return out;
}

async function all(gen: AsyncIterable<Buffer>): Promise<Buffer> {
  return Buffer.concat(await collect(gen));
}

async function seal(plain: Buffer, stream = 0, key = KEY): Promise<Buffer> {
  return all(encryptStream(pieces(plain, 200_000, rng(plain.length)), key, stream));
}

function whole(plainSize: number): PlainSelection {
  return plainSize === 0 ? { firstSeq: 0, skip: 0, length: 0, toEnd: true } : cipherRange(0, plainSize - 1, plainSize);
}

async function open(cipher: Buffer, plainSize: number, stream = 0, key = KEY, maxPiece = 100_000): Promise<Buffer> {
  return all(decryptStream(pieces(cipher, maxPiece, rng(cipher.length)), key, stream, whole(plainSize)));
}

async function expectCorrupted(p: Promise<unknown>, message?: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isServiceError(err, 'DataCorrupted')).toBe(true);
  if (message) expect((err as Error).message).toMatch(message);
}

/** Byte offset of package `seq` in a stream's ciphertext. */
const pkg = (seq: number) => seq * C;

describe('cipherSize', () => {
  it.each([
    [0, 0],
    [1, 33],
    [P - 1, P - 1 + 32],
    [P, P + 32],
    [P + 1, P + 1 + 64],
    [3 * P, 3 * P + 96],
    [5 * 1024 ** 3, 5 * 1024 ** 3 + 32 * 81920],
  ])('%i plaintext bytes are stored as %i', (plain, stored) => {
    expect(cipherSize(plain)).toBe(stored);
  });
});

describe('cipherRange', () => {
  const size = 2 * P + 100;

  it('maps a range inside one middle package to that package alone', () => {
    expect(cipherRange(P + 10, P + 19, size)).toEqual({ start: C, end: 2 * C - 1, firstSeq: 1, skip: 10, length: 10, toEnd: false });
  });

  it('covers every package a range crosses', () => {
    expect(cipherRange(P - 1, P, size)).toEqual({ start: 0, end: 2 * C - 1, firstSeq: 0, skip: P - 1, length: 2, toEnd: false });
  });

  it('ends at the end of the stream when the range reaches the final package', () => {
    expect(cipherRange(2 * P, 2 * P, size)).toEqual({ start: 2 * C, end: cipherSize(size) - 1, firstSeq: 2, skip: 0, length: 1, toEnd: true });
    expect(cipherRange(0, size - 1, size)).toEqual({ start: 0, end: cipherSize(size) - 1, firstSeq: 0, skip: 0, length: size, toEnd: true });
  });

  it('treats a whole last package as the final one', () => {
    expect(cipherRange(P, 2 * P - 1, 2 * P)).toEqual({ start: C, end: 2 * C - 1, firstSeq: 1, skip: 0, length: P, toEnd: true });
    expect(cipherRange(0, P - 1, 2 * P).toEnd).toBe(false);
  });

  it.each([
    [-1, 0, 10],
    [5, 4, 10],
    [0, 10, 10],
    [0, 0, 0],
    [0.5, 1, 10],
  ])('refuses the range %d-%d of %d bytes', (start, end, plainSize) => {
    expect(() => cipherRange(start, end, plainSize)).toThrow(RangeError);
  });
});

describe('encryptStream / decryptStream round trips', () => {
  it.each([0, 1, P - 1, P, P + 1, 3 * P, 1024 * 1024 + 7])('%i bytes, random piece sizes on both sides', async (size) => {
    const plain = randomBytes(size);
    const next = rng(size + 1);
    const cipher = await all(encryptStream(pieces(plain, 3 * P, next), KEY, 7));
    expect(cipher.length).toBe(cipherSize(size));
    expect((await all(decryptStream(pieces(cipher, 3 * P, next), KEY, 7, whole(size)))).equals(plain)).toBe(true);
  });

  it('survives 1-byte pieces on both sides', async () => {
    const plain = randomBytes(P + 300);
    const cipher = await all(encryptStream(pieces(plain, 1), KEY, 0));
    expect(cipher.length).toBe(cipherSize(plain.length));
    expect((await all(decryptStream(pieces(cipher, 1), KEY, 0, whole(plain.length)))).equals(plain)).toBe(true);
  });

  it('yields nothing for an empty source, or one of empty pieces', async () => {
    expect(await collect(encryptStream(pieces(Buffer.alloc(0), 1), KEY, 0))).toEqual([]);
    async function* empties(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(0);
      yield Buffer.alloc(0);
    }
    expect(await collect(encryptStream(empties(), KEY, 0))).toEqual([]);
  });

  it('seals each package with a fresh nonce, so equal plaintexts differ', async () => {
    const plain = Buffer.alloc(2 * P, 7);
    const cipher = await seal(plain);
    expect(cipher.subarray(pkg(0) + 16, pkg(1)).equals(cipher.subarray(pkg(1) + 16, pkg(2)))).toBe(false);
    expect((await seal(plain)).equals(cipher)).toBe(false);
  });

  it('writes the documented header', async () => {
    const cipher = await seal(randomBytes(P + 5));
    expect([...cipher.subarray(0, 4)]).toEqual([1, 0, 0xff, 0xff]);
    expect([...cipher.subarray(pkg(1), pkg(1) + 4)]).toEqual([1, 1, 4, 0]);
  });

  it('yields one buffer per source piece, not one per package', async () => {
    const out = await collect(encryptStream(pieces(randomBytes(1024 * 1024), 1024 * 1024), KEY, 0));
    expect(out.length).toBe(2); // 15 packages, then the held-back final one
    expect(out[0].length).toBe(15 * C);
    const four = await collect(encryptStream(pieces(randomBytes(4 * 1024 * 1024), 1024 * 1024), KEY, 0));
    expect(four.length).toBe(5);
    const plain = await collect(decryptStream(pieces(Buffer.concat(four), 1024 * 1024), KEY, 0, whole(4 * 1024 * 1024)));
    expect(plain.length).toBeLessThanOrEqual(5);
  });
});

describe('ranges', () => {
  const size = 2 * P + 100;
  const plain = randomBytes(size);
  let cipher: Buffer;
  beforeAll(async () => {
    cipher = await seal(plain, 3);
  });

  async function read(start: number, end: number, maxPiece: number): Promise<Buffer> {
    const r = cipherRange(start, end, size);
    const stored = cipher.subarray(r.start, r.end + 1);
    return all(decryptStream(pieces(stored, maxPiece, rng(start * 31 + end)), KEY, 3, r));
  }

  const chosen: [number, number][] = [
    [0, 0],
    [0, P - 1],
    [1, P - 2],
    [P - 1, P],
    [P, 2 * P - 1],
    [P + 17, P + 17],
    [P - 6, 2 * P + 5],
    [0, 2 * P],
    [2 * P, size - 1],
    [size - 1, size - 1],
    [100, size - 1],
    [2 * P + 10, 2 * P + 20],
    [0, size - 1],
  ];
  it.each(chosen)('bytes %i-%i', async (start, end) => {
    expect((await read(start, end, 40_000)).equals(plain.subarray(start, end + 1))).toBe(true);
  });

  it('any random range, in random pieces', async () => {
    const next = rng(42);
    for (let i = 0; i < 60; i++) {
      const a = next(size) - 1;
      const b = next(size) - 1;
      const [start, end] = a <= b ? [a, b] : [b, a];
      expect((await read(start, end, 1 + next(2 * C))).equals(plain.subarray(start, end + 1))).toBe(true);
    }
  });
});

describe('tampering and misuse throw DataCorrupted', () => {
  const size = 2 * P + 100;
  const plain = randomBytes(size);
  let cipher: Buffer;
  beforeAll(async () => {
    cipher = await seal(plain, 5);
  });
  const flipped = (at: number, bit = 0x01) => {
    const c = Buffer.from(cipher);
    c[at] ^= bit;
    return c;
  };

  it('a flipped ciphertext bit', async () => {
    await expectCorrupted(open(flipped(pkg(1) + 16 + 1000), size, 5), /package 1 of stream 5: authentication failed/);
  });

  it('a flipped tag bit', async () => {
    await expectCorrupted(open(flipped(pkg(1) - 1, 0x80), size, 5));
  });

  it.each([
    ['version', 0, 0x02],
    ['flags: final', 1, 0x01],
    ['flags: unknown bit', 1, 0x40],
    ['length', 2, 0x01],
    ['nonce', 9, 0x10],
  ])('a flipped header bit (%s)', async (_what, at, bit) => {
    await expectCorrupted(open(flipped(pkg(0) + at, bit), size, 5));
    await expectCorrupted(open(flipped(pkg(2) + at, bit), size, 5));
  });

  it('never yields the plaintext of a package that fails', async () => {
    const got: Buffer[] = [];
    const gen = decryptStream(pieces(flipped(pkg(1) + 20), 10 * C), KEY, 5, whole(size));
    await expectCorrupted((async () => {
      for await (const b of gen) got.push(b);
    })());
    expect(got.length).toBe(0); // the single piece held a bad package: nothing of it came out
  });

  it('two packages swapped', async () => {
    const swapped = Buffer.concat([cipher.subarray(pkg(1), pkg(2)), cipher.subarray(pkg(0), pkg(1)), cipher.subarray(pkg(2))]);
    await expectCorrupted(open(swapped, size, 5), /package 0 of stream 5: authentication failed/);
  });

  it('a package read as another stream (moved between parts)', async () => {
    await expectCorrupted(open(cipher, size, 6), /authentication failed/);
  });

  it('a package read at another position', async () => {
    const r = cipherRange(P, P + 10, size);
    const moved = cipher.subarray(0, C); // package 0 presented as package 1
    await expectCorrupted(all(decryptStream(pieces(moved, C), KEY, 5, r)), /package 1 of stream 5: authentication failed/);
  });

  it('the final package dropped (truncation at a package boundary)', async () => {
    await expectCorrupted(open(cipher.subarray(0, pkg(2)), size, 5), /truncated/);
    // The shortened stream presented as a whole one: its new last package is not marked final.
    const even = await seal(randomBytes(2 * P), 5);
    await expectCorrupted(open(even.subarray(0, pkg(1)), P, 5), /not marked final/);
  });

  it('truncated inside a package', async () => {
    await expectCorrupted(open(cipher.subarray(0, cipher.length - 1), size, 5));
    await expectCorrupted(open(cipher.subarray(0, pkg(1) + 5), size, 5));
  });

  it('bytes appended', async () => {
    await expectCorrupted(open(Buffer.concat([cipher, Buffer.from([0])]), size, 5), /bytes after the last package/);
    await expectCorrupted(open(Buffer.concat([cipher, cipher.subarray(pkg(2))]), size, 5));
    await expectCorrupted(open(Buffer.from([1]), 0, 5));
  });

  it('a final flag where none belongs', async () => {
    const one = await seal(randomBytes(P), 5); // a one-package stream: its only package is final
    await expectCorrupted(all(decryptStream(pieces(one, C), KEY, 5, { firstSeq: 0, skip: 0, length: P, toEnd: false })), /marked final/);
  });

  it('the wrong key', async () => {
    await expectCorrupted(open(cipher, size, 5, randomBytes(32)), /authentication failed/);
  });
});
