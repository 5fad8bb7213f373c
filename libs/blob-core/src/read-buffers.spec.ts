import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DIRECT_ALIGN } from './direct-io';
import { ReadBufferPool } from './read-buffers';

/** A full garbage collection (the flag is set for this process, then gc taken from a fresh context). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('ReadBufferPool', () => {
  it('reuses a buffer only after it is handed back', () => {
    const pool = new ReadBufferPool(1024, 4);
    const a = pool.acquire(1000);
    const b = pool.acquire(1000);
    expect(a.buffer).not.toBe(b.buffer);
    pool.release(a);
    expect(pool.idle).toBe(1);
    expect(pool.reused).toBe(0);
    const c = pool.acquire(10);
    expect(c.buffer).toBe(a.buffer);
    expect(c.length).toBe(10);
    expect(pool.reused).toBe(1);
  });

  it('ignores a second hand-back, and a stale one after the memory was lent again', () => {
    const pool = new ReadBufferPool(1024, 4);
    const a = pool.acquire(100);
    pool.release(a);
    pool.release(a);
    expect(pool.idle).toBe(1);
    const b = pool.acquire(100); // same memory, lent to another read
    expect(b.buffer).toBe(a.buffer);
    pool.release(a); // the first reader, late: must not give away b's memory
    expect(pool.idle).toBe(0);
    expect(pool.acquire(100).buffer).not.toBe(b.buffer);
  });

  it('takes back only the view it lent (or adopted), not a slice of it', () => {
    const pool = new ReadBufferPool(1024, 4);
    const a = pool.acquire(1000);
    pool.release(a.subarray(0, 10));
    expect(pool.idle).toBe(0);
    const part = pool.adopt(a.subarray(8, 900));
    pool.release(a); // the whole view is no longer the one handed out
    expect(pool.idle).toBe(0);
    pool.release(part);
    expect(pool.idle).toBe(1);
  });

  it('gives larger reads (and empty ones) a buffer of their own, and keeps at most maxFree idle', () => {
    const pool = new ReadBufferPool(1024, 2);
    const big = pool.acquire(4096);
    pool.release(big);
    expect(pool.idle).toBe(0);
    const lent = [pool.acquire(1), pool.acquire(1), pool.acquire(1)];
    for (const b of lent) pool.release(b);
    expect(pool.idle).toBe(2);
    pool.release(Buffer.alloc(10));
    expect(pool.idle).toBe(2);
  });

  describe('aligned', () => {
    const size = 4 * DIRECT_ALIGN;

    it('lends page-aligned memory a direct read may fill to its end; plain pools and foreign buffers give no room', () => {
      const pool = new ReadBufferPool(size, 2, { aligned: true });
      const a = pool.acquire(size);
      expect(pool.directRoom(a)).toBe(size);
      expect(pool.directRoom(pool.acquire(100))).toBe(size);
      expect(pool.directRoom(a.subarray(DIRECT_ALIGN))).toBe(size - DIRECT_ALIGN);
      expect(pool.directRoom(a.subarray(1))).toBe(0);
      expect(pool.directRoom(Buffer.alloc(size))).toBe(0);
      const plain = new ReadBufferPool(size, 2);
      expect(plain.directRoom(plain.acquire(100))).toBe(0);
      // A size that is not whole blocks cannot be aligned: plain buffers.
      const odd = new ReadBufferPool(size + 1, 2, { aligned: true });
      expect(odd.directRoom(odd.acquire(100))).toBe(0);
    });

    it('keeps at most maxFree aligned buffers alive; past that, plain ones, kept but lent after aligned ones', () => {
      const pool = new ReadBufferPool(size, 2, { aligned: true });
      const lent = [pool.acquire(10), pool.acquire(10), pool.acquire(10)];
      expect(lent.map((b) => pool.directRoom(b) > 0)).toEqual([true, true, false]);
      pool.release(lent[2]);
      expect(pool.idle).toBe(1);
      pool.release(lent[0]);
      pool.release(lent[1]); // the pool is full: this aligned one takes the plain one's place
      expect(pool.idle).toBe(2);
      const again = [pool.acquire(10), pool.acquire(10)];
      expect(again.every((b) => pool.directRoom(b) > 0)).toBe(true);
      expect(pool.reused).toBe(2);
      expect(pool.idle).toBe(0);
    });

    it('while every aligned buffer allowed is out, reads go round plain ones instead of a new buffer each', () => {
      const pool = new ReadBufferPool(size, 2, { aligned: true });
      const out = [pool.acquire(10), pool.acquire(10)]; // held: not handed back, not collectable
      const seen = new Set<ArrayBufferLike>();
      for (let i = 0; i < 10; i++) {
        const b = pool.acquire(size);
        expect(pool.directRoom(b)).toBe(0);
        seen.add(b.buffer);
        pool.release(b);
      }
      expect(seen.size).toBe(1);
      expect(pool.reused).toBe(9);
      // An aligned one handed back is lent before the idle plain one.
      pool.release(out[0]);
      const next = pool.acquire(10);
      expect(next.buffer).toBe(out[0].buffer);
      expect(pool.idle).toBe(1);
      expect(pool.directRoom(pool.acquire(10))).toBe(0);
      expect(pool.idle).toBe(0);
    });

    it('an aligned buffer never handed back is collected, and the pool makes another in its place', async () => {
      const pool = new ReadBufferPool(size, 1, { aligned: true });
      // Collects garbage until the pool lends an aligned buffer again (finalization callbacks run in a
      // later task, and a busy machine may take more than one try); the buffer lent is dropped at once.
      const alignedAgainAfterGc = async (): Promise<boolean> => {
        for (let i = 0; i < 50; i++) {
          collectGarbage();
          await new Promise((r) => setTimeout(r, 10));
          if (pool.directRoom(pool.acquire(10)) > 0) return true;
        }
        return false;
      };
      pool.acquire(10); // lost: nothing refers to it
      expect(pool.directRoom(pool.acquire(10))).toBe(0); // the one allowed is still alive
      expect(await alignedAgainAfterGc()).toBe(true);
      expect(pool.directRoom(pool.acquire(10))).toBe(0); // the new one is lent (lost again) ...
      expect(await alignedAgainAfterGc()).toBe(true); // ... and collected again
    });
  });
});
