import { KvConflictError, KvUnknownOutcomeError } from '@massive/kv';
import { Registry } from 'prom-client';
import { get, k, metric, put, startFixture, str, type ClientFixture } from './client-fixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TikvKv lock resolution and crashed transactions', () => {
  let fx: ClientFixture;
  beforeEach(async () => {
    fx = await startFixture({ splitKeys: ['m'] });
  });
  afterEach(() => fx.stop());

  const resolutions = (outcome: string) => metric(fx.registry, 'tikv_lock_resolutions_total', { outcome });

  it('a writer that crashed before its primary commit is rolled back by readers once its TTL passed', async () => {
    await put(fx.kv, { a: 'old', z: 'old' });
    const writer = fx.client({ commitBudgetMs: 200, cleanupBudgetMs: 200 });
    // The writer "dies": neither its primary commit nor its attempt to settle by rollback arrives.
    const crash = fx.cluster.crashTxnAt('commit-primary');
    const noRollback = fx.cluster.failNext({ method: 'KvBatchRollback' }, { kind: 'Unavailable' }, Infinity);
    await expect(put(writer, { a: 'new', z: 'new' })).rejects.toBeInstanceOf(KvUnknownOutcomeError);
    fx.cluster.removeFault(crash);
    fx.cluster.removeFault(noRollback);
    expect(fx.cluster.locks().map((l) => str(l.key))).toEqual(['a', 'z']);
    fx.cluster.advanceClock(60_000); // past the TTL
    expect(await fx.kv.txn((tx) => tx.batchGet([k('a'), k('z')])).then((vs) => vs.map(str))).toEqual(['old', 'old']);
    expect(fx.cluster.locks()).toHaveLength(0);
    expect(await resolutions('rolled_back')).toBeGreaterThanOrEqual(1);
  });

  it('a writer that crashed after its primary commit is rolled forward by readers', async () => {
    const writer = fx.client({ cleanupBudgetMs: 100 });
    const crash = fx.cluster.crashTxnAt('commit-secondaries');
    await put(writer, { a: 'new', q: 'new', z: 'new' }); // committed: the primary made it
    fx.cluster.removeFault(crash);
    expect(fx.cluster.locks().map((l) => str(l.key))).toEqual(['q', 'z']);
    const listed = await fx.kv.txn((tx) => tx.scan(k(''), k('')));
    expect(listed.map((p) => `${str(p.key)}=${str(p.value)}`)).toEqual(['a=new', 'q=new', 'z=new']);
    expect(fx.cluster.locks()).toHaveLength(0);
    expect(await resolutions('committed')).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['prewrite-primary', 'old'],
    ['prewrite-secondaries', 'old'],
    ['commit-primary', 'old'],
    ['commit-secondaries', 'new'],
  ] as const)('a writer that dies at %s leaves readers seeing %s values once they resolve', async (step, expected) => {
    await put(fx.kv, { a: 'old', q: 'old', z: 'old' });
    const writer = fx.client({ commitBudgetMs: 150, cleanupBudgetMs: 150 });
    // The writer's requests at `step` never arrive, and neither does any cleanup it attempts.
    fx.cluster.crashTxnAt(step);
    fx.cluster.failNext({ method: 'KvBatchRollback' }, { kind: 'Unavailable' }, Infinity);
    const outcome = await put(writer, { a: 'new', q: 'new', z: 'new' }).then(
      () => 'ok',
      (e: Error) => e.name,
    );
    expect(outcome).toBe(
      { 'prewrite-primary': 'KvUnavailableError', 'prewrite-secondaries': 'KvUnavailableError', 'commit-primary': 'KvUnknownOutcomeError', 'commit-secondaries': 'ok' }[step],
    );
    fx.cluster.clearFaults();
    expect(fx.cluster.locks().length).toBeGreaterThan(0);
    fx.cluster.advanceClock(60_000);
    const listed = await fx.kv.txn((tx) => tx.scan(k(''), k('')));
    expect(listed.map((p) => str(p.value))).toEqual([expected, expected, expected]);
    expect(fx.cluster.locks()).toHaveLength(0);
  });

  it('a fabricated crash (primary and secondaries locked, short TTL) is rolled back', async () => {
    await put(fx.kv, { p: 'old', s: 'old' });
    const startTs = await fx.kv.timestamp();
    fx.cluster.injectLock('p', { primary: 'p', startTs, ttl: 50, value: 'crashed' });
    fx.cluster.injectLock('s', { primary: 'p', startTs, ttl: 50, value: 'crashed' });
    fx.cluster.advanceClock(100);
    expect(await get(fx.kv, 's')).toBe('old');
    expect(await get(fx.kv, 'p')).toBe('old');
    expect(fx.cluster.locks()).toHaveLength(0);
  });

  it('a secondary whose primary lock never landed is rolled back with rollback_if_not_exist', async () => {
    const startTs = await fx.kv.timestamp();
    fx.cluster.injectLock('s', { primary: 'p', startTs, ttl: 50, value: 'orphan' });
    fx.cluster.advanceClock(100);
    expect(await get(fx.kv, 's')).toBeUndefined();
    expect(fx.cluster.versionsOf('p').map((w) => w.kind)).toEqual(['Rollback']); // a late prewrite of p now fails
    expect(fx.cluster.locks()).toHaveLength(0);
  });

  it('a reader waits while the lock owner is alive, then sees its commit', async () => {
    await put(fx.kv, { x: 'old' });
    const readerMetrics = new Registry();
    const reader = fx.client({ registry: readerMetrics });
    let read: Promise<string | undefined> | undefined;
    fx.cluster.beforeApply(async (info) => {
      if (info.method !== 'KvCommit' || read) return;
      read = reader.txn((tx) => tx.get(k('x'))).then(str); // starts after commit_ts was taken
      while (fx.cluster.calls('KvCheckTxnStatus') === 0) await sleep(5);
    });
    await put(fx.kv, { x: 'new' });
    expect(await read).toBe('new');
    expect(await metric(readerMetrics, 'tikv_lock_resolutions_total', { outcome: 'alive' })).toBeGreaterThanOrEqual(1);
    expect(await resolutions('alive')).toBe(0); // each client has its own registry
    expect(fx.cluster.calls('KvCheckTxnStatus')).toBeGreaterThanOrEqual(1);
  });

  it('a prewrite meeting a live lock (older or newer txn) fails fast with KvConflictError', async () => {
    const older = await fx.kv.timestamp();
    fx.cluster.injectLock('x', { primary: 'x', startTs: older, ttl: 60_000 });
    await expect(put(fx.kv, { x: 'mine', y: 'mine' })).rejects.toBeInstanceOf(KvConflictError);
    const run = fx.kv.txn(async (tx) => {
      await tx.get(k('a'));
      fx.cluster.injectLock('w', { primary: 'w', startTs: fx.cluster.timestamp(), ttl: 60_000 });
      tx.put(k('w'), k('mine'));
    });
    await expect(run).rejects.toBeInstanceOf(KvConflictError);
    // Only the injected locks remain: ours were rolled back.
    expect(fx.cluster.locks().map((l) => str(l.key))).toEqual(['w', 'x']);
    expect(await metric(fx.registry, 'tikv_txn_conflicts_total')).toBe(2);
    expect(await metric(fx.registry, 'tikv_txn_total', { result: 'conflict' })).toBe(2);
  });

  it('a prewrite meeting an expired lock resolves it and commits', async () => {
    const startTs = await fx.kv.timestamp();
    fx.cluster.injectLock('x', { primary: 'x', startTs, ttl: 10 });
    fx.cluster.advanceClock(50);
    await put(fx.kv, { x: 'mine' });
    expect(await get(fx.kv, 'x')).toBe('mine');
  });

  it('a prewrite meeting a committed txn lock rolls it forward, then commits over it', async () => {
    const t1 = await fx.kv.timestamp();
    const t2 = await fx.kv.timestamp();
    fx.cluster.injectWrite('p', { startTs: t1, commitTs: t2, value: 'theirs' });
    fx.cluster.injectLock('s', { primary: 'p', startTs: t1, value: 'theirs' });
    await put(fx.kv, { s: 'mine' });
    expect(fx.cluster.versionsOf('s').map((w) => [w.kind, str(w.value)])).toEqual([
      ['Put', 'mine'],
      ['Put', 'theirs'],
    ]);
  });

  it('scans resolve every lock they meet: committed, rolled back and orphaned', async () => {
    await put(fx.kv, { a: '0', b: '0', c: '0', n: '0' });
    const t1 = await fx.kv.timestamp();
    const t2 = await fx.kv.timestamp();
    const t3 = await fx.kv.timestamp();
    fx.cluster.injectWrite('a', { startTs: t1, commitTs: t2, value: 'committed' });
    fx.cluster.injectLock('b', { primary: 'a', startTs: t1, value: 'committed' });
    fx.cluster.injectLock('c', { primary: 'c', startTs: t3, ttl: 10, value: 'dead' });
    fx.cluster.injectLock('n', { primary: 'c', startTs: t3, ttl: 10, value: 'dead' });
    fx.cluster.advanceClock(50);
    const pairs = await fx.kv.txn((tx) => tx.scan(k(''), k('')));
    expect(pairs.map((p) => `${str(p.key)}=${str(p.value)}`)).toEqual(['a=committed', 'b=committed', 'c=0', 'n=0']);
    const rev = await fx.kv.txn((tx) => tx.scan(k(''), k(''), { reverse: true, limit: 3 }));
    expect(rev.map((p) => str(p.key))).toEqual(['n', 'c', 'b']);
    expect(fx.cluster.locks()).toHaveLength(0);
  });

  it('adds the time since start_ts to the lock TTL', async () => {
    await fx.kv.txn(async (tx) => {
      await sleep(300);
      tx.put(k('slow'), k('1'));
    });
    const [req] = fx.cluster.requests('KvPrewrite');
    expect(Number((req.request as { lock_ttl: string }).lock_ttl)).toBeGreaterThanOrEqual(3290);
  });
});

describe('TikvKv when TiKV fails whole BatchGet/Scan requests on a lock', () => {
  it('resolves and redoes the request', async () => {
    const fx = await startFixture({ wholeRequestLockErrors: true });
    try {
      await put(fx.kv, { a: '1', b: '1', c: '1' });
      const t1 = await fx.kv.timestamp();
      fx.cluster.injectLock('b', { primary: 'b', startTs: t1, ttl: 10, value: 'dead' });
      fx.cluster.advanceClock(50);
      expect((await fx.kv.txn((tx) => tx.scan(k('a'), k('z')))).map((p) => str(p.key))).toEqual(['a', 'b', 'c']);
      fx.cluster.injectLock('c', { primary: 'c', startTs: await fx.kv.timestamp(), ttl: 10, value: 'dead' });
      fx.cluster.advanceClock(50);
      expect((await fx.kv.txn((tx) => tx.batchGet([k('a'), k('c')]))).map(str)).toEqual(['1', '1']);
    } finally {
      await fx.stop();
    }
  });
});
