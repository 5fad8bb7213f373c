export { LmdbKv, type LmdbKvOptions } from './lmdb-kv';
