export * from './kv';
