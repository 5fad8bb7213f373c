export * from './kv-contract';
export * from './memory-kv';
