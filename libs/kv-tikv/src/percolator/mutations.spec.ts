import { WriteBuffer } from '@massive/kv';
import { Op } from '../grpc/wire';
import { batchBySize, lockTtlMs, mutationsOf, pickPrimary, sizedLockTtlMs, txnBytesOf } from './mutations';

const k = (s: string) => Buffer.from(s);

describe('percolator bookkeeping', () => {
  it('turns the write buffer into sorted Put / Del / Lock mutations', () => {
    const buf = new WriteBuffer();
    buf.put(k('b'), k('2'));
    buf.delete(k('a'));
    buf.lock(k('c'));
    buf.lock(k('b')); // written anyway: stays a Put
    buf.put(k('e'), Buffer.alloc(0));
    const muts = mutationsOf(buf);
    expect(muts.map((m) => [m.op, m.key.toString(), m.value?.toString()])).toEqual([
      [Op.Del, 'a', undefined],
      [Op.Put, 'b', '2'],
      [Op.Lock, 'c', undefined],
      [Op.Put, 'e', ''],
    ]);
    expect(pickPrimary(muts)).toEqual(k('a'));
    expect(() => pickPrimary([])).toThrow();
  });

  it('adds the time since start_ts to the lock TTL', () => {
    expect(lockTtlMs(3000, 1000, 1000)).toBe(3000);
    expect(lockTtlMs(3000, 1000, 6500)).toBe(8500);
    expect(lockTtlMs(3000, 5000, 1000)).toBe(3000); // clock went backwards: no negative elapsed
  });

  it('batches by size, never leaving a batch empty', () => {
    const items = [5, 5, 5, 20, 1].map((n, i) => ({ key: k(String(i)), value: Buffer.alloc(n) }));
    expect(batchBySize(items, 12).map((b) => b.length)).toEqual([2, 1, 1, 1]);
    expect(batchBySize([], 12)).toEqual([]);
  });

  it('sizes the lock TTL by transaction size as client-go does', () => {
    const MiB = 1024 * 1024;
    expect(sizedLockTtlMs(3000, 100)).toBe(3000);
    expect(sizedLockTtlMs(3000, 16 * 1024 - 1)).toBe(3000);
    expect(sizedLockTtlMs(3000, 64 * 1024)).toBe(3000); // 6000 x sqrt(1/16) = 1500, floored at the base
    expect(sizedLockTtlMs(3000, MiB)).toBe(6000);
    expect(sizedLockTtlMs(3000, 4 * MiB)).toBe(12_000);
    expect(sizedLockTtlMs(3000, 100 * MiB)).toBe(20_000);
    expect(sizedLockTtlMs(30_000, MiB)).toBe(30_000); // a larger configured base wins
    expect(txnBytesOf([{ key: k('ab'), value: k('xyz') }, { key: k('c') }])).toBe(6);
  });
});
