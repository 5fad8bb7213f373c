/**
 * Wire shapes as @grpc/proto-loader hands them over with the loader options of `proto.ts`
 * (keepCase, longs: String, bytes: Buffer, enums: Number, defaults: false): u64 fields are decimal
 * strings, absent fields are undefined. Only the fields the fake reads or writes are listed.
 */
export type U64 = string;

export const Op = { Put: 0, Del: 1, Lock: 2, Rollback: 3, Insert: 4, PessimisticLock: 5, CheckNotExists: 6 } as const;
export const Action = { NoAction: 0, TTLExpireRollback: 1, LockNotExistRollback: 2, MinCommitTSPushed: 3 } as const;
export const ConflictReason = { Unknown: 0, Optimistic: 1, SelfRolledBack: 3 } as const;
export const PdErrorType = { OK: 0, UNKNOWN: 1, STORE_TOMBSTONE: 3, REGION_NOT_FOUND: 6 } as const;

export interface WirePeer { id?: U64; store_id?: U64; role?: number }
export interface WireEpoch { conf_ver?: U64; version?: U64 }
export interface WireRegion { id?: U64; start_key?: Buffer; end_key?: Buffer; region_epoch?: WireEpoch; peers?: WirePeer[] }
export interface WireContext {
  region_id?: U64;
  region_epoch?: WireEpoch;
  peer?: WirePeer;
  resolved_locks?: U64[];
  committed_locks?: U64[];
  /** kvrpcpb.DiskFullOpt (see DiskFullOpt); unset = NotAllowedOnFull. */
  disk_full_opt?: number;
}

/** kvrpcpb.DiskFullOpt */
export const DiskFullOpt = { NotAllowedOnFull: 0, AllowedOnAlmostFull: 1, AllowedOnAlreadyFull: 2 } as const;

export interface RegionError {
  message?: string;
  not_leader?: { region_id?: U64; leader?: WirePeer };
  region_not_found?: { region_id?: U64 };
  key_not_in_region?: { key?: Buffer; region_id?: U64; start_key?: Buffer; end_key?: Buffer };
  epoch_not_match?: { current_regions?: WireRegion[] };
  server_is_busy?: { reason?: string; backoff_ms?: U64 };
  stale_command?: Record<string, never>;
  store_not_match?: { request_store_id?: U64; actual_store_id?: U64 };
  mismatch_peer_id?: { request_peer_id?: U64; store_peer_id?: U64 };
  undetermined_result?: { message?: string };
  raft_entry_too_large?: { region_id?: U64; entry_size?: U64 };
  disk_full?: { store_id?: U64[]; reason?: string };
}

export interface LockInfo {
  primary_lock?: Buffer;
  lock_version?: U64;
  key?: Buffer;
  lock_ttl?: U64;
  txn_size?: U64;
  lock_type?: number;
  min_commit_ts?: U64;
}

export interface KeyError {
  locked?: LockInfo;
  retryable?: string;
  abort?: string;
  conflict?: { start_ts?: U64; conflict_ts?: U64; key?: Buffer; primary?: Buffer; conflict_commit_ts?: U64; reason?: number };
  already_exist?: { key?: Buffer };
  txn_not_found?: { start_ts?: U64; primary_key?: Buffer };
  commit_ts_expired?: { start_ts?: U64; attempted_commit_ts?: U64; key?: Buffer; min_commit_ts?: U64 };
  primary_mismatch?: { lock_info?: LockInfo };
  txn_lock_not_found?: { key?: Buffer };
}

export interface KvPair { error?: KeyError; key?: Buffer; value?: Buffer; commit_ts?: U64 }
export interface Mutation { op?: number; key?: Buffer; value?: Buffer; assertion?: number }

export interface GetRequest { context?: WireContext; key?: Buffer; version?: U64; need_commit_ts?: boolean }
export interface BatchGetRequest { context?: WireContext; keys?: Buffer[]; version?: U64; need_commit_ts?: boolean }
export interface ScanRequest {
  context?: WireContext;
  start_key?: Buffer;
  end_key?: Buffer;
  limit?: number;
  version?: U64;
  key_only?: boolean;
  reverse?: boolean;
}
export interface PrewriteRequest {
  context?: WireContext;
  mutations?: Mutation[];
  primary_lock?: Buffer;
  start_version?: U64;
  lock_ttl?: U64;
  skip_constraint_check?: boolean;
  txn_size?: U64;
  min_commit_ts?: U64;
  use_async_commit?: boolean;
  try_one_pc?: boolean;
}
export interface CommitRequest { context?: WireContext; start_version?: U64; keys?: Buffer[]; commit_version?: U64; primary_key?: Buffer }
export interface BatchRollbackRequest { context?: WireContext; start_version?: U64; keys?: Buffer[] }
export interface CheckTxnStatusRequest {
  context?: WireContext;
  primary_key?: Buffer;
  lock_ts?: U64;
  caller_start_ts?: U64;
  current_ts?: U64;
  rollback_if_not_exist?: boolean;
  verify_is_primary?: boolean;
}
export interface ResolveLockRequest {
  context?: WireContext;
  start_version?: U64;
  commit_version?: U64;
  txn_infos?: { txn?: U64; status?: U64 }[];
  keys?: Buffer[];
}
export interface TxnHeartBeatRequest { context?: WireContext; primary_lock?: Buffer; start_version?: U64; advise_lock_ttl?: U64 }
export interface CleanupRequest { context?: WireContext; key?: Buffer; start_version?: U64; current_ts?: U64 }
export interface ScanLockRequest { context?: WireContext; max_version?: U64; start_key?: Buffer; limit?: number; end_key?: Buffer }

/** The TiKV methods the fake serves (gRPC method names of `tikvpb.Tikv`). */
export const TIKV_METHODS = [
  'KvGet',
  'KvBatchGet',
  'KvScan',
  'KvPrewrite',
  'KvCommit',
  'KvBatchRollback',
  'KvCheckTxnStatus',
  'KvResolveLock',
  'KvTxnHeartBeat',
  'KvCleanup',
  'KvScanLock',
] as const;
export type TikvMethod = (typeof TIKV_METHODS)[number];

export const PD_METHODS = [
  'GetMembers',
  'Tso',
  'GetRegion',
  'GetPrevRegion',
  'GetRegionByID',
  'ScanRegions',
  'GetStore',
  'GetAllStores',
  'GetGCSafePoint',
  'UpdateGCSafePoint',
  'UpdateServiceGCSafePoint',
] as const;
export type PdMethod = (typeof PD_METHODS)[number];
