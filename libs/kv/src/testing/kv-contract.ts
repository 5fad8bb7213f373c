import { prefixEnd, type KvStore, type KvTxn } from '../kv';
import { b, deferred, names, read, write } from './contract-helpers';
import { describeKvConcurrencyContract } from './kv-contract-concurrency';

export interface KvContractFixture {
  readonly kv: KvStore;
  cleanup(): Promise<void>;
}

export type KvContractFactory = () => Promise<KvContractFixture>;

/**
 * The behaviour every KvStore adapter must show (Garage's `test_suite`, JuiceFS's `testTKV`): call
 * it from each adapter's spec with a factory that makes a fresh, empty store per test.
 */
export function describeKvContract(name: string, factory: KvContractFactory): void {
  describe(`KvStore contract: ${name}`, () => {
    const fx = useFixture(factory);

    describe('point reads and writes', () => {
      it('puts, overwrites, gets and deletes', async () => {
        expect(await read(fx.kv, 'a')).toBeUndefined();
        await write(fx.kv, { a: '1' });
        expect(await read(fx.kv, 'a')).toEqual(b('1'));
        await write(fx.kv, { a: '2' });
        expect(await read(fx.kv, 'a')).toEqual(b('2'));
        await write(fx.kv, { a: null });
        expect(await read(fx.kv, 'a')).toBeUndefined();
      });

      it('deleting a missing key is a no-op', async () => {
        await write(fx.kv, { nothing: null });
        expect(await read(fx.kv, 'nothing')).toBeUndefined();
      });

      it('stores empty values as present', async () => {
        await write(fx.kv, { e: '' });
        expect(await read(fx.kv, 'e')).toEqual(Buffer.alloc(0));
      });

      it('batchGet answers in request order, with undefined for missing keys and duplicates kept', async () => {
        await write(fx.kv, { a: '1', c: '3' });
        const got = await fx.kv.txn((tx) => tx.batchGet([b('c'), b('b'), b('a'), b('c')]));
        expect(got).toEqual([b('3'), undefined, b('1'), b('3')]);
        expect(await fx.kv.txn((tx) => tx.batchGet([]))).toEqual([]);
      });

      it('returns what fn returns; a txn without writes commits nothing', async () => {
        expect(await fx.kv.txn(async () => 42)).toBe(42);
      });

      it('handles long keys and 1 MiB values', async () => {
        const key = Buffer.alloc(1100, 0xab);
        const big = Buffer.alloc(1 << 20);
        for (let i = 0; i < big.length; i += 4) big.writeUInt32BE(i, i);
        await fx.kv.txn(async (tx) => tx.put(key, big));
        expect((await fx.kv.txn((tx) => tx.get(key)))?.equals(big)).toBe(true);
        const [pair] = await fx.kv.txn((tx) => tx.scan(Buffer.from([0xab]), Buffer.alloc(0)));
        expect(pair.key.equals(key) && pair.value.equals(big)).toBe(true);
      });

      it('copies values in and out', async () => {
        const v = b('orig');
        await fx.kv.txn(async (tx) => {
          tx.put(b('k'), v);
          v.write('XXXX'); // after put, before commit
        });
        v.write('YYYY'); // after commit
        expect(await read(fx.kv, 'k')).toEqual(b('orig'));
        const out = await read(fx.kv, 'k');
        out?.write('ZZZZ');
        const [pair] = await fx.kv.txn((tx) => tx.scan(b('k'), b('l')));
        pair.value.write('WWWW');
        expect(await read(fx.kv, 'k')).toEqual(b('orig'));
      });

      it('a value read belongs to the caller: later reads and writes leave it as it was', async () => {
        // Record decoders hand out views of what a read returned (inline object bytes): an adapter that
        // reused a read buffer (lmdb-js getBinaryFast) or handed out its write buffer would corrupt them.
        await fx.kv.txn(async (tx) => {
          tx.put(b('k1'), b('value-one'));
          tx.put(b('k2'), b('the second value, longer'));
        });
        const snap = await fx.kv.snapshot();
        try {
          const one = await snap.get(b('k1'));
          const [two] = await snap.batchGet([b('k2')]);
          const pairs = await snap.scan(b('k1'), b('k3'));
          await snap.get(b('k2'));
          await snap.batchGet([b('k1'), b('k2')]);
          await snap.scan(b('k'), b('l'), { reverse: true });
          expect(one).toEqual(b('value-one'));
          expect(two).toEqual(b('the second value, longer'));
          expect(pairs.map((p) => p.value.toString())).toEqual(['value-one', 'the second value, longer']);
        } finally {
          snap.close();
        }
        await fx.kv.txn(async (tx) => {
          tx.put(b('k3'), b('buffered'));
          const got = await tx.get(b('k3'));
          const [scanned] = await tx.scan(b('k3'), b('k4'));
          got?.write('XXXX');
          scanned.value.write('YYYY');
          tx.put(b('k3'), b('rewritten'));
          expect(await tx.get(b('k3'))).toEqual(b('rewritten'));
          expect(got).toEqual(b('XXXXered'));
          expect(scanned.value).toEqual(b('YYYYered'));
        });
        expect(await read(fx.kv, 'k3')).toEqual(b('rewritten'));
        await fx.kv.txn(async (tx) => {
          tx.put(b('k4'), b('buffered'));
          const [scanned] = await tx.scan(b('k4'), b('k5'));
          scanned.value.write('ZZZZ'); // must not reach the buffered write
        });
        expect(await read(fx.kv, 'k4')).toEqual(b('buffered'));
      });

      it('rejects empty keys on write', async () => {
        await expect(fx.kv.txn(async (tx) => tx.put(Buffer.alloc(0), b('x')))).rejects.toThrow();
      });

      it('refuses a transaction handle used after its txn ended', async () => {
        let leaked: KvTxn | undefined;
        await fx.kv.txn(async (tx) => {
          leaked = tx;
        });
        expect(() => leaked?.put(b('late'), b('x'))).toThrow();
        expect(await read(fx.kv, 'late')).toBeUndefined();
      });
    });

    describe('scans', () => {
      const keys = ['a', 'ab', 'b', 'ba', 'bb', 'c'];
      beforeEach(() => write(fx.kv, Object.fromEntries(keys.map((k) => [k, `v${k}`]))));
      const scan = (start: string, end: string, opts?: { limit?: number; reverse?: boolean }) =>
        fx.kv.txn((tx) => tx.scan(b(start), b(end), opts)).then(names);

      it('returns [start, end) in byte order with values', async () => {
        expect(await scan('ab', 'bb')).toEqual(['ab', 'b', 'ba']);
        const pairs = await fx.kv.txn((tx) => tx.scan(b('b'), b('ba')));
        expect(pairs).toEqual([{ key: b('b'), value: b('vb') }]);
      });

      it('treats an empty end as unbounded and honours limits', async () => {
        expect(await scan('b', '')).toEqual(['b', 'ba', 'bb', 'c']);
        expect(await scan('', '', { limit: 2 })).toEqual(['a', 'ab']);
        expect(await scan('', '', { limit: 0 })).toEqual([]);
        expect(await scan('', '', { limit: 100 })).toEqual(keys);
      });

      it('walks backwards from end (exclusive) to start (inclusive)', async () => {
        expect(await scan('ab', 'bb', { reverse: true })).toEqual(['ba', 'b', 'ab']);
        expect(await scan('b', '', { reverse: true, limit: 2 })).toEqual(['c', 'bb']);
        expect(await scan('', '', { reverse: true })).toEqual([...keys].reverse());
      });

      it('returns nothing for empty or inverted ranges', async () => {
        expect(await scan('b', 'b')).toEqual([]);
        expect(await scan('c', 'a')).toEqual([]);
        expect(await scan('c', 'a', { reverse: true })).toEqual([]);
        expect(await scan('d', '')).toEqual([]);
      });

      it('scans a prefix with prefixEnd', async () => {
        expect(await scan('b', prefixEnd(b('b')).toString('latin1'))).toEqual(['b', 'ba', 'bb']);
      });
    });

    it('orders binary keys by unsigned bytes, 0x00 and 0xff included', async () => {
      const raw = ['ff', '00', '0000', '7f', '80', '00ff', 'ff00', 'ffff', '01'];
      await fx.kv.txn(async (tx) => raw.forEach((h) => tx.put(Buffer.from(h, 'hex'), Buffer.from(h, 'hex'))));
      const sorted = ['00', '0000', '00ff', '01', '7f', '80', 'ff', 'ff00', 'ffff'];
      const all = await fx.kv.txn((tx) => tx.scan(Buffer.from([0]), Buffer.alloc(0)));
      expect(all.map((p) => p.key.toString('hex'))).toEqual(sorted);
      const rev = await fx.kv.txn((tx) => tx.scan(Buffer.from([0]), Buffer.alloc(0), { reverse: true }));
      expect(rev.map((p) => p.key.toString('hex'))).toEqual([...sorted].reverse());
      const ff = await fx.kv.txn((tx) => tx.scan(Buffer.from([0xff]), prefixEnd(Buffer.from([0xff]))));
      expect(ff.map((p) => p.value.toString('hex'))).toEqual(['ff', 'ff00', 'ffff']);
      const zero = await fx.kv.txn((tx) => tx.scan(Buffer.from([0]), Buffer.from([0, 0xff])));
      expect(zero.map((p) => p.key.toString('hex'))).toEqual(['00', '0000']);
    });

    describe('read-your-own-writes', () => {
      beforeEach(() => write(fx.kv, { a: '1', b: '2', c: '3', d: '4' }));

      it('get and batchGet see buffered puts and deletes', async () => {
        await fx.kv.txn(async (tx) => {
          tx.put(b('a'), b('A'));
          tx.delete(b('b'));
          tx.put(b('z'), b('Z'));
          expect(await tx.get(b('a'))).toEqual(b('A'));
          expect(await tx.get(b('b'))).toBeUndefined();
          expect(await tx.batchGet([b('z'), b('b'), b('c')])).toEqual([b('Z'), undefined, b('3')]);
          tx.put(b('b'), b('B')); // delete then put again
          expect(await tx.get(b('b'))).toEqual(b('B'));
        });
      });

      it('scans merge buffered writes, in both directions and under limits', async () => {
        await fx.kv.txn(async (tx) => {
          tx.delete(b('a'));
          tx.put(b('bb'), b('new'));
          tx.put(b('c'), b('C'));
          tx.delete(b('d'));
          tx.put(b('e'), b('E'));
          tx.delete(b('zz')); // absent anyway
          const all = await tx.scan(b(''), b(''));
          expect(all.map((p) => `${p.key}=${p.value}`)).toEqual(['b=2', 'bb=new', 'c=C', 'e=E']);
          expect(names(await tx.scan(b('a'), b('d'), { limit: 2 }))).toEqual(['b', 'bb']);
          expect(names(await tx.scan(b(''), b(''), { reverse: true, limit: 3 }))).toEqual(['e', 'c', 'bb']);
          expect(names(await tx.scan(b('a'), b('c'), { reverse: true }))).toEqual(['bb', 'b']);
          expect(names(await tx.scan(b('d'), b('e')))).toEqual([]);
        });
      });

      it('a limit counts visible pairs even when deletes hide most stored keys', async () => {
        await fx.kv.txn(async (tx) => {
          for (const k of ['a', 'b', 'c']) tx.delete(b(k));
          expect(names(await tx.scan(b(''), b(''), { limit: 1 }))).toEqual(['d']);
          expect(names(await tx.scan(b(''), b(''), { limit: 1, reverse: true }))).toEqual(['d']);
        });
      });
    });

    describe('atomicity and isolation', () => {
      it('an error thrown by fn propagates unchanged and writes nothing', async () => {
        const boom = new Error('boom');
        const run = fx.kv.txn(async (tx) => {
          tx.put(b('x'), b('1'));
          tx.put(b('y'), b('2'));
          throw boom;
        });
        await expect(run).rejects.toBe(boom);
        expect(await fx.kv.txn((tx) => tx.batchGet([b('x'), b('y')]))).toEqual([undefined, undefined]);
      });

      it('all writes of a commit appear together', async () => {
        await write(fx.kv, Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`m${i}`, 'v'])));
        expect(await fx.kv.txn((tx) => tx.scan(b('m'), b('n')))).toHaveLength(100);
      });

      it('a snapshot does not see later commits', async () => {
        await write(fx.kv, { k: 'old', gone: 'here' });
        const snap = await fx.kv.snapshot();
        try {
          await write(fx.kv, { k: 'new', added: 'x', gone: null });
          expect(await snap.get(b('k'))).toEqual(b('old'));
          expect(await snap.batchGet([b('added'), b('gone')])).toEqual([undefined, b('here')]);
          expect(names(await snap.scan(b(''), b('')))).toEqual(['gone', 'k']);
          expect(await read(fx.kv, 'k')).toEqual(b('new'));
        } finally {
          snap.close();
          snap.close(); // idempotent
        }
      });

      it('a long transaction keeps reading its start snapshot', async () => {
        await write(fx.kv, { k: 'old' });
        const started = deferred();
        const go = deferred();
        const long = fx.kv.txn(async (tx) => {
          const before = await tx.get(b('k'));
          started.resolve();
          await go.promise;
          return { before, after: await tx.get(b('k')), listed: names(await tx.scan(b(''), b(''))) };
        });
        await started.promise;
        await write(fx.kv, { k: 'new', k2: 'x' });
        go.resolve();
        expect(await long).toEqual({ before: b('old'), after: b('old'), listed: ['k'] });
      });
    });

    describeKvConcurrencyContract(() => fx.kv);
  });
}

/** A fresh fixture per test; `fx.kv` is valid inside tests and hooks. */
function useFixture(factory: KvContractFactory): { readonly kv: KvStore } {
  let current: KvContractFixture | undefined;
  beforeEach(async () => {
    current = await factory();
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return {
    get kv(): KvStore {
      if (!current) throw new Error('no fixture outside a test');
      return current.kv;
    },
  };
}
