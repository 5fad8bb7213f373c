import { constants } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { alignedSlots, DIRECT_ALIGN, O_DIRECT, PieceCursor, readDirect, STAGING_SIZE, StagingPool, writeDirect } from './direct-io';

describe('PieceCursor', () => {
  it('copies across piece boundaries in order, and hands back the rest without copying', () => {
    const pieces = [Buffer.from('abc'), Buffer.alloc(0), Buffer.from('defgh'), Buffer.from('ij')];
    const c = new PieceCursor(pieces);
    const dst = Buffer.alloc(4);
    c.copyTo(dst, 4);
    expect(dst.toString()).toBe('abcd');
    c.copyTo(dst, 2);
    expect(dst.subarray(0, 2).toString()).toBe('ef');
    const rest = c.rest();
    expect(Buffer.concat(rest).toString()).toBe('ghij');
    expect(rest[1]).toBe(pieces[3]);
  });
});

describe('StagingPool', () => {
  it('makes page-aligned buffers on demand up to its size, then makes acquirers wait for a release', async () => {
    const pool = new StagingPool(8);
    const held = [];
    for (let i = 0; i < 8; i++) held.push(await pool.acquire());
    expect(pool.size).toBe(8);
    expect(held.every((b) => b.length === STAGING_SIZE)).toBe(true);
    expect(new Set(held.map((b) => b.byteOffset)).size).toBe(8);
    let got: Buffer | undefined;
    void Promise.resolve(pool.acquire()).then((b) => (got = b));
    await new Promise((r) => setImmediate(r));
    expect(got).toBeUndefined();
    pool.release(held[3]);
    await new Promise((r) => setImmediate(r));
    expect(got).toBe(held[3]);
    expect(pool.size).toBe(8);
  });
});

// The direct round trips need a filesystem that takes O_DIRECT (ext4, xfs, tmpfs since Linux 6.6):
// the default LocalDiskStore specs cover the fallback wherever it does not.
describe('writeDirect / readDirect', () => {
  let dir: string;
  let pool: StagingPool;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blob-core-dio-'));
    pool = new StagingPool(2);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const directFlags = (): number => (O_DIRECT as number) | constants.O_RDWR | constants.O_CREAT;

  it.each([DIRECT_ALIGN, 3 * DIRECT_ALIGN, STAGING_SIZE, STAGING_SIZE + DIRECT_ALIGN, 2 * STAGING_SIZE + 5 * DIRECT_ALIGN])(
    'writes %i bytes from scattered pieces and reads any span back, aligned or not',
    async (length) => {
      const data = randomBytes(length);
      const pieces = [data.subarray(0, 7), data.subarray(7, 70_001), data.subarray(70_001)];
      const path = join(dir, 'f');
      const fh = await open(path, directFlags(), 0o600);
      try {
        await writeDirect(fh, new PieceCursor(pieces), length, pool);
        expect((await readFile(path)).equals(data)).toBe(true);
        for (const [pos, len] of [[0, length], [1, length - 1], [Math.max(0, length - 4097), 2], [length - 10, 10], [Math.floor(length / 3), Math.floor(length / 2)]]) {
          const dst = Buffer.alloc(len);
          expect(await readDirect(fh, dst, pos, pool)).toBe(len);
          expect(dst.equals(data.subarray(pos, pos + len))).toBe(true);
        }
        // Past the end: short, with what there is.
        const over = Buffer.alloc(100);
        expect(await readDirect(fh, over, length - 40, pool)).toBe(40);
        expect(over.subarray(0, 40).equals(data.subarray(length - 40))).toBe(true);
      } finally {
        await fh.close();
      }
    },
  );

  it('reads straight into aligned memory with room for whole blocks, staging only what it must', async () => {
    const length = 5 * DIRECT_ALIGN + 123;
    const data = randomBytes(length);
    const path = join(dir, 'h');
    await writeFile(path, data);
    const fh = await open(path, (O_DIRECT as number) | constants.O_RDONLY);
    // A pool that fails any use: a read that staged would reject.
    const noStaging = { acquire: () => Promise.reject(new Error('staged')), release: () => undefined } as unknown as StagingPool;
    try {
      const [slot] = alignedSlots(8 * DIRECT_ALIGN, 1);
      slot.fill(0xee);
      // The whole file from 0: the device writes into the slot, past dst's end up to the next block.
      const whole = slot.subarray(0, length);
      expect(await readDirect(fh, whole, 0, noStaging, slot.length)).toBe(length);
      expect(whole.equals(data)).toBe(true);
      // From an aligned offset, near the end: short at EOF.
      const tail = slot.subarray(DIRECT_ALIGN, DIRECT_ALIGN + 2 * DIRECT_ALIGN);
      expect(await readDirect(fh, tail, 4 * DIRECT_ALIGN, noStaging, slot.length - DIRECT_ALIGN)).toBe(DIRECT_ALIGN + 123);
      expect(tail.subarray(0, DIRECT_ALIGN + 123).equals(data.subarray(4 * DIRECT_ALIGN))).toBe(true);
      // Not enough room for whole blocks, an unaligned position, or no room given: staged.
      await expect(readDirect(fh, slot.subarray(0, length), 0, noStaging, length)).rejects.toThrow('staged');
      await expect(readDirect(fh, slot.subarray(0, 100), 1, noStaging, slot.length)).rejects.toThrow('staged');
      const plain = Buffer.alloc(100);
      expect(await readDirect(fh, plain, 7, pool)).toBe(100);
      expect(plain.equals(data.subarray(7, 107))).toBe(true);
    } finally {
      await fh.close();
    }
  });

  it('writes at a block-aligned position, continuing a file in pieces (a chunk written as it arrives)', async () => {
    const data = randomBytes(STAGING_SIZE + 3 * DIRECT_ALIGN);
    const path = join(dir, 'p');
    const fh = await open(path, directFlags(), 0o600);
    try {
      const cursor = new PieceCursor([data.subarray(0, 10), data.subarray(10)]);
      await writeDirect(fh, cursor, 2 * DIRECT_ALIGN, pool);
      await writeDirect(fh, cursor, STAGING_SIZE, pool, 2 * DIRECT_ALIGN);
      await writeDirect(fh, cursor, DIRECT_ALIGN, pool, 2 * DIRECT_ALIGN + STAGING_SIZE);
      expect((await readFile(path)).equals(data)).toBe(true);
    } finally {
      await fh.close();
    }
  });

  it('refuses a length or position that is not whole blocks (the caller writes the tail buffered)', async () => {
    const fh = await open(join(dir, 'g'), directFlags(), 0o600);
    try {
      await expect(writeDirect(fh, new PieceCursor([Buffer.alloc(5000)]), 5000, pool)).rejects.toThrow(RangeError);
      await expect(writeDirect(fh, new PieceCursor([Buffer.alloc(DIRECT_ALIGN)]), DIRECT_ALIGN, pool, 512)).rejects.toThrow(RangeError);
    } finally {
      await fh.close();
    }
  });
});
