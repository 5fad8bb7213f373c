import type { KeyError, WLockInfo } from '../grpc/wire';
import { fromU64, physicalMsOf } from '../pd/timestamp';

/** A lock met by a read or a prewrite (kvrpcpb.LockInfo, decoded). */
export interface Lock {
  readonly key: Buffer;
  readonly primary: Buffer;
  /** The locking transaction's start_ts. */
  readonly txnId: bigint;
  readonly ttlMs: bigint;
  readonly txnSize: bigint;
  readonly useAsyncCommit: boolean;
}

export function lockFromWire(w: WLockInfo): Lock {
  return {
    key: w.key ?? Buffer.alloc(0),
    primary: w.primary_lock ?? Buffer.alloc(0),
    txnId: fromU64(w.lock_version),
    ttlMs: fromU64(w.lock_ttl),
    txnSize: fromU64(w.txn_size),
    useAsyncCommit: w.use_async_commit === true,
  };
}

/** Milliseconds until `lock` expires as TiKV judges it (lock.ts.physical + ttl vs current_ts.physical). */
export function msUntilExpiry(lock: Lock, currentTs: bigint): number {
  return physicalMsOf(lock.txnId) + Number(lock.ttlMs) - physicalMsOf(currentTs);
}

/** A KeyError we cannot handle where it occurred, as an Error with TiKV's wording. */
export function keyErrorToError(e: KeyError, what: string): Error {
  const detail =
    e.abort ||
    e.retryable ||
    (e.conflict && 'write conflict') ||
    (e.already_exist && 'key already exists') ||
    (e.txn_not_found && 'txn not found') ||
    (e.txn_lock_not_found && 'txn lock not found') ||
    (e.commit_ts_expired && 'commit ts expired') ||
    (e.locked && 'key is locked') ||
    JSON.stringify(Object.keys(e));
  return new Error(`${what}: ${detail}`);
}
