export * from './kv-contract';
