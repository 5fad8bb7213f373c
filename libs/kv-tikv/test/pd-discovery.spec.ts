import { KvUnavailableError } from '@massive/kv';
import { createServer, type AddressInfo } from 'node:net';
import { get, k, put, startFixture, type ClientFixture } from './client-fixture';
import { TikvKv } from '../src';
import { FakeCluster } from './fake-tikv';

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('TikvKv PD discovery', () => {
  let fx: ClientFixture;
  afterEach(() => fx.stop());

  it('tries every client URL of the leader (the first one advertised does not route)', async () => {
    fx = await startFixture({ pdMembers: 3, pdUnreachableClientUrls: [`http://127.0.0.1:${await deadPort()}`] });
    await put(fx.kv, { a: '1' });
    expect(await get(fx.kv, 'a')).toBe('1');
    expect(fx.kv.stats().pdLeader).toBe(fx.cluster.pdLeaderEndpoint);
    fx.cluster.transferPdLeader(1);
    await put(fx.kv, { b: '2' });
    expect(fx.kv.stats().pdLeader).toBe(fx.cluster.pdLeaderEndpoint);
  });

  it('keeps the last good leader when rediscovery finds nothing better', async () => {
    fx = await startFixture({ pdMembers: 1 });
    await put(fx.kv, { a: '1' });
    const leader = fx.kv.stats().pdLeader;
    // GetMembers stops working everywhere; the leader itself still serves.
    fx.cluster.failNextPd({ method: 'GetMembers' }, { kind: 'Unavailable' }, Infinity);
    fx.cluster.breakTsoStreams(); // the TSO stream fails once: the leader becomes suspect
    const ts = await fx.kv.timestamp(); // before: no leader known any more, KvUnavailableError
    expect(ts).toBeGreaterThan(0n);
    expect(fx.kv.stats().pdLeader).toBe(leader);
    expect(await get(fx.kv, 'a')).toBe('1');
  });

  it('a TSO stream whose PD leader changed and went silent is abandoned after the TSO timeout', async () => {
    fx = await startFixture({ pdMembers: 3 });
    const before = await fx.kv.timestamp();
    fx.cluster.transferPdLeader(2, { oldStreams: 'silent' });
    const t0 = Date.now();
    const stamps = await Promise.all(Array.from({ length: 20 }, () => fx.kv.timestamp()));
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(stamps.every((ts) => ts > before)).toBe(true);
    expect(new Set(stamps).size).toBe(20);
    expect(fx.kv.stats().pdLeader).toBe(fx.cluster.pdLeaderEndpoint);
  });
});

describe('TikvKv PD cluster id', () => {
  it("never follows an endpoint of another cluster (a stale endpoint list): its data is not ours", async () => {
    const mine = await FakeCluster.start({ clusterId: 111n });
    const other = await FakeCluster.start({ clusterId: 222n });
    const kv = new TikvKv({ pdEndpoints: [...mine.pdEndpoints, ...other.pdEndpoints], pdBudgetMs: 600, readBudgetMs: 1000, pdTimeoutMs: 300 });
    try {
      await put(kv, { a: 'mine' });
      mine.stopPd(0, false);
      const err = await kv.txn((tx) => tx.get(k('a'))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KvUnavailableError); // before: silently read cluster 222 (a = undefined)
      expect(other.pdCalls('GetRegion') + other.pdCalls('Tso') + other.calls()).toBe(0);
    } finally {
      await kv.close();
      await mine.stop();
      await other.stop();
    }
  });
});
