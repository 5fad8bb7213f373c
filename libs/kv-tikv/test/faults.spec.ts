import { KvConflictError, KvUnavailableError } from '@massive/kv';
import { setTimeout as sleep } from 'node:timers/promises';
import { get, k, metric, put, startFixture, type ClientFixture } from './client-fixture';

describe('TikvKv under transport faults', () => {
  let fx: ClientFixture;
  beforeEach(async () => {
    fx = await startFixture({ splitKeys: ['m'], pdMembers: 3 });
  });
  afterEach(() => fx.stop());

  describe('lost replies', () => {
    it('a lost prewrite reply is retried (prewrite is idempotent)', async () => {
      fx.cluster.failNext({ method: 'KvPrewrite' }, { kind: 'LostReply' }, 2);
      await put(fx.kv, { a: '1', z: '2' });
      expect(await get(fx.kv, 'a')).toBe('1');
      expect(await get(fx.kv, 'z')).toBe('2');
      expect(fx.cluster.locks()).toHaveLength(0);
    });

    it('a lost primary-commit reply still ends committed (retry or status check)', async () => {
      fx.cluster.crashTxnAt('commit-primary', { fault: { kind: 'LostReply' }, times: 1 });
      await put(fx.kv, { a: '1', z: '2' });
      expect(await get(fx.kv, 'a')).toBe('1');
      expect(await get(fx.kv, 'z')).toBe('2');
      expect(await metric(fx.registry, 'tikv_txn_total', { result: 'committed' })).toBe(1);
      expect(await metric(fx.registry, 'tikv_txn_total', { result: 'read_only' })).toBe(2);
    });

    it('when every commit reply and status check is lost, rolling back settles it as committed', async () => {
      const kv = fx.client({ commitBudgetMs: 200 });
      fx.cluster.crashTxnAt('commit-primary', { fault: { kind: 'LostReply' } });
      fx.cluster.failNext({ method: 'KvCheckTxnStatus' }, { kind: 'Unavailable' }, Infinity);
      await put(kv, { a: '1', z: '2' }); // resolves: TiKV refused to roll back a committed primary
      fx.cluster.clearFaults();
      expect(await get(fx.kv, 'z')).toBe('2');
    });

    it('a primary commit that never arrives is rolled back and reported unavailable, never as a conflict', async () => {
      const kv = fx.client({ commitBudgetMs: 200 });
      fx.cluster.crashTxnAt('commit-primary');
      const err = await put(kv, { a: '1', z: '2' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KvUnavailableError);
      expect(err).not.toBeInstanceOf(KvConflictError);
      fx.cluster.clearFaults();
      expect(fx.cluster.locks()).toHaveLength(0);
      expect(await get(fx.kv, 'a')).toBeUndefined();
      expect(await get(fx.kv, 'z')).toBeUndefined();
    });

    it('lost secondary-commit replies do not matter', async () => {
      fx.cluster.crashTxnAt('commit-secondaries', { fault: { kind: 'LostReply' } });
      await put(fx.kv, { a: '1', z: '2' });
      fx.cluster.clearFaults();
      expect(fx.cluster.locks()).toHaveLength(0);
      expect(await get(fx.kv, 'z')).toBe('2');
    });
  });

  describe('PD', () => {
    it('fails over to the next PD leader when the leader stops', async () => {
      await put(fx.kv, { a: '1' });
      const first = fx.kv.stats().pdLeader;
      expect(first).toBe(fx.cluster.pdLeaderEndpoint);
      fx.cluster.stopPd(fx.cluster.pdLeaderIndex()!);
      await put(fx.kv, { a: '2' });
      expect(await get(fx.kv, 'a')).toBe('2');
      expect(fx.kv.stats().pdLeader).toBe(fx.cluster.pdLeaderEndpoint);
      expect(fx.kv.stats().pdLeader).not.toBe(first);
    });

    it('follows a leader transfer (the old leader answers "not leader")', async () => {
      await put(fx.kv, { a: '1' });
      fx.cluster.transferPdLeader(2);
      const fresh = fx.client(); // region lookups too, not only TSO
      expect(await get(fresh, 'a')).toBe('1');
      await put(fx.kv, { b: '1' });
      expect(fx.kv.stats().pdLeader).toBe(fx.cluster.pdLeaderEndpoint);
    });

    it('batches concurrent timestamp requests and reconnects a broken TSO stream', async () => {
      await fx.kv.timestamp();
      const before = fx.kv.stats().tsoRequests;
      const stamps = await Promise.all(Array.from({ length: 50 }, () => fx.kv.timestamp()));
      expect(new Set(stamps).size).toBe(50);
      expect(fx.kv.stats().tsoRequests - before).toBeLessThanOrEqual(2);
      fx.cluster.breakTsoStreams();
      const after = await Promise.all(Array.from({ length: 5 }, () => fx.kv.timestamp()));
      expect(after.every((ts) => stamps.every((s) => ts > s))).toBe(true);
      await put(fx.kv, { a: '1' });
    });

    it('a PD outage past the budget is KvUnavailableError; the same client recovers when PD returns', async () => {
      const kv = fx.client({ pdBudgetMs: 300 });
      await put(kv, { a: '1' });
      for (let i = 0; i < 3; i++) fx.cluster.stopPd(i, false);
      await expect(kv.txn(async (tx) => tx.get(k('a')))).rejects.toBeInstanceOf(KvUnavailableError);
      // A long outage: channels that failed to connect are in reconnect backoff (growing to 1 s)
      // and fail calls fast. The client must not wait that out: PD is back, so the first call
      // within its 300 ms budget finds it (retired channels, dialled afresh).
      await sleep(1500);
      await fx.cluster.restartPd(1);
      expect(await get(kv, 'a')).toBe('1');
    });
  });

  describe('stores', () => {
    it('a slow store within the RPC deadline only slows requests down', async () => {
      await put(fx.kv, { a: '1' });
      fx.cluster.setStoreDelay(fx.cluster.regionOf('a').leaderStoreId, 200);
      const t0 = Date.now();
      expect(await get(fx.kv, 'a')).toBe('1');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    });

    it('a reply slower than the RPC deadline is retried', async () => {
      await put(fx.kv, { a: '1' });
      fx.cluster.failNext({ method: 'KvGet' }, { kind: 'Delay', ms: 1500 }, 1);
      expect(await get(fx.kv, 'a')).toBe('1');
      expect(fx.cluster.calls('KvGet')).toBe(2);
    });

    it('a store outage past the budget is KvUnavailableError; the restarted store serves again', async () => {
      const kv = fx.client({ readBudgetMs: 300, commitBudgetMs: 300, cleanupBudgetMs: 300 });
      await put(kv, { a: '1' });
      const store = fx.cluster.regionOf('a').leaderStoreId;
      fx.cluster.stopStore(store);
      await expect(kv.txn((tx) => tx.get(k('a')))).rejects.toBeInstanceOf(KvUnavailableError);
      await expect(put(kv, { a: '2' })).rejects.toBeInstanceOf(KvUnavailableError);
      await sleep(1500);
      await fx.cluster.restartStore(store);
      expect(await get(kv, 'a')).toBe('1');
    });

    it('leaders moved off a stopped store are found through PD', async () => {
      await put(fx.kv, { a: '1', z: '2' });
      const store = fx.cluster.regionOf('a').leaderStoreId;
      fx.cluster.evacuateLeaders(store);
      fx.cluster.stopStore(store);
      expect(await get(fx.kv, 'a')).toBe('1');
      await put(fx.kv, { a: '3', z: '4' });
      expect(await get(fx.kv, 'a')).toBe('3');
    });

    it('records RPC latency by method and backoffs by kind', async () => {
      await put(fx.kv, { a: '1' });
      fx.cluster.failNext({ method: 'KvGet' }, { kind: 'ServerIsBusy' }, 1);
      await get(fx.kv, 'a');
      const text = await fx.registry.metrics();
      expect(text).toMatch(/tikv_rpc_duration_seconds_count\{method="KvGet"\} 2/);
      expect(text).toMatch(/tikv_rpc_duration_seconds_count\{method="KvPrewrite"\} 1/);
      expect(text).toMatch(/tikv_rpc_duration_seconds_count\{method="GetRegion"\} \d/);
      expect(await metric(fx.registry, 'tikv_backoffs_total', { kind: 'serverBusy' })).toBe(1);
      expect(await metric(fx.registry, 'tikv_txn_total', { result: 'read_only' })).toBe(1);
    });
  });
});
