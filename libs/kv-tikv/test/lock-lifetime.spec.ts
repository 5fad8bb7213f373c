import { Registry } from 'prom-client';
import { get, k, metric, put, startFixture, type ClientFixture } from './client-fixture';
import type { TikvRequestInfo } from './fake-tikv';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const primaryCommit = {
  method: 'KvCommit' as const,
  when: (i: TikvRequestInfo) => ((i.request as { keys?: Buffer[] }).keys ?? []).some((key) => key.toString() === 'a'),
};

describe('TikvKv keeps its locks alive while the transaction does', () => {
  let fx: ClientFixture;
  beforeEach(async () => {
    fx = await startFixture({ splitKeys: ['m'] });
  });
  afterEach(() => fx.stop());

  it('heartbeats keep a primary alive through a commit slower than the TTL; a reader waits instead of rolling it back', async () => {
    const registry = new Registry();
    const writer = fx.client({ lockTtlMs: 500, rpcTimeoutMs: 4000, registry });
    fx.cluster.failNext(primaryCommit, { kind: 'Delay', ms: 2000 }); // the commit lands after 4 TTLs
    const writing = put(writer, { a: '1', z: '2' });
    await sleep(1200); // the lock would have expired at ~500 ms without heartbeats
    expect(fx.cluster.lockOf('a')).toBeDefined();
    expect(await get(fx.kv, 'a')).toBe('1'); // waited for the live lock, then read the commit
    await writing;
    expect(await metric(registry, 'tikv_txn_heartbeats_total', { result: 'ok' })).toBeGreaterThanOrEqual(3);
    const beats = fx.cluster.requests('KvTxnHeartBeat');
    expect(beats.every((b) => (b.request as { primary_lock?: Buffer }).primary_lock?.toString() === 'a')).toBe(true);
    // and they stop once the outcome is decided
    const after = fx.cluster.calls('KvTxnHeartBeat');
    await sleep(500);
    expect(fx.cluster.calls('KvTxnHeartBeat')).toBe(after);
  });

  it('sizes the TTL by the bytes written (6 s at 1 MiB), as client-go does', async () => {
    await put(fx.kv, { a: 'x'.repeat(1024 * 1024), z: 'y' });
    const ttls = fx.cluster.requests('KvPrewrite').map((r) => Number((r.request as { lock_ttl?: string }).lock_ttl));
    expect(Math.min(...ttls)).toBeGreaterThanOrEqual(6000);
    expect(Math.max(...ttls)).toBeLessThan(20_000);
    fx.cluster.resetCounters();
    await put(fx.kv, { a: 'small' });
    const small = fx.cluster.requests('KvPrewrite').map((r) => Number((r.request as { lock_ttl?: string }).lock_ttl));
    expect(Math.max(...small)).toBeLessThan(4000);
  });

  it('a prewrite meeting a live lock of an older txn waits for it (bounded by its TTL) instead of failing', async () => {
    await put(fx.kv, { a: 'old' });
    fx.cluster.injectLock('a', { primary: 'a', startTs: fx.cluster.timestamp(), ttl: 400, op: 'Put', value: 'crashed' });
    const t0 = Date.now();
    await put(fx.kv, { a: 'new' }); // before: KvConflictError at once
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(await get(fx.kv, 'a')).toBe('new');
    expect(fx.cluster.locks()).toHaveLength(0);
  });

  it('a prewrite meeting a lock of a newer txn still fails fast', async () => {
    const writer = fx.client();
    await expect(
      writer.txn(async (tx) => {
        fx.cluster.injectLock('a', { primary: 'a', startTs: fx.cluster.timestamp(), ttl: 60_000, op: 'Put', value: 'x' });
        tx.put(k('a'), k('1'));
      }),
    ).rejects.toMatchObject({ name: 'KvConflictError' });
  });

  it('checks a lock owner with verify_is_primary', async () => {
    fx.cluster.injectLock('z', { primary: 'a', startTs: fx.cluster.timestamp(), ttl: 1, op: 'Put', value: 'x' });
    fx.cluster.injectLock('a', { primary: 'a', startTs: fx.cluster.timestamp(), ttl: 1, op: 'Put', value: 'x' });
    fx.cluster.advanceClock(1000);
    expect(await get(fx.kv, 'z')).toBeUndefined();
    const checks = fx.cluster.requests('KvCheckTxnStatus');
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((c) => (c.request as { verify_is_primary?: boolean }).verify_is_primary === true)).toBe(true);
  });
});
