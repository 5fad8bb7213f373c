export { DEFAULT_MAP_SIZE, LmdbKv, type LmdbKvOptions } from './lmdb-kv';
export { tolerateOrphanLmdbCommitFailures } from './orphan-commit-failures';
