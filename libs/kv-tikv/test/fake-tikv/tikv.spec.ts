/** The fake TiKV stores over gRPC: 2PC, reads, scans per region, region errors, splits, faults. */
import * as grpc from '@grpc/grpc-js';
import { FakeCluster } from './cluster';
import { decodeKey } from './codec';
import { RawClient } from './raw-client';
import { Action, Op } from './types';

const b = (s: string): Buffer => Buffer.from(s);

describe('fake TiKV', () => {
  let c: FakeCluster;
  const clients = new Map<string, RawClient>();
  const kv = (storeId: bigint | number): RawClient => {
    const addr = c.storeAddress(storeId);
    if (!clients.has(addr)) clients.set(addr, new RawClient(addr, 'tikv'));
    return clients.get(addr)!;
  };
  /** A Context for `key`'s region as a client's cache would build it (default: the leader's store). */
  const ctx = (key: string, storeId?: bigint) => {
    const r = c.regionOf(key);
    const peer = r.peers.find((p) => p.storeId === (storeId ?? r.leaderStoreId))!;
    return { region_id: r.id.toString(), region_epoch: { conf_ver: r.confVer.toString(), version: r.version.toString() }, peer: { id: peer.id.toString(), store_id: peer.storeId.toString() } };
  };
  const send = (method: string, key: string, req: Record<string, unknown>, storeId?: bigint) =>
    kv(storeId ?? c.regionOf(key).leaderStoreId).call(method, { context: ctx(key, storeId), ...req });
  const ts = () => c.timestamp().toString();
  /** One region-local optimistic txn: prewrite all, commit primary then the rest. */
  async function commitTxn(pairs: Record<string, string>): Promise<string> {
    const keys = Object.keys(pairs);
    const start = ts();
    for (const k of keys) {
      const r = await send('KvPrewrite', k, { mutations: [{ op: Op.Put, key: b(k), value: b(pairs[k]) }], primary_lock: b(keys[0]), start_version: start, lock_ttl: '3000', txn_size: '1' });
      expect(r.errors ?? []).toEqual([]);
    }
    const commit = ts();
    for (const k of keys) expect(await send('KvCommit', k, { start_version: start, keys: [b(k)], commit_version: commit })).toEqual({});
    return commit;
  }

  beforeEach(async () => {
    c = await FakeCluster.start({ stores: 3, splitKeys: ['m'] });
  });
  afterEach(async () => {
    clients.forEach((x) => x.close());
    clients.clear();
    await c.stop();
  });

  test('prewrite + commit across two regions; reads at start_ts see only what committed before it', async () => {
    const before = ts();
    const commitTs = await commitTxn({ a: '1', z: '2' });
    expect(await send('KvGet', 'a', { key: b('a'), version: before })).toEqual({ not_found: true });
    expect((await send('KvGet', 'z', { key: b('z'), version: ts() })).value).toEqual(b('2'));
    const got = await send('KvGet', 'a', { key: b('a'), version: ts(), need_commit_ts: true });
    expect(got.commit_ts).toBe(commitTs);
    expect(c.versionsOf('a')).toEqual([expect.objectContaining({ kind: 'Put', commitTs: BigInt(commitTs), value: b('1') })]);
  });

  test('locks show on reads as KeyError.locked; in BatchGet/Scan as an error pair with an empty key that counts toward the limit', async () => {
    await commitTxn({ a: '1', b: '1', c: '1' });
    const start = ts();
    await send('KvPrewrite', 'b', { mutations: [{ op: Op.Put, key: b('b'), value: b('2') }], primary_lock: b('b'), start_version: start, lock_ttl: '3000' });
    const read = ts();
    expect((await send('KvGet', 'b', { key: b('b'), version: read })).error.locked).toMatchObject({ key: b('b'), primary_lock: b('b'), lock_version: start });
    const bg = await send('KvBatchGet', 'a', { keys: [b('a'), b('b'), b('bb')], version: read });
    expect(bg.pairs).toEqual([{ key: b('a'), value: b('1') }, { error: { locked: expect.objectContaining({ key: b('b') }) } }]);
    const scan = await send('KvScan', 'a', { start_key: b('a'), limit: 2, version: read });
    expect(scan.pairs.map((p: any) => (p.error ? 'LOCK' : p.key.toString()))).toEqual(['a', 'LOCK']);
    expect(scan.pairs[1].key).toBeUndefined();
    expect((await send('KvScan', 'a', { start_key: b('a'), limit: 0, version: read })).pairs).toBeUndefined();
    const older = await send('KvGet', 'b', { key: b('b'), version: (BigInt(start) - 1n).toString() });
    expect(older.value).toEqual(b('1'));
  });

  test('a scan is clipped to its region: end_key is capped at the region end, a start outside is KeyNotInRegion', async () => {
    await commitTxn({ a: '1', l: '1' });
    await commitTxn({ m: '1', n: '1' });
    const scan = await send('KvScan', 'a', { start_key: b('a'), end_key: b('zz'), limit: 100, version: ts() });
    expect(scan.pairs.map((p: any) => p.key.toString())).toEqual(['a', 'l']);
    const keyOnly = await send('KvScan', 'm', { start_key: b('m'), limit: 100, version: ts(), key_only: true });
    expect(keyOnly.pairs).toEqual([{ key: b('m') }, { key: b('n') }]);
    const reverse = await send('KvScan', 'm', { start_key: b('n'), end_key: b(''), reverse: true, limit: 10, version: ts() });
    expect(reverse.pairs.map((p: any) => p.key.toString())).toEqual(['m']);
    const bad = await send('KvScan', 'a', { start_key: b('x'), limit: 10, version: ts() });
    expect(bad.region_error.key_not_in_region.start_key).toBeUndefined(); // -inf: unset on the wire
    expect(decodeKey(bad.region_error.key_not_in_region.end_key)).toEqual(b('m'));
  });

  test('context checks: NotLeader names the leader, StoreNotMatch, RegionNotFound, missing epoch', async () => {
    const r = c.regionOf('a');
    const follower = c.storeIds().find((s) => s !== r.leaderStoreId)!;
    const nl = await send('KvGet', 'a', { key: b('a'), version: ts() }, follower);
    expect(nl.region_error.not_leader).toEqual({ region_id: r.id.toString(), leader: expect.objectContaining({ store_id: r.leaderStoreId.toString() }) });
    const wrongStore = await kv(follower).call('KvGet', { context: ctx('a'), key: b('a'), version: ts() });
    expect(wrongStore.region_error.store_not_match).toEqual({ request_store_id: r.leaderStoreId.toString(), actual_store_id: follower.toString() });
    const unknown = await kv(r.leaderStoreId).call('KvGet', { context: { ...ctx('a'), region_id: '999' }, key: b('a'), version: ts() });
    expect(unknown.region_error.region_not_found).toEqual({ region_id: '999' });
    const noEpoch = await kv(r.leaderStoreId).call('KvGet', { context: { ...ctx('a'), region_epoch: undefined }, key: b('a'), version: ts() });
    expect(noEpoch.region_error).toEqual({ message: 'missing epoch!' });
  });

  test('split: the old epoch gets EpochNotMatch with the current (encoded) regions; a batch across the new boundary gets KeyNotInRegion', async () => {
    const old = ctx('c');
    const regions = c.split('f');
    expect(regions.map((r) => r.rawStart.toString())).toEqual(['', 'f', 'm']);
    const stale = await kv(c.regionOf('c').leaderStoreId).call('KvGet', { context: old, key: b('c'), version: ts() });
    const current = stale.region_error.epoch_not_match.current_regions;
    const starts = (rs: any[]) => rs.map((r) => (r.start_key?.length ? decodeKey(r.start_key).toString() : ''));
    expect(starts(current)).toEqual(['f', '']); // right-derived: the old id keeps [f, m), its new left sibling follows
    expect(current.every((r: any) => r.region_epoch.version === '3')).toBe(true);
    const mixed = await send('KvPrewrite', 'c', { mutations: [{ op: Op.Put, key: b('c'), value: b('1') }, { op: Op.Put, key: b('g'), value: b('1') }], primary_lock: b('c'), start_version: ts(), lock_ttl: '3000' });
    expect(mixed.region_error.key_not_in_region.key).toEqual(b('g'));
    expect(c.lockOf('c')).toBeUndefined();
  });

  test('leader moves: the old leader answers NotLeader with the new one, which then serves', async () => {
    const r = c.regionOf('a');
    const target = c.storeIds().find((s) => s !== r.leaderStoreId)!;
    const oldCtx = ctx('a');
    c.transferLeader(r.id, target);
    const nl = await kv(r.leaderStoreId).call('KvGet', { context: oldCtx, key: b('a'), version: ts() });
    expect(nl.region_error.not_leader.leader.store_id).toBe(target.toString());
    expect(await send('KvGet', 'a', { key: b('a'), version: ts() })).toEqual({ not_found: true });
  });

  test('check_txn_status: alive -> ttl; after the clock passes the ttl -> TTLExpireRollback; resolve rolls the secondary back', async () => {
    const start = ts();
    await send('KvPrewrite', 'a', { mutations: [{ op: Op.Put, key: b('a'), value: b('1') }], primary_lock: b('a'), start_version: start, lock_ttl: '1000' });
    await send('KvPrewrite', 'z', { mutations: [{ op: Op.Put, key: b('z'), value: b('1') }], primary_lock: b('a'), start_version: start, lock_ttl: '1000' });
    const alive = await send('KvCheckTxnStatus', 'a', { primary_key: b('a'), lock_ts: start, caller_start_ts: ts(), current_ts: ts(), verify_is_primary: true });
    expect(alive).toMatchObject({ lock_ttl: '1000', lock_info: { key: b('a') } });
    expect(alive.action ?? Action.NoAction).toBe(Action.NoAction); // NoAction = 0: absent on the wire
    c.advanceClock(1500);
    const expired = await send('KvCheckTxnStatus', 'a', { primary_key: b('a'), lock_ts: start, caller_start_ts: ts(), current_ts: ts(), verify_is_primary: true });
    expect(expired).toEqual({ action: Action.TTLExpireRollback });
    expect(await send('KvResolveLock', 'z', { start_version: start, commit_version: '0', keys: [b('z')] })).toEqual({});
    expect(c.locks()).toEqual([]);
    const late = await send('KvCommit', 'a', { start_version: start, keys: [b('a')], commit_version: ts() });
    expect(late.error.txn_lock_not_found).toEqual({ key: b('a') });
  });

  test('a crashed writer: commit of the secondaries never arrives; readers roll forward from the primary', async () => {
    c.crashTxnAt('commit-secondaries');
    const start = ts();
    await send('KvPrewrite', 'a', { mutations: [{ op: Op.Put, key: b('a'), value: b('1') }], primary_lock: b('a'), start_version: start, lock_ttl: '3000' });
    await send('KvPrewrite', 'z', { mutations: [{ op: Op.Put, key: b('z'), value: b('1') }], primary_lock: b('a'), start_version: start, lock_ttl: '3000' });
    const commit = ts();
    expect(await send('KvCommit', 'a', { start_version: start, keys: [b('a')], commit_version: commit })).toEqual({});
    await expect(send('KvCommit', 'z', { start_version: start, keys: [b('z')], commit_version: commit })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(c.locks().map((l) => l.key.toString())).toEqual(['z']);
    const status = await send('KvCheckTxnStatus', 'a', { primary_key: b('a'), lock_ts: start, current_ts: ts() });
    expect(status.commit_version).toBe(commit);
    c.clearFaults();
    expect(await send('KvResolveLock', 'z', { start_version: start, commit_version: commit })).toEqual({});
    expect((await send('KvGet', 'z', { key: b('z'), version: ts() })).value).toEqual(b('1'));
  });

  test('injected faults: region errors, UNAVAILABLE before apply, a lost reply after apply, hang, delay', async () => {
    c.failNext({ method: 'KvGet' }, { kind: 'ServerIsBusy', backoffMs: 5 });
    expect((await send('KvGet', 'a', { key: b('a'), version: ts() })).region_error.server_is_busy).toMatchObject({ backoff_ms: '5' });
    c.failNext({ method: 'KvGet' }, { kind: 'NotLeader', leaderStoreId: null }, 2);
    expect((await send('KvGet', 'a', { key: b('a'), version: ts() })).region_error.not_leader.leader).toBeUndefined();
    expect((await send('KvGet', 'a', { key: b('a'), version: ts() })).region_error.not_leader).toBeDefined();
    for (const kind of ['EpochNotMatch', 'RegionNotFound', 'KeyNotInRegion', 'StaleCommand'] as const) {
      c.failNext({ method: 'KvGet', regionId: c.regionOf('a').id }, { kind });
      const err = (await send('KvGet', 'a', { key: b('a'), version: ts() })).region_error;
      expect(Object.keys(err)).toContain({ EpochNotMatch: 'epoch_not_match', RegionNotFound: 'region_not_found', KeyNotInRegion: 'key_not_in_region', StaleCommand: 'stale_command' }[kind]);
    }
    const start = ts();
    const pw = { mutations: [{ op: Op.Put, key: b('a'), value: b('1') }], primary_lock: b('a'), start_version: start, lock_ttl: '3000' };
    c.failNext({ method: 'KvPrewrite' }, { kind: 'Unavailable' });
    await expect(send('KvPrewrite', 'a', pw)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(c.lockOf('a')).toBeUndefined();
    c.failNext({ method: 'KvPrewrite' }, { kind: 'LostReply' });
    await expect(send('KvPrewrite', 'a', pw)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(c.lockOf('a')?.startTs).toBe(BigInt(start));
    expect((await send('KvPrewrite', 'a', pw)).errors ?? []).toEqual([]); // the retry finds its own lock: idempotent
    c.failNext({ method: 'KvGet' }, { kind: 'Hang' });
    await expect(kv(c.regionOf('a').leaderStoreId).call('KvGet', { context: ctx('a'), key: b('a'), version: ts() }, 200)).rejects.toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
    c.setStoreDelay(c.regionOf('a').leaderStoreId, 150);
    const t0 = Date.now();
    await send('KvGet', 'a', { key: b('a'), version: '1' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(c.calls('KvGet')).toBeGreaterThanOrEqual(8);
    expect(c.requests('KvPrewrite')).toHaveLength(3);
  });

  test('a stopped store refuses connections and comes back on the same address', async () => {
    const id = c.regionOf('a').leaderStoreId;
    const addr = c.storeAddress(id);
    c.stopStore(id);
    await expect(send('KvGet', 'a', { key: b('a'), version: ts() })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    await c.restartStore(id);
    expect(c.storeAddress(id)).toBe(addr);
    const fresh = new RawClient(addr, 'tikv');
    expect(await fresh.call('KvGet', { context: ctx('a'), key: b('a'), version: ts() })).toEqual({ not_found: true });
    fresh.close();
  });

  test('beforeApply runs a concurrent writer between two RPCs: the prewrite then meets a write conflict', async () => {
    const start = ts();
    const off = c.beforeApply(async (info) => {
      if (info.method !== 'KvPrewrite') return;
      off();
      await commitTxn({ a: 'other' });
    });
    const r = await send('KvPrewrite', 'a', { mutations: [{ op: Op.Put, key: b('a'), value: b('mine') }], primary_lock: b('a'), start_version: start, lock_ttl: '3000' });
    expect(r.errors[0].conflict).toMatchObject({ start_ts: start, key: b('a'), reason: 1 });
  });

  test('commit-primary with a lost reply: applied although the client saw UNAVAILABLE; a retry is idempotent', async () => {
    c.crashTxnAt('commit-primary', { fault: { kind: 'LostReply' }, times: 1 });
    c.crashTxnAt('prewrite-secondaries', { times: 1 });
    const start = ts();
    await send('KvPrewrite', 'a', { mutations: [{ op: Op.Put, key: b('a'), value: b('1') }], primary_lock: b('a'), start_version: start, lock_ttl: '3000' });
    const secondary = { mutations: [{ op: Op.Put, key: b('z'), value: b('1') }], primary_lock: b('a'), start_version: start, lock_ttl: '3000' };
    await expect(send('KvPrewrite', 'z', secondary)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(c.lockOf('z')).toBeUndefined();
    expect((await send('KvPrewrite', 'z', secondary)).errors).toBeUndefined();
    const commit = ts();
    await expect(send('KvCommit', 'a', { start_version: start, keys: [b('a')], commit_version: commit })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(c.versionsOf('a')[0]).toMatchObject({ kind: 'Put', commitTs: BigInt(commit) });
    expect(await send('KvCommit', 'a', { start_version: start, keys: [b('a')], commit_version: commit })).toEqual({});
  });

  test('wholeRequestLockErrors: a lock fails the whole BatchGet/Scan (resp.error + one error pair); merge bumps the epoch', async () => {
    await c.stop();
    c = await FakeCluster.start({ stores: 2, splitKeys: ['m'], wholeRequestLockErrors: true });
    c.injectLock('b', { primary: 'b', startTs: c.timestamp() });
    const scan = await send('KvScan', 'a', { start_key: b('a'), limit: 10, version: ts() });
    expect(scan.error.locked.key).toEqual(b('b'));
    expect(scan.pairs).toHaveLength(1);
    const before = c.regionOf('a');
    const merged = c.mergeRight('a')!;
    expect(c.regions()).toHaveLength(1);
    expect(merged.version).toBeGreaterThan(before.version);
    const stale = await kv(merged.leaderStoreId).call('KvGet', { context: { ...ctx('a'), region_id: before.id.toString() }, key: b('a'), version: ts() });
    expect(stale.region_error.region_not_found).toBeDefined();
  });
});
