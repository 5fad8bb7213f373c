export * from './chunk-store';
export * from './blob-metrics';
export { BlobService, DEFAULT_CHUNK_SIZE, DEFAULT_READ_PIECE_SIZE, DEFAULT_WRITES_IN_FLIGHT, type BlobServiceOptions } from './blob-service';
export { LocalDiskStore, type LocalDiskStoreOptions } from './local-disk-store';
export { ext4MountOf, ext4WithoutJournalWarning, warnIfExt4WithoutJournal, type Ext4Mount, type Ext4ProbeOptions } from './fs-journal';
export { ReadBufferPool, sharedReadBuffers } from './read-buffers';
export { formatChunkId, parseChunkId, type ParsedChunkId } from './chunk-id';
export { claimReplicaIdentity, REPLICA_FILE, ReplicaIdentityError, type ReplicaIdentity } from './replica-identity';
export { CHUNK_FORMAT_VERSION, DEFAULT_BLOCK_SIZE } from './chunk-format';
