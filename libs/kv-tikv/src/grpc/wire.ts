/**
 * The wire shapes the client reads and writes, as proto-loader produces them with
 * `keepCase, longs: String, bytes: Buffer, enums: Number, defaults: false`: u64 fields are decimal
 * strings (converted to bigint at the edge), absent fields are undefined. Only what we use is typed.
 */
export type U64 = string;

export interface WPeer {
  id?: U64;
  store_id?: U64;
  role?: number;
}
export interface WRegionEpoch {
  conf_ver?: U64;
  version?: U64;
}
export interface WRegion {
  id?: U64;
  start_key?: Buffer;
  end_key?: Buffer;
  region_epoch?: WRegionEpoch;
  peers?: WPeer[];
}
export interface WStore {
  id?: U64;
  address?: string;
  state?: number;
}

// ---- pdpb ----
export interface PdRequestHeader {
  cluster_id: U64;
  sender_id?: U64;
}
export interface PdResponseHeader {
  cluster_id?: U64;
  error?: { type?: number; message?: string };
}
export interface WMember {
  name?: string;
  member_id?: U64;
  client_urls?: string[];
}
export interface GetMembersResponse {
  header?: PdResponseHeader;
  members?: WMember[];
  leader?: WMember;
}
export interface TsoResponse {
  header?: PdResponseHeader;
  count?: number;
  timestamp?: { physical?: U64; logical?: U64 };
}
export interface GetGcSafePointResponse {
  header?: PdResponseHeader;
  safe_point?: U64;
}
export interface UpdateGcSafePointResponse {
  header?: PdResponseHeader;
  new_safe_point?: U64;
}
export interface UpdateServiceGcSafePointResponse {
  header?: PdResponseHeader;
  service_id?: Buffer;
  TTL?: U64;
  min_safe_point?: U64;
}
export interface GetRegionResponse {
  header?: PdResponseHeader;
  region?: WRegion;
  leader?: WPeer;
}
export interface ScanRegionsResponse {
  header?: PdResponseHeader;
  region_metas?: WRegion[];
  leaders?: WPeer[];
  regions?: { region?: WRegion; leader?: WPeer }[];
}
export interface GetStoreResponse {
  header?: PdResponseHeader;
  store?: WStore;
}

// ---- errorpb / kvrpcpb ----
export interface RegionError {
  message?: string;
  not_leader?: { region_id?: U64; leader?: WPeer };
  region_not_found?: { region_id?: U64 };
  key_not_in_region?: { key?: Buffer; region_id?: U64; start_key?: Buffer; end_key?: Buffer };
  epoch_not_match?: { current_regions?: WRegion[] };
  server_is_busy?: { reason?: string; backoff_ms?: U64 };
  stale_command?: object;
  store_not_match?: { request_store_id?: U64; actual_store_id?: U64 };
  raft_entry_too_large?: { region_id?: U64; entry_size?: U64 };
  max_timestamp_not_synced?: object;
  read_index_not_ready?: object;
  proposal_in_merging_mode?: object;
  data_is_not_ready?: object;
  region_not_initialized?: object;
  /** The stores below their reserved space that refused the write (errorpb.DiskFull). */
  disk_full?: { store_id?: U64[]; reason?: string };
  mismatch_peer_id?: object;
  undetermined_result?: { message?: string };
}

export interface WContext {
  region_id: U64;
  region_epoch: { conf_ver: U64; version: U64 };
  peer: { id: U64; store_id: U64 };
  max_execution_duration_ms?: U64;
  resolved_locks?: U64[];
  /** kvrpcpb.APIVersion: V1 = 0 (what this client speaks), V1TTL = 1, V2 = 2. */
  api_version?: number;
  /** kvrpcpb.DiskFullOpt (see DiskFullOpt); unset = NotAllowedOnFull. */
  disk_full_opt?: DiskFullOptCode;
}

/**
 * kvrpcpb.DiskFullOpt: which writes a store accepts once its free space is below
 * `storage.reserve-space` ("almost full"). Default NotAllowedOnFull; AllowedOnAlmostFull lets a
 * write that frees space use the reserve (TiKV refuses every write once the disk is "already full").
 */
export const DiskFullOpt = { NotAllowedOnFull: 0, AllowedOnAlmostFull: 1, AllowedOnAlreadyFull: 2 } as const;
export type DiskFullOptCode = (typeof DiskFullOpt)[keyof typeof DiskFullOpt];

export interface WLockInfo {
  primary_lock?: Buffer;
  lock_version?: U64;
  key?: Buffer;
  lock_ttl?: U64;
  txn_size?: U64;
  lock_type?: number;
  min_commit_ts?: U64;
  use_async_commit?: boolean;
}

export interface KeyError {
  locked?: WLockInfo;
  retryable?: string;
  abort?: string;
  conflict?: { start_ts?: U64; conflict_ts?: U64; key?: Buffer; primary?: Buffer; conflict_commit_ts?: U64; reason?: number };
  already_exist?: { key?: Buffer };
  commit_ts_expired?: { start_ts?: U64; attempted_commit_ts?: U64; min_commit_ts?: U64 };
  txn_not_found?: { start_ts?: U64; primary_key?: Buffer };
  commit_ts_too_large?: object;
  assertion_failed?: object;
  primary_mismatch?: object;
  txn_lock_not_found?: { key?: Buffer };
}

export interface WKvPair {
  error?: KeyError;
  key?: Buffer;
  value?: Buffer;
}

/** Every TiKV response carries an optional region error in field 1. */
export interface TikvResponse {
  region_error?: RegionError;
}
export interface GetResponse extends TikvResponse {
  error?: KeyError;
  value?: Buffer;
  not_found?: boolean;
}
export interface BatchGetResponse extends TikvResponse {
  pairs?: WKvPair[];
  error?: KeyError;
}
export interface ScanResponse extends TikvResponse {
  pairs?: WKvPair[];
  error?: KeyError;
}
export interface ScanLockResponse extends TikvResponse {
  error?: KeyError;
  locks?: WLockInfo[];
}
export interface PrewriteResponse extends TikvResponse {
  errors?: KeyError[];
}
export interface CommitResponse extends TikvResponse {
  error?: KeyError;
  commit_version?: U64;
}
export interface SimpleResponse extends TikvResponse {
  error?: KeyError;
}
export interface TxnHeartBeatResponse extends TikvResponse {
  error?: KeyError;
  lock_ttl?: U64;
}
export interface CheckTxnStatusResponse extends TikvResponse {
  error?: KeyError;
  lock_ttl?: U64;
  commit_version?: U64;
  action?: number;
  lock_info?: WLockInfo;
}

/** kvrpcpb.Op */
export const Op = { Put: 0, Del: 1, Lock: 2, Rollback: 3, Insert: 4 } as const;
export type OpCode = (typeof Op)[keyof typeof Op];

export interface WMutation {
  op: OpCode;
  key: Buffer;
  value?: Buffer;
}

/** The TiKV methods the client calls (gRPC paths /tikvpb.Tikv/<name>). */
export type TikvMethod =
  | 'KvGet'
  | 'KvBatchGet'
  | 'KvScan'
  | 'KvPrewrite'
  | 'KvCommit'
  | 'KvBatchRollback'
  | 'KvCheckTxnStatus'
  | 'KvResolveLock'
  | 'KvTxnHeartBeat'
  | 'KvScanLock';

export type PdMethod =
  | 'GetMembers'
  | 'GetRegion'
  | 'GetPrevRegion'
  | 'GetRegionByID'
  | 'ScanRegions'
  | 'GetStore'
  | 'GetGCSafePoint'
  | 'UpdateGCSafePoint'
  | 'UpdateServiceGCSafePoint';
