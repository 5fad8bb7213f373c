/** TiKV's MVCC GC below PD's safe point (mvcc.ts `gc`, gc.ts), in the store, over the wire and across a restart. */
import * as grpc from '@grpc/grpc-js';
import { prng } from '@massive/contracts/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeCluster } from './cluster';
import { MAX_U64 } from './codec';
import { FileJournal } from './journal';
import { GcRun, MvccStore } from './mvcc';
import { Percolator } from './percolator';
import { RawClient } from './raw-client';
import { Op } from './types';

const k = (s: string): Buffer => Buffer.from(s);
const all = Buffer.alloc(0);

/** The write column of `key` as `Kind@commit_ts[=value]`, newest first. */
const layout = (store: MvccStore, key: string): string[] =>
  store.versions(k(key)).map((w) => `${w.kind}@${w.commitTs}${w.value ? `=${w.value.toString()}` : ''}`);

/** Write records made the way a client makes them: prewrite + commit, or a rollback. */
function writer(txn: Percolator) {
  const prewrite = (startTs: bigint, key: string, op: number, value?: string) =>
    txn.prewrite({
      mutations: [{ op, key: k(key), value: value === undefined ? undefined : k(value) }],
      primary: k(key),
      startTs,
      ttl: 3000n,
      txnSize: 1n,
      minCommitTs: 0n,
      skipConstraintCheck: false,
    });
  const commit = (key: string, op: number, startTs: bigint, commitTs: bigint, value?: string) => {
    expect(prewrite(startTs, key, op, value)).toEqual([]);
    expect(txn.commit([k(key)], startTs, commitTs)).toBeUndefined();
  };
  return {
    prewrite,
    put: (key: string, startTs: bigint, commitTs: bigint, value: string) => commit(key, Op.Put, startTs, commitTs, value),
    del: (key: string, startTs: bigint, commitTs: bigint) => commit(key, Op.Del, startTs, commitTs),
    lock: (key: string, startTs: bigint, commitTs: bigint) => commit(key, Op.Lock, startTs, commitTs),
    /** A prewrite rolled back: its value goes, a Rollback record stays at start_ts. */
    rollback: (key: string, startTs: bigint) => {
      expect(prewrite(startTs, key, Op.Put, 'never')).toEqual([]);
      expect(txn.batchRollback([k(key)], startTs)).toBeUndefined();
    },
  };
}

function setup() {
  const store = new MvccStore();
  const txn = new Percolator(store);
  const value = (key: string, ts: bigint): string => {
    const r = store.read(k(key), ts);
    return r.kind === 'value' ? r.value.toString() : r.kind;
  };
  return { store, txn, value, ...writer(txn) };
}

describe('MVCC GC (TiKV actions/gc.rs)', () => {
  test("TiKV's own history (gc.rs test_gc): each safe point keeps what a read at or above it needs", () => {
    const { store, put, del, lock, rollback, value } = setup();
    put('k', 5n, 10n, 'x5');
    put('k', 15n, 20n, 'x15');
    del('k', 25n, 30n);
    put('k', 35n, 40n, 'x35');
    lock('k', 45n, 50n);
    rollback('k', 55n);
    expect(layout(store, 'k')).toEqual(['Rollback@55', 'Lock@50', 'Put@40=x35', 'Delete@30', 'Put@20=x15', 'Put@10=x5']);

    expect(store.gc(12n)).toEqual({ safePoint: 12n, versionsRemoved: 0, valuesRemoved: 0, keysRemoved: 0 });
    expect(value('k', 12n)).toBe('x5');
    expect(store.gc(22n)).toEqual({ safePoint: 22n, versionsRemoved: 1, valuesRemoved: 1, keysRemoved: 0 });
    expect(value('k', 22n)).toBe('x15');
    expect(value('k', 12n)).toBe('none'); // below the safe point: collected, as in TiKV (nothing refuses the read)
    expect(store.dataOf(k('k'), 5n)).toBeUndefined();
    expect(store.gc(32n)).toEqual({ safePoint: 32n, versionsRemoved: 2, valuesRemoved: 1, keysRemoved: 0 });
    expect(value('k', 22n)).toBe('none');
    expect(value('k', 35n)).toBe('none');
    expect(layout(store, 'k')).toEqual(['Rollback@55', 'Lock@50', 'Put@40=x35']);
    expect(store.gc(60n)).toEqual({ safePoint: 60n, versionsRemoved: 2, valuesRemoved: 0, keysRemoved: 0 });
    expect(value('k', 62n)).toBe('x35');
    expect(layout(store, 'k')).toEqual(['Put@40=x35']);
    expect(store.gcSafePoint).toBe(60n);
  });

  test('the newest Put at or below the safe point stays with its value; older records and Lock/Rollback records go; above it nothing moves', () => {
    const { store, put, del, lock, rollback, value } = setup();
    put('a', 9n, 10n, 'v1');
    lock('a', 11n, 12n);
    put('a', 19n, 20n, 'v2');
    rollback('a', 25n);
    lock('a', 26n, 27n);
    put('a', 39n, 40n, 'v3');
    rollback('a', 45n);
    del('a', 49n, 50n);
    const reads = [30n, 39n, 40n, 45n, 50n, MAX_U64].map((ts) => value('a', ts));

    expect(store.gc(30n)).toEqual({ safePoint: 30n, versionsRemoved: 4, valuesRemoved: 1, keysRemoved: 0 });
    expect(layout(store, 'a')).toEqual(['Delete@50', 'Rollback@45', 'Put@40=v3', 'Put@20=v2']);
    expect(store.dataOf(k('a'), 9n)).toBeUndefined();
    expect([30n, 39n, 40n, 45n, 50n, MAX_U64].map((ts) => value('a', ts))).toEqual(reads);
    expect(reads).toEqual(['v2', 'v2', 'v3', 'v3', 'none', 'none']);
  });

  test('a Delete as the newest Put/Delete at or below the safe point goes with everything older: the key is gone', () => {
    const { store, put, del, rollback, value } = setup();
    put('b', 9n, 10n, 'x');
    del('b', 19n, 20n);
    rollback('b', 22n);
    put('c', 9n, 10n, 'x');
    del('c', 19n, 20n);
    put('c', 39n, 40n, 'y');
    put('d', 9n, 10n, 'x');
    del('d', 39n, 40n); // above the safe point: the tombstone and what it hides stay

    expect(store.gc(30n)).toEqual({ safePoint: 30n, versionsRemoved: 5, valuesRemoved: 2, keysRemoved: 1 });
    expect(store.versions(k('b'))).toEqual([]);
    expect(store.keysInRange(all, all).map(String)).toEqual(['c', 'd']);
    expect(layout(store, 'c')).toEqual(['Put@40=y']);
    expect(layout(store, 'd')).toEqual(['Delete@40', 'Put@10=x']);
    expect([value('b', 30n), value('c', 30n), value('c', 40n), value('d', 39n), value('d', 40n)]).toEqual(['none', 'none', 'y', 'x', 'none']);
  });

  test('locks and their prewritten values are never touched, whatever their start_ts', () => {
    const { store, txn, put, prewrite, value } = setup();
    put('d', 5n, 10n, 'old');
    put('d', 11n, 12n, 'new');
    expect(prewrite(15n, 'd', Op.Put, 'pending')).toEqual([]);
    put('e', 5n, 10n, 'e1');
    expect(prewrite(16n, 'e', Op.Del)).toEqual([]);
    expect(prewrite(17n, 'f', Op.Lock)).toEqual([]); // a lock and nothing else on the key
    expect(prewrite(40n, 'g', Op.Put, 'late')).toEqual([]); // above the safe point
    const locks = store.locks();

    expect(store.gc(30n)).toEqual({ safePoint: 30n, versionsRemoved: 1, valuesRemoved: 1, keysRemoved: 0 });
    expect(store.locks()).toEqual(locks);
    expect(store.dataOf(k('d'), 15n)).toEqual(k('pending'));
    expect(store.dataOf(k('g'), 40n)).toEqual(k('late'));
    expect(layout(store, 'd')).toEqual(['Put@12=new']);
    expect(layout(store, 'e')).toEqual(['Put@10=e1']);
    expect(store.keysInRange(all, all).map(String)).toEqual(['d', 'e', 'f', 'g']);
    expect(value('d', 30n)).toBe('locked');
    // The txns finish normally after GC (resolving them is the client's job, before it advances the safe point).
    expect(txn.commit([k('d')], 15n, 35n)).toBeUndefined();
    expect(txn.batchRollback([k('e')], 16n)).toBeUndefined();
    expect([value('d', 35n), value('d', 34n), value('e', 35n)]).toEqual(['pending', 'new', 'e1']);
  });

  test("a live lock's value stays even where a collected Put shares its start_ts (a fabricated state)", () => {
    const store = new MvccStore();
    store.putData(k('h'), 5n, k('v5'));
    store.putWrite(k('h'), { startTs: 5n, commitTs: 10n, kind: 'Put' });
    store.putData(k('h'), 15n, k('v15'));
    store.putWrite(k('h'), { startTs: 15n, commitTs: 20n, kind: 'Put' });
    store.putLock(k('h'), { primary: k('h'), startTs: 5n, ttl: 3000n, op: Op.Put, minCommitTs: 0n, txnSize: 1n });
    expect(store.gc(30n)).toEqual({ safePoint: 30n, versionsRemoved: 1, valuesRemoved: 0, keysRemoved: 0 });
    expect(store.dataOf(k('h'), 5n)).toEqual(k('v5'));
  });

  test('a safe point at or below the collected one collects nothing', () => {
    const { store, put } = setup();
    put('a', 5n, 10n, 'v1');
    put('a', 15n, 20n, 'v2');
    put('a', 25n, 30n, 'v3');
    expect(store.gc(22n)?.versionsRemoved).toBe(1);
    expect(store.gc(22n)).toBeUndefined();
    expect(store.gc(12n)).toBeUndefined();
    expect(store.gcSafePoint).toBe(22n);
    expect(layout(store, 'a')).toEqual(['Put@30=v3', 'Put@20=v2']);
  });
});

// ------------------------------------------------------------------ randomized histories


const KEYS = ['a', 'b1', 'b2', 'c', 'f', 'g', 'h', 'k1', 'k2', 'm', 'p', 'q', 'r', 'x', 'y', 'zz'];

/**
 * Many overlapping optimistic txns at increasing ts: Put / Delete / Lock mutations on 1-3 keys,
 * overwrites, commits long after other txns started, rollbacks of prewrites and of txns never seen
 * (bare Rollback records), prewrites refused by other txns' locks, and txns left open (live locks).
 */
class History {
  private ts: bigint;
  private readonly open: { startTs: bigint; keys: Buffer[] }[] = [];

  constructor(
    private readonly txn: Percolator,
    private readonly rand: () => number,
    readonly start = 1000n,
  ) {
    this.ts = start;
  }

  get now(): bigint {
    return this.ts;
  }

  run(steps: number): void {
    for (let i = 0; i < steps; i++) this.step();
  }

  private tick(): bigint {
    this.ts += 1n + BigInt(Math.floor(this.rand() * 4));
    return this.ts;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }

  private step(): void {
    const x = this.rand();
    if (this.open.length > 0 && x < 0.4) {
      const t = this.open.splice(Math.floor(this.rand() * this.open.length), 1)[0];
      const err = this.rand() < 0.75 ? this.txn.commit(t.keys, t.startTs, this.tick()) : this.txn.batchRollback(t.keys, t.startTs);
      expect(err).toBeUndefined();
    } else if (x < 0.47) {
      expect(this.txn.batchRollback([k(this.pick(KEYS))], this.tick())).toBeUndefined();
    } else {
      const startTs = this.tick();
      const keys = [...new Set(Array.from({ length: 1 + Math.floor(this.rand() * 3) }, () => this.pick(KEYS)))].map(k);
      const mutations = keys.map((key) => {
        const y = this.rand();
        const op = y < 0.6 ? Op.Put : y < 0.85 ? Op.Del : Op.Lock;
        return { op, key, value: op === Op.Put ? k(`${key.toString()}@${startTs}`) : undefined };
      });
      const errors = this.txn.prewrite({ mutations, primary: keys[0], startTs, ttl: 3000n, txnSize: BigInt(keys.length), minCommitTs: 0n, skipConstraintCheck: false });
      if (errors.length === 0) this.open.push({ startTs, keys });
    }
  }
}

/** Every key's write column (with values) and lock, in key order. */
function dump(store: MvccStore) {
  return store.keysInRange(all, all).map((key) => ({ key: key.toString(), versions: store.versions(key), lock: store.lockOf(key) }));
}

/**
 * What GC must have left at `sp`, against the state `before` it: at most one record at or below
 * the safe point per key, and a Put; everything above it and every lock as they were; no value of
 * a removed Put left, none of a kept Put or a Put lock lost; and the counts of the pass.
 */
function expectCollected(store: MvccStore, before: ReturnType<typeof dump>, sp: bigint, run: GcRun) {
  const after = new Map(dump(store).map((r) => [r.key, r]));
  let versions = 0;
  let values = 0;
  let keys = 0;
  for (const old of before) {
    const now = after.get(old.key);
    if (!now) keys++;
    const kept = now?.versions ?? [];
    const below = kept.filter((w) => w.commitTs <= sp);
    expect(below.length <= 1 && below.every((w) => w.kind === 'Put')).toBe(true);
    expect(kept.filter((w) => w.commitTs > sp)).toEqual(old.versions.filter((w) => w.commitTs > sp));
    expect(now?.lock).toEqual(old.lock);
    for (const w of kept) if (w.kind === 'Put') expect(w.value).toBeDefined();
    if (old.lock?.op === Op.Put) expect(store.dataOf(k(old.key), old.lock.startTs)).toBeDefined();
    for (const w of old.versions) {
      if (kept.some((x) => x.commitTs === w.commitTs)) continue;
      versions++;
      if (w.kind !== 'Put') continue;
      values++;
      expect(store.dataOf(k(old.key), w.startTs)).toBeUndefined();
    }
  }
  expect(run).toEqual({ safePoint: sp, versionsRemoved: versions, valuesRemoved: values, keysRemoved: keys });
}

describe('GC over the wire: reads at or above the safe point answer exactly as before', () => {
  let c: FakeCluster;
  let pd: RawClient;
  const stores = new Map<string, RawClient>();
  let passes: GcRun[];
  const header = () => ({ cluster_id: c.clusterId.toString() });

  beforeEach(async () => {
    passes = [];
    c = await FakeCluster.start({ stores: 3, splitKeys: ['g', 'p'], onGc: (r) => passes.push(r) });
    pd = new RawClient(c.pdEndpoints[0], 'pd');
  });
  afterEach(async () => {
    pd.close();
    stores.forEach((s) => s.close());
    stores.clear();
    await c.stop();
  });

  const kv = (storeId: bigint): RawClient => {
    const addr = c.storeAddress(storeId);
    if (!stores.has(addr)) stores.set(addr, new RawClient(addr, 'tikv'));
    return stores.get(addr)!;
  };

  /** KvGet (with commit_ts) of every key, KvBatchGet of every region's keys, KvScan of every region both ways, at each ts. */
  async function answers(readTs: bigint[]): Promise<Record<string, unknown>> {
    const calls: [string, Promise<unknown>][] = [];
    for (const r of c.regions()) {
      const leader = r.peers.find((p) => p.storeId === r.leaderStoreId)!;
      const context = { region_id: String(r.id), region_epoch: { conf_ver: String(r.confVer), version: String(r.version) }, peer: { id: String(leader.id), store_id: String(leader.storeId) } };
      const send = (method: string, req: Record<string, unknown>) => kv(r.leaderStoreId).call(method, { context, ...req });
      const inRegion = KEYS.filter((key) => c.regionOf(key).id === r.id);
      for (const ts of readTs) {
        const version = String(ts);
        for (const key of inRegion) calls.push([`get ${key}@${ts}`, send('KvGet', { key: k(key), version, need_commit_ts: true })]);
        calls.push([`batch ${r.id}@${ts}`, send('KvBatchGet', { keys: inRegion.map(k), version, need_commit_ts: true })]);
        calls.push([`scan ${r.id}@${ts}`, send('KvScan', { start_key: r.rawStart, end_key: r.rawEnd, limit: 1000, version })]);
        calls.push([`rscan ${r.id}@${ts}`, send('KvScan', { start_key: r.rawEnd, end_key: r.rawStart, limit: 1000, version, reverse: true })]);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [name, p] of calls) out[name] = await p;
    return out;
  }

  test.each([1, 2, 3, 4, 5])('seed %i: random history, GC through UpdateGCSafePoint, twice', async (seed) => {
    const rand = prng(seed);
    const history = new History(c.txn, rand);
    let collected = 0;
    let sp = 0n;
    for (let round = 0; round < 2; round++) {
      history.run(120);
      const from = sp > history.start ? sp : history.start;
      sp = from + 1n + BigInt(Math.floor(rand() * Number(history.now - from))); // somewhere in the history, past the last one
      const readTs = [sp, sp + 1n, sp + 7n, history.now - 2n, history.now, history.now + 10n, MAX_U64].filter((t) => t >= sp);
      const before = await answers(readTs);
      const state = dump(c.mvcc);

      const res = await pd.call('UpdateGCSafePoint', { header: header(), safe_point: String(sp) });
      expect(res.new_safe_point).toBe(String(sp));
      expect(passes).toHaveLength(round + 1); // ran before PD answered

      expect(await answers(readTs)).toEqual(before);
      expectCollected(c.mvcc, state, sp, passes[round]);
      collected += passes[round].versionsRemoved;
    }
    expect(c.gcStats()).toEqual({
      safePoint: sp,
      runs: 2,
      versionsRemoved: collected,
      valuesRemoved: passes[0].valuesRemoved + passes[1].valuesRemoved,
      keysRemoved: passes[0].keysRemoved + passes[1].keysRemoved,
    });
    expect(collected).toBeGreaterThan(0);
  });
});

describe("PD's GC safe point drives the GC", () => {
  let c: FakeCluster | undefined;
  let pd: RawClient | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'fake-tikv-gc-'));
  afterEach(async () => {
    pd?.close();
    await c?.stop();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function start(opts: { autoGc?: boolean } = {}) {
    c = await FakeCluster.start({ stores: 1, ...opts });
    pd = new RawClient(c.pdEndpoints[0], 'pd');
    const header = { cluster_id: c.clusterId.toString() };
    const cluster = c;
    const client = pd;
    return {
      c: cluster,
      update: async (sp: bigint) => (await client.call('UpdateGCSafePoint', { header, safe_point: String(sp) })).new_safe_point as string | undefined,
      get: async () => (await client.call('GetGCSafePoint', { header })).safe_point as string | undefined,
    };
  }

  test('never moves backwards: a smaller safe point is answered with the current one and collects nothing', async () => {
    const { c, update, get } = await start();
    const w = writer(c.txn);
    w.put('a', 5n, 10n, 'v1');
    w.put('a', 15n, 20n, 'v2');
    w.put('a', 35n, 40n, 'v3');
    expect(await get()).toBeUndefined(); // 0, a proto3 default: not on the wire

    expect(await update(25n)).toBe('25');
    expect(c.versionsOf('a').map((v) => v.commitTs)).toEqual([40n, 20n]);
    expect(c.gcStats()).toEqual({ safePoint: 25n, runs: 1, versionsRemoved: 1, valuesRemoved: 1, keysRemoved: 0 });
    expect(await update(10n)).toBe('25');
    expect(await update(25n)).toBe('25');
    expect(await get()).toBe('25');
    expect(c.gc(12n)).toBeUndefined();
    expect(c.gcSafePoint).toBe(25n);
    expect(c.gcStats().runs).toBe(1);

    expect(await update(50n)).toBe('50');
    expect(c.versionsOf('a').map((v) => v.commitTs)).toEqual([40n]);
    c.resetCounters();
    expect(c.gcStats()).toEqual({ safePoint: 50n, runs: 0, versionsRemoved: 0, valuesRemoved: 0, keysRemoved: 0 });
  });

  test('autoGc: false: PD keeps the safe point and TiKV collects only at gc(), as after its poll', async () => {
    const { c, update, get } = await start({ autoGc: false });
    const w = writer(c.txn);
    w.put('a', 5n, 10n, 'v1');
    w.put('a', 15n, 20n, 'v2');
    expect(await update(25n)).toBe('25');
    expect(c.versionsOf('a')).toHaveLength(2);
    expect(c.gcStats()).toMatchObject({ safePoint: 0n, runs: 0 });
    expect(c.gc()).toEqual({ safePoint: 25n, versionsRemoved: 1, valuesRemoved: 1, keysRemoved: 0 });
    expect(c.gc()).toBeUndefined();
    expect(c.gc(30n)).toEqual({ safePoint: 30n, versionsRemoved: 0, valuesRemoved: 0, keysRemoved: 0 });
    expect(await get()).toBe('30');
  });

  test('a failed UpdateGCSafePoint (PD follower) moves nothing; a lost reply was applied, GC included', async () => {
    const { c, update } = await start();
    const w = writer(c.txn);
    w.put('a', 5n, 10n, 'v1');
    w.put('a', 15n, 20n, 'v2');
    c.failNextPd({ method: 'UpdateGCSafePoint' }, { kind: 'NotLeader' });
    await expect(pd!.call('UpdateGCSafePoint', { header: { cluster_id: c.clusterId.toString() }, safe_point: '25' })).resolves.toMatchObject({ header: { error: {} } });
    expect(c.gcSafePoint).toBe(0n);
    expect(c.versionsOf('a')).toHaveLength(2);
    c.failNextPd({ method: 'UpdateGCSafePoint' }, { kind: 'LostReply' });
    await expect(update(25n)).rejects.toThrow(/reply lost/);
    expect(c.gcSafePoint).toBe(25n);
    expect(c.versionsOf('a')).toHaveLength(1);
  });

  test('collected versions stay collected across a restart with a journal (fake:tikv --data-dir), and so does the safe point', async () => {
    const path = join(dir, 'cluster', 'mvcc.jsonl');
    let s = await start();
    let journal = new FileJournal(path);
    expect(journal.open(s.c.mvcc)).toBe(0);
    const history = new History(s.c.txn, prng(7));
    history.run(150);
    const sp = history.now - 40n;
    expect(await s.update(sp)).toBe(String(sp));
    history.run(40); // mutations after the pass replay after it
    const state = dump(s.c.mvcc);
    expect(s.c.gcStats().versionsRemoved).toBeGreaterThan(0);
    pd!.close();
    await s.c.stop();
    journal.close();

    s = await start();
    journal = new FileJournal(path);
    journal.open(s.c.mvcc);
    expect(dump(s.c.mvcc)).toEqual(state);
    expect(await s.get()).toBe(String(sp)); // PD's, as etcd would have kept it
    expect(await s.update(sp - 5n)).toBe(String(sp));
    expect(s.c.gcStats()).toEqual({ safePoint: sp, runs: 0, versionsRemoved: 0, valuesRemoved: 0, keysRemoved: 0 });
    journal.close();
  });

  test('the journal replays a GC pass where it happened: later writes to a collected key survive', () => {
    const path = join(dir, 'store', 'mvcc.jsonl');
    const a = new MvccStore();
    const journal = new FileJournal(path);
    journal.open(a);
    const w = writer(new Percolator(a));
    w.put('x', 5n, 10n, 'v1');
    w.del('x', 15n, 20n);
    w.put('y', 5n, 10n, 'y1');
    w.put('y', 15n, 20n, 'y2');
    expect(a.gc(30n)).toEqual({ safePoint: 30n, versionsRemoved: 3, valuesRemoved: 2, keysRemoved: 1 });
    w.put('x', 35n, 40n, 'v2');
    journal.close();

    const b = new MvccStore();
    expect(new FileJournal(path).open(b)).toBe(4 + 3 + 4 + 4 + 1 + 4); // a Put is data, lock, write, unlock; a Delete has no data; the gc line
    expect(dump(b)).toEqual(dump(a));
    expect(layout(b, 'x')).toEqual(['Put@40=v2']);
    expect(b.gcSafePoint).toBe(30n);
    expect(b.gc(30n)).toBeUndefined();
  });

  test('service safe points (UpdateServiceGCSafePoint): the smallest live one is answered; TTLs run on the fake clock', async () => {
    const { c, update } = await start();
    const header = { cluster_id: c.clusterId.toString() };
    const never = String((1n << 63n) - 1n);
    const service = async (id: string, ttl: string, sp: bigint) => {
      const r = await pd!.call('UpdateServiceGCSafePoint', { header, service_id: Buffer.from(id), TTL: ttl, safe_point: String(sp) });
      return `${r.service_id?.toString()}@${r.min_safe_point ?? 0}`;
    };
    expect(await service('gc_worker', never, 100n)).toBe('gc_worker@100'); // PD starts it at 0, infinite TTL
    expect(await service('br', '60', 150n)).toBe('gc_worker@100');
    expect(await service('gc_worker', never, 200n)).toBe('br@150'); // the driver must stop at 150
    expect(await service('cdc', '60', 120n)).toBe('br@150'); // below the smallest: refused
    expect(c.serviceSafePoints().map((p) => `${p.serviceId}@${p.safePoint}`)).toEqual(['br@150', 'gc_worker@200']);
    expect(await update(300n)).toBe('300'); // PD does not hold UpdateGCSafePoint back itself: the driver does
    c.advanceClock(61_000);
    expect(await service('gc_worker', never, 200n)).toBe('gc_worker@200'); // br expired
    expect(c.setServiceSafePoint('br', 250n, 60)).toMatchObject({ serviceId: 'gc_worker', safePoint: 200n });
    expect(await service('br', '0', 0n)).toBe('gc_worker@200'); // TTL <= 0 removes
    await expect(service('gc_worker', '0', 0n)).rejects.toMatchObject({ code: grpc.status.UNKNOWN, details: 'cannot remove service safe point of gc_worker' });
    await expect(service('gc_worker', '60', 300n)).rejects.toMatchObject({ code: grpc.status.UNKNOWN, details: "TTL of gc_worker's service safe point must be infinity" });
  });
});
