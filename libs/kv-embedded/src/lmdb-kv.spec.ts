import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KvConflictError, prefixEnd } from '@massive/kv';
import { describeKvContract } from '@massive/kv/testing';
import { open } from 'lmdb';
import { DEFAULT_PAGE_SIZE, LmdbKv } from './lmdb-kv';

const b = (s: string) => Buffer.from(s);

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'lmdb-kv-'));
}

describeKvContract('LmdbKv', async () => {
  const dir = tempDir();
  const kv = new LmdbKv({ path: dir });
  return {
    kv,
    cleanup: async () => {
      await kv.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('LmdbKv', () => {
  let dir: string;
  let kv: LmdbKv;
  beforeEach(() => {
    dir = tempDir();
    kv = new LmdbKv({ path: dir });
  });
  afterEach(async () => {
    await kv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps data and the commit sequence across a reopen', async () => {
    await kv.txn(async (tx) => tx.put(b('k'), b('v1')));
    await kv.close();
    kv = new LmdbKv({ path: dir });
    expect(await kv.txn((tx) => tx.get(b('k')))).toEqual(b('v1'));
    // A writer that started before the reopen is long gone; a fresh one commits normally.
    await kv.txn(async (tx) => tx.put(b('k'), b('v2')));
    expect(await kv.txn((tx) => tx.get(b('k')))).toEqual(b('v2'));
  });

  it('refuses keys LMDB cannot store', async () => {
    await expect(kv.txn(async (tx) => tx.put(Buffer.alloc(kv.maxKeySize + 1), b('x')))).rejects.toThrow(/limit/);
    expect(await kv.txn((tx) => tx.get(Buffer.alloc(kv.maxKeySize + 1)))).toBeUndefined();
  });

  it('200 concurrent increments of one counter with retries all land exactly once', async () => {
    let conflicts = 0;
    const increment = async (): Promise<void> => {
      for (;;) {
        try {
          return await kv.txn(async (tx) => {
            const cur = (await tx.get(b('counter')))?.readUInt32BE() ?? 0;
            const next = Buffer.alloc(4);
            next.writeUInt32BE(cur + 1);
            tx.put(b('counter'), next);
          });
        } catch (err) {
          if (!(err instanceof KvConflictError)) throw err;
          conflicts++;
          await new Promise((r) => setImmediate(r));
        }
      }
    };
    await Promise.all(Array.from({ length: 200 }, increment));
    expect((await kv.txn((tx) => tx.get(b('counter'))))?.readUInt32BE()).toBe(200);
    expect(conflicts).toBeGreaterThan(0); // the retry path really ran
  }, 30_000);

  it('a conflicting transaction does not disturb others committed in the same batch', async () => {
    await kv.txn(async (tx) => tx.put(b('hot'), b('0')));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const stale = kv.txn(async (tx) => {
      await tx.get(b('hot'));
      await gate;
      tx.put(b('hot'), b('stale'));
      tx.put(b('stale-side'), b('x'));
    });
    await kv.txn(async (tx) => tx.put(b('hot'), b('1')));
    release();
    const others = Array.from({ length: 20 }, (_, i) => kv.txn(async (tx) => tx.put(b(`other${i}`), b('y'))));
    await expect(stale).rejects.toBeInstanceOf(KvConflictError);
    await Promise.all(others);
    const got = await kv.txn((tx) => tx.scan(b('other'), prefixEnd(b('other'))));
    expect(got).toHaveLength(20);
    expect(await kv.txn((tx) => tx.batchGet([b('hot'), b('stale-side')]))).toEqual([b('1'), undefined]);
  });

  it('a transaction refused for a commit still on its way to disk is refused only once that commit is readable', async () => {
    await kv.txn(async (tx) => tx.put(b('hot'), b('0')));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let readBeforeCommit: Buffer | undefined;
    const stale = kv.txn(async (tx) => {
      readBeforeCommit = await tx.get(b('hot'));
      await gate;
      tx.put(b('hot'), b('stale'));
    });
    // Queued, not awaited: its claim is made now, its flush takes a disk round trip.
    const winner = kv.txn(async (tx) => tx.put(b('hot'), b('1')));
    await new Promise((r) => setImmediate(r));
    release();
    await expect(stale).rejects.toBeInstanceOf(KvConflictError);
    // A retry starts now: it must see what it conflicted with, or it would conflict again.
    expect(await kv.txn((tx) => tx.get(b('hot')))).toEqual(b('1'));
    expect(readBeforeCommit).toEqual(b('0'));
    await winner;
  });

  it('applies each commit whole and in the order claimed, many batched into one LMDB transaction', async () => {
    const commits = Array.from({ length: 40 }, (_, i) =>
      kv.txn(async (tx) => {
        tx.put(b('last'), b(String(i)));
        tx.put(b(`a${i}`), b('x'));
        tx.put(b(`b${i}`), b('y'));
        tx.delete(b(`missing${i}`)); // deleting what is not there fails nothing
      }),
    );
    // Same snapshot, same key: the first queued wins, the others conflict.
    const outcomes = await Promise.allSettled(commits);
    expect(outcomes[0].status).toBe('fulfilled');
    expect(outcomes.slice(1).every((o) => o.status === 'rejected' && o.reason instanceof KvConflictError)).toBe(true);
    expect(await kv.txn((tx) => tx.batchGet([b('last'), b('a0'), b('b0'), b('a1')]))).toEqual([b('0'), b('x'), b('y'), undefined]);
    // Disjoint keys: all commit, batched into few LMDB transactions, each writing the commit sequence
    // in claim order. Had a batch stored an earlier claim's seq after a later one's, a snapshot would
    // name a seq below what it holds, and a writer of the last key would conflict with that key's claim.
    await Promise.all(Array.from({ length: 40 }, (_, i) => kv.txn(async (tx) => tx.put(b(`c${String(i).padStart(2, '0')}`), b(String(i))))));
    const got = await kv.txn((tx) => tx.scan(b('c'), prefixEnd(b('c'))));
    expect(got.map((p) => p.value.toString())).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
    await kv.txn(async (tx) => {
      for (let i = 0; i < 40; i++) tx.put(b(`c${String(i).padStart(2, '0')}`), Buffer.concat([(await tx.get(b(`c${String(i).padStart(2, '0')}`)))!, b('+')]));
    });
    expect((await kv.txn((tx) => tx.get(b('c39'))))?.toString()).toBe('39+');
  });

  it('hands out copies in pooled memory: small values share an ArrayBuffer, every value its own bytes', async () => {
    const big = Buffer.alloc(200 * 1024, 0x5a);
    await kv.txn(async (tx) => {
      tx.put(b('a'), b('first'));
      tx.put(b('b'), b('second'));
      tx.put(b('c'), Buffer.alloc(5000, 7));
      tx.put(b('d'), big);
    });
    const snap = await kv.snapshot();
    try {
      const [x, y, c, d] = await Promise.all([snap.get(b('a')), snap.get(b('b')), snap.get(b('c')), snap.get(b('d'))]);
      expect([x?.toString(), y?.toString(), c?.equals(Buffer.alloc(5000, 7)), d?.equals(big)]).toEqual(['first', 'second', true, true]);
      // Not an ArrayBuffer per small value (lmdb-js' binary encoding gave each its own).
      expect(x!.buffer.byteLength).toBeGreaterThan(x!.length);
      // Each read is the caller's: writing into one changes neither the store nor another read.
      x!.fill(0x21);
      expect((await snap.get(b('a')))?.toString()).toBe('first');
      expect(y!.toString()).toBe('second');
      const scanned = await snap.scan(b('a'), b('e'));
      expect(scanned.map(({ key, value }) => [key.toString(), value.length])).toEqual([
        ['a', 5],
        ['b', 6],
        ['c', 5000],
        ['d', 200 * 1024],
      ]);
      expect(scanned[3].value.equals(big)).toBe(true);
      scanned[0].value.fill(0);
      expect(scanned[1].value.toString()).toBe('second');
      expect((await snap.scan(b('a'), b('b')))[0].value.toString()).toBe('first');
    } finally {
      snap.close();
    }
  });

  it('cuts 4-16 KiB values from a shared slab, each its own bytes, and the next slab when one is full', async () => {
    // 40 values of 4-16 KiB (~400 KiB): several 128 KiB slabs, values at their ends and starts.
    const sizes = Array.from({ length: 40 }, (_, i) => 4096 + ((i * 2999) % (12 * 1024 + 1)));
    await kv.txn(async (tx) => {
      sizes.forEach((n, i) => tx.put(b(`s${String(i).padStart(2, '0')}`), Buffer.alloc(n, i + 1)));
    });
    const snap = await kv.snapshot();
    try {
      const got = await Promise.all(sizes.map((_, i) => snap.get(b(`s${String(i).padStart(2, '0')}`))));
      got.forEach((v, i) => expect(v?.equals(Buffer.alloc(sizes[i], i + 1))).toBe(true));
      // Shared: not an ArrayBuffer per value.
      expect(new Set(got.map((v) => v!.buffer)).size).toBeLessThan(got.length / 4);
      // Each its own: filling every other value changes no neighbour, nor the store.
      got.forEach((v, i) => i % 2 === 0 && v!.fill(0));
      got.forEach((v, i) => i % 2 === 1 && expect(v!.equals(Buffer.alloc(sizes[i], i + 1))).toBe(true));
      expect((await snap.get(b('s00')))?.equals(Buffer.alloc(sizes[0], 1))).toBe(true);
      // Over 16 KiB: an ArrayBuffer of its own, never a slab (a kept value pins at most 8x its size).
      await kv.txn(async (tx) => tx.put(b('big'), Buffer.alloc(16 * 1024 + 1, 9)));
    } finally {
      snap.close();
    }
    const big = await kv.txn((tx) => tx.get(b('big')));
    expect(big!.buffer.byteLength).toBe(16 * 1024 + 1);
  });
});

describe('LmdbKv page size', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Overflow pages of the `data` database (opened read-only beside a closed LmdbKv). */
  async function overflowPages(): Promise<number> {
    const root = open({ path: dir, readOnly: true, maxDbs: 4 });
    try {
      return (root.openDB('data', { keyEncoding: 'binary', encoding: 'binary' }).getStats() as { overflowPages: number }).overflowPages;
    } finally {
      await root.close();
    }
  }

  it('makes new stores with 8 KiB pages: a 4 KiB object record takes one overflow page, not a run of two', async () => {
    const kv = new LmdbKv({ path: dir });
    expect(kv.pageSize).toBe(DEFAULT_PAGE_SIZE);
    expect(DEFAULT_PAGE_SIZE).toBe(8192);
    // What a 4 KiB inline object's version record weighs: the bytes plus its JSON record.
    const value = Buffer.alloc(4400, 7);
    await kv.txn(async (tx) => {
      for (let i = 0; i < 10; i++) tx.put(b(`v/${i}`), value);
    });
    await kv.close();
    // Runs of two or more freed pages are what slows LMDB's free list down under churn (see
    // DEFAULT_PAGE_SIZE); on 4 KiB pages these ten records would take 20.
    expect(await overflowPages()).toBe(10);
  });

  it('opens an existing 4 KiB store as it was made: page size, key limit and data unchanged', async () => {
    const old = new LmdbKv({ path: dir, pageSize: 4096 });
    expect(old.pageSize).toBe(4096);
    const oldMaxKey = old.maxKeySize;
    await old.txn(async (tx) => tx.put(b('k'), Buffer.alloc(4400, 1)));
    await old.close();
    expect(await overflowPages()).toBe(2);

    const kv = new LmdbKv({ path: dir });
    try {
      expect(kv.pageSize).toBe(4096);
      expect(kv.maxKeySize).toBe(oldMaxKey);
      expect(kv.maxKeySize).toBe(1978);
      expect(await kv.txn((tx) => tx.get(b('k')))).toEqual(Buffer.alloc(4400, 1));
      await expect(kv.txn(async (tx) => tx.put(Buffer.alloc(kv.maxKeySize + 1), b('x')))).rejects.toThrow(/limit/);
      await kv.txn(async (tx) => tx.put(Buffer.alloc(kv.maxKeySize), b('longest')));
      expect(await kv.txn((tx) => tx.get(Buffer.alloc(kv.maxKeySize)))).toEqual(b('longest'));
    } finally {
      await kv.close();
    }
  });

  it('stores the longest key it admits on 8 KiB pages', async () => {
    const kv = new LmdbKv({ path: dir });
    try {
      await kv.txn(async (tx) => tx.put(Buffer.alloc(kv.maxKeySize, 2), b('longest')));
      expect(await kv.txn((tx) => tx.get(Buffer.alloc(kv.maxKeySize, 2)))).toEqual(b('longest'));
      await expect(kv.txn(async (tx) => tx.put(Buffer.alloc(kv.maxKeySize + 1), b('x')))).rejects.toThrow(/limit/);
    } finally {
      await kv.close();
    }
  });
});

describe('LmdbKv.close', () => {
  it('lets running transactions finish and refuses new ones', async () => {
    const dir = tempDir();
    const kv = new LmdbKv({ path: dir });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = kv.txn(async (tx) => {
      await gate;
      tx.put(b('late'), b('ok'));
      return tx.get(b('late'));
    });
    await Promise.resolve();
    const closing = kv.close();
    await expect(kv.txn(async () => 1)).rejects.toThrow(/closed/);
    release();
    await expect(running).resolves.toEqual(b('ok'));
    await closing;
    const again = new LmdbKv({ path: dir });
    expect(await again.txn((tx) => tx.get(b('late')))).toEqual(b('ok'));
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
