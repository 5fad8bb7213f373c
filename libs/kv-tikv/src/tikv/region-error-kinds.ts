/** The variants of kvproto's errorpb.Error a region error may carry: the `kind` label of tikv_region_errors_total. */
export const REGION_ERROR_KINDS = [
  'not_leader',
  'epoch_not_match',
  'region_not_found',
  'key_not_in_region',
  'server_is_busy',
  'stale_command',
  'store_not_match',
  'mismatch_peer_id',
  'raft_entry_too_large',
  'max_timestamp_not_synced',
  'read_index_not_ready',
  'proposal_in_merging_mode',
  'data_is_not_ready',
  'region_not_initialized',
  'disk_full',
  'undetermined_result',
  'other',
] as const;
export type RegionErrorKind = (typeof REGION_ERROR_KINDS)[number];
