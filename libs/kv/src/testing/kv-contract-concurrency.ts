import { KvConflictError, type KvStore, type KvTxn } from '../kv';
import { b, deferred, read, write } from './contract-helpers';

type Body = (tx: KvTxn) => void | Promise<void>;
type Outcome = 'committed' | 'conflict';

/** Conflict detection and concurrency: part of describeKvContract (`kv()` is the current store). */
export function describeKvConcurrencyContract(kv: () => KvStore): void {
  describe('write-write conflicts', () => {
    it('of two overlapping writers of a key, exactly one commits', async () => {
      await write(kv(), { k: 'base' });
      const outcomes = await race(kv(), [(tx) => tx.put(b('k'), b('A')), (tx) => tx.put(b('k'), b('B'))]);
      expect([...outcomes].sort()).toEqual(['committed', 'conflict']);
      expect(await read(kv(), 'k')).toEqual(b(outcomes[0] === 'committed' ? 'A' : 'B'));
    });

    it('the later committer fails whatever the mix of put and delete', async () => {
      await write(kv(), { k: 'base' });
      const del: Body = (tx) => tx.delete(b('k'));
      const put: Body = (tx) => tx.put(b('k'), b('P'));
      expect(await ordered(kv(), del, put)).toEqual(['committed', 'conflict']);
      expect(await ordered(kv(), put, del)).toEqual(['committed', 'conflict']);
      expect(await read(kv(), 'k')).toEqual(b('P'));
    });

    it('two overlapping creators of a missing key conflict', async () => {
      const create: Body = async (tx) => {
        if ((await tx.get(b('new'))) === undefined) tx.put(b('new'), b('mine'));
      };
      expect(await ordered(kv(), create, create)).toEqual(['committed', 'conflict']);
    });

    it('a loser leaves none of its writes behind', async () => {
      const outcomes = await ordered(
        kv(),
        (tx) => tx.put(b('k'), b('winner')),
        (tx) => {
          tx.put(b('k'), b('loser'));
          tx.put(b('side'), b('loser'));
        },
      );
      expect(outcomes).toEqual(['committed', 'conflict']);
      expect(await read(kv(), 'side')).toBeUndefined();
    });

    it('writers that do not overlap in time never conflict', async () => {
      for (let i = 0; i < 5; i++) await write(kv(), { k: String(i) });
      expect(await read(kv(), 'k')).toEqual(b('4'));
    });
  });

  describe('lock', () => {
    const lock: Body = (tx) => tx.lock(b('guard'));
    const change: Body = (tx) => tx.put(b('guard'), b('changed'));

    it('conflicts with a writer that committed after the lock holder started', async () => {
      await write(kv(), { guard: 'v' });
      expect(await ordered(kv(), change, lock)).toEqual(['committed', 'conflict']);
    });

    it('makes a later writer conflict once the lock holder committed', async () => {
      await write(kv(), { guard: 'v' });
      expect(await ordered(kv(), lock, change)).toEqual(['committed', 'conflict']);
      expect(await read(kv(), 'guard')).toEqual(b('v')); // a lock changes no value
    });

    it('two overlapping lockers of one key conflict, even when the key is absent', async () => {
      expect(await ordered(kv(), lock, lock)).toEqual(['committed', 'conflict']);
      expect(await read(kv(), 'guard')).toBeUndefined();
    });
  });

  describe('no false conflicts', () => {
    it('a key only read by one transaction and written by another does not conflict', async () => {
      await write(kv(), { k: 'v' });
      const reader: Body = async (tx) => {
        await tx.get(b('k'));
        await tx.scan(b(''), b(''));
        tx.put(b('elsewhere'), b('x'));
      };
      expect(await ordered(kv(), (tx) => tx.put(b('k'), b('w')), reader)).toEqual(['committed', 'committed']);
      expect(await ordered(kv(), reader, (tx) => tx.put(b('k'), b('w2')))).toEqual(['committed', 'committed']);
    });

    it('read-only transactions overlapping a writer all succeed', async () => {
      await write(kv(), { k: 'v' });
      const readOnly: Body = async (tx) => void (await tx.get(b('k')));
      expect(await race(kv(), [readOnly, (tx) => tx.put(b('k'), b('w')), readOnly])).toEqual([
        'committed',
        'committed',
        'committed',
      ]);
    });

    it('many concurrent transactions on disjoint keys all commit', async () => {
      await write(kv(), { shared: 's' });
      const n = 100;
      const bodies: Body[] = Array.from({ length: n }, (_, i) => async (tx) => {
        await tx.get(b('shared'));
        tx.put(b(`own/${String(i).padStart(3, '0')}`), b(String(i)));
      });
      expect(await race(kv(), bodies)).toEqual(Array(n).fill('committed'));
      expect(await kv().txn((tx) => tx.scan(b('own/'), b('own0')))).toHaveLength(n);
    });
  });

  it('concurrent read-modify-write increments with retries all land exactly once', async () => {
    const n = 40;
    const increment = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await kv().txn(async (tx) => {
            const cur = Number((await tx.get(b('counter')))?.toString() ?? '0');
            tx.put(b('counter'), b(String(cur + 1)));
          });
        } catch (err) {
          if (!(err instanceof KvConflictError) || attempt > 1000) throw err;
          await new Promise((r) => setTimeout(r, Math.random() * 3));
        }
      }
    };
    await Promise.all(Array.from({ length: n }, increment));
    expect(await read(kv(), 'counter')).toEqual(b(String(n)));
  }, 30_000);
}

/** Runs the bodies in transactions that all take their snapshot before any of them commits. */
async function race(kv: KvStore, bodies: Body[]): Promise<Outcome[]> {
  const arrive = barrier(bodies.length);
  const runs = bodies.map((body) =>
    kv.txn(async (tx) => {
      await tx.get(b('~'));
      await arrive();
      await body(tx);
    }),
  );
  return Promise.all(runs.map(outcome));
}

/** Two overlapping transactions: `first` commits before `second` tries to. */
async function ordered(kv: KvStore, first: Body, second: Body): Promise<[Outcome, Outcome]> {
  const arrive = barrier(2);
  const firstDone = deferred();
  const run = (body: Body, wait?: Promise<void>) =>
    kv.txn(async (tx) => {
      await tx.get(b('~'));
      await arrive();
      await wait;
      await body(tx);
    });
  const one = run(first);
  const two = run(second, firstDone.promise);
  const o1 = await outcome(one);
  firstDone.resolve();
  return [o1, await outcome(two)];
}

async function outcome(run: Promise<unknown>): Promise<Outcome> {
  try {
    await run;
    return 'committed';
  } catch (err) {
    if (err instanceof KvConflictError) return 'conflict';
    throw err;
  }
}

function barrier(n: number): () => Promise<void> {
  const all = deferred();
  let arrived = 0;
  return () => {
    if (++arrived === n) all.resolve();
    return all.promise;
  };
}
