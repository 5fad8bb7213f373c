import { ReadBufferPool } from './read-buffers';

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
});
