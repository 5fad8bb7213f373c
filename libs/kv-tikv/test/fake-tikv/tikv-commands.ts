/**
 * The TiKV commands of a store, after the request context passed the region check: key-range
 * checks (KeyNotInRegion), then the MVCC/Percolator action, shaped as the kvrpcpb response.
 */
import { decodeBound, encodeKey, u64, wire } from './codec';
import { ReadBypass } from './mvcc';
import { Percolator, lockInfo } from './percolator';
import { FakeRegion, keyNotInRegion, rawInRegion } from './regions';
import * as T from './types';

export interface CommandEnv {
  readonly txn: Percolator;
  /** TiKV variant: a lock met by BatchGet/Scan fails the whole request (resp.error) instead of one pair. */
  readonly wholeRequestLockErrors: boolean;
}

export type Reply = { region_error?: T.RegionError } & Record<string, unknown>;
type Command = (env: CommandEnv, region: FakeRegion, req: never) => Reply;

const empty = Buffer.alloc(0);

function bypass(ctx: T.WireContext | undefined): ReadBypass {
  return {
    resolved: new Set((ctx?.resolved_locks ?? []).map(u64)),
    committed: new Set((ctx?.committed_locks ?? []).map(u64)),
  };
}

/** KeyNotInRegion for the first key outside the region, as TiKV checks every key of a command. */
function outside(keys: readonly Buffer[], region: FakeRegion): Reply | undefined {
  const bad = keys.find((k) => !rawInRegion(k, region));
  return bad ? { region_error: keyNotInRegion(bad, region) } : undefined;
}

const minRaw = (a: Buffer, b: Buffer): Buffer => (a.length === 0 ? b : b.length === 0 ? a : Buffer.compare(a, b) <= 0 ? a : b);
const maxRaw = (a: Buffer, b: Buffer): Buffer => (Buffer.compare(a, b) >= 0 ? a : b);

/** Point reads shared by Get and BatchGet/Scan: a pair, a lock error, or nothing. */
function readPair(env: CommandEnv, key: Buffer, ts: bigint, b: ReadBypass, keyOnly: boolean, needTs: boolean): T.KvPair | undefined {
  const r = env.txn.store.read(key, ts, b);
  if (r.kind === 'locked') return { error: { locked: lockInfo(key, r.lock) } }; // TiKV leaves pair.key empty
  if (r.kind === 'none') return undefined;
  const pair: T.KvPair = keyOnly ? { key } : { key, value: r.value }; // protobuf-wise, key_only leaves value unset
  if (needTs) pair.commit_ts = wire(r.commitTs);
  return pair;
}

function pairsReply(env: CommandEnv, pairs: T.KvPair[]): Reply {
  const lockErr = env.wholeRequestLockErrors ? pairs.find((p) => p.error) : undefined;
  return lockErr ? { pairs: [lockErr], error: lockErr.error } : { pairs };
}

const KvGet: Command = (env, region, req: T.GetRequest) => {
  const key = req.key ?? empty;
  const bad = outside([key], region);
  if (bad) return bad;
  const r = env.txn.store.read(key, u64(req.version), bypass(req.context));
  if (r.kind === 'locked') return { error: { locked: lockInfo(key, r.lock) } };
  if (r.kind === 'none') return { not_found: true };
  return req.need_commit_ts ? { value: r.value, commit_ts: wire(r.commitTs) } : { value: r.value };
};

const KvBatchGet: Command = (env, region, req: T.BatchGetRequest) => {
  const keys = req.keys ?? [];
  const bad = outside(keys, region);
  if (bad) return bad;
  const b = bypass(req.context);
  const ts = u64(req.version);
  const pairs = keys.map((k) => readPair(env, k, ts, b, false, !!req.need_commit_ts)).filter((p): p is T.KvPair => !!p);
  return pairsReply(env, pairs);
};

/**
 * Forward: [start_key, min(end_key, region end)), start_key must be in the region. Reverse:
 * [max(end_key, region start), start_key) walked downwards (empty start_key = region end).
 * A locked key becomes an error pair and counts toward `limit`; limit 0 returns nothing (as TiKV).
 */
const KvScan: Command = (env, region, req: T.ScanRequest) => {
  const start = req.start_key ?? empty;
  const end = req.end_key ?? empty;
  const regionStart = decodeBound(region.start);
  const regionEnd = decodeBound(region.end);
  let keys: Buffer[];
  if (!req.reverse) {
    const bad = outside([start], region);
    if (bad) return bad;
    keys = env.txn.store.keysInRange(start, minRaw(end, regionEnd));
  } else {
    const upper = start.length === 0 ? regionEnd : start;
    const encUpper = encodeKey(upper);
    const fits = Buffer.compare(encUpper, region.start) > 0 && (region.end.length === 0 || Buffer.compare(encUpper, region.end) <= 0);
    if (start.length > 0 && !fits) return { region_error: keyNotInRegion(start, region) };
    keys = env.txn.store.keysInRange(maxRaw(end, regionStart), upper, true);
  }
  const limit = req.limit ?? 0;
  const ts = u64(req.version);
  const b = bypass(req.context);
  const pairs: T.KvPair[] = [];
  for (const key of keys) {
    if (pairs.length >= limit) break;
    const p = readPair(env, key, ts, b, !!req.key_only, false);
    if (p) pairs.push(p);
  }
  return pairsReply(env, pairs);
};

const KvPrewrite: Command = (env, region, req: T.PrewriteRequest) => {
  const mutations = req.mutations ?? [];
  const bad = outside(
    mutations.map((m) => m.key ?? empty),
    region,
  );
  if (bad) return bad;
  if (req.use_async_commit || req.try_one_pc) {
    return { errors: [{ abort: 'fake-tikv: async commit and 1PC are not modelled' }] };
  }
  const errors = env.txn.prewrite({
    mutations,
    primary: req.primary_lock ?? empty,
    startTs: u64(req.start_version),
    ttl: u64(req.lock_ttl),
    txnSize: u64(req.txn_size),
    minCommitTs: u64(req.min_commit_ts),
    skipConstraintCheck: !!req.skip_constraint_check,
  });
  return { errors };
};

const KvCommit: Command = (env, region, req: T.CommitRequest) => {
  const keys = req.keys ?? [];
  const bad = outside(keys, region);
  if (bad) return bad;
  const error = env.txn.commit(keys, u64(req.start_version), u64(req.commit_version));
  return error ? { error } : {};
};

const KvBatchRollback: Command = (env, region, req: T.BatchRollbackRequest) => {
  const keys = req.keys ?? [];
  const bad = outside(keys, region);
  if (bad) return bad;
  const error = env.txn.batchRollback(keys, u64(req.start_version));
  return error ? { error } : {};
};

const KvCheckTxnStatus: Command = (env, region, req: T.CheckTxnStatusRequest) => {
  const primary = req.primary_key ?? empty;
  const bad = outside([primary], region);
  if (bad) return bad;
  const s = env.txn.checkTxnStatus({
    primary,
    lockTs: u64(req.lock_ts),
    callerStartTs: u64(req.caller_start_ts),
    currentTs: u64(req.current_ts),
    rollbackIfNotExist: !!req.rollback_if_not_exist,
    verifyIsPrimary: !!req.verify_is_primary,
  });
  switch (s.kind) {
    case 'locked':
      return {
        lock_ttl: wire(s.lock.ttl),
        lock_info: lockInfo(primary, s.lock),
        action: s.pushed ? T.Action.MinCommitTSPushed : T.Action.NoAction,
      };
    case 'committed':
      return { commit_version: wire(s.commitTs), action: T.Action.NoAction };
    case 'rolled-back':
      return { action: T.Action.NoAction };
    case 'ttl-expire-rollback':
      return { action: T.Action.TTLExpireRollback };
    case 'lock-not-exist-rollback':
      return { action: T.Action.LockNotExistRollback };
    case 'error':
      return { error: s.error };
  }
};

/** txn_infos given: resolve those txns' locks in the region; else keys (lite) or the whole region for one txn. */
const KvResolveLock: Command = (env, region, req: T.ResolveLockRequest) => {
  const infos = req.txn_infos ?? [];
  const keys = infos.length > 0 ? [] : (req.keys ?? []);
  const bad = outside(keys, region);
  if (bad) return bad;
  const startTs = u64(req.start_version);
  const txns = new Map<bigint, bigint>(
    infos.length > 0 ? infos.map((i) => [u64(i.txn), u64(i.status)]) : [[startTs, u64(req.commit_version)]],
  );
  const error = env.txn.resolveLock({ txns, startTs, keys, start: decodeBound(region.start), end: decodeBound(region.end) });
  return error ? { error } : {};
};

const KvTxnHeartBeat: Command = (env, region, req: T.TxnHeartBeatRequest) => {
  const primary = req.primary_lock ?? empty;
  const bad = outside([primary], region);
  if (bad) return bad;
  const r = env.txn.heartBeat(primary, u64(req.start_version), u64(req.advise_lock_ttl));
  return r.error ? { error: r.error } : { lock_ttl: wire(r.ttl ?? 0n) };
};

const KvCleanup: Command = (env, region, req: T.CleanupRequest) => {
  const key = req.key ?? empty;
  const bad = outside([key], region);
  if (bad) return bad;
  const r = env.txn.cleanup(key, u64(req.start_version), u64(req.current_ts));
  if (r.error) return { error: r.error };
  return r.commitVersion !== undefined ? { commit_version: wire(r.commitVersion) } : {};
};

const KvScanLock: Command = (env, region, req: T.ScanLockRequest) => {
  const start = maxRaw(req.start_key ?? empty, decodeBound(region.start));
  const end = minRaw(req.end_key ?? empty, decodeBound(region.end));
  const maxVersion = u64(req.max_version);
  const limit = req.limit ?? 0;
  const locks: T.LockInfo[] = [];
  for (const key of env.txn.store.keysInRange(start, end)) {
    if (limit > 0 && locks.length >= limit) break;
    const lock = env.txn.store.lockOf(key);
    if (lock && lock.startTs <= maxVersion) locks.push(lockInfo(key, lock));
  }
  return { locks };
};

export const COMMANDS: Record<T.TikvMethod, Command> = {
  KvGet,
  KvBatchGet,
  KvScan,
  KvPrewrite,
  KvCommit,
  KvBatchRollback,
  KvCheckTxnStatus,
  KvResolveLock,
  KvTxnHeartBeat,
  KvCleanup,
  KvScanLock,
};
