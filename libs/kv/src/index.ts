export * from './kv';
export { WriteBuffer, mergeScan, keyString } from './write-buffer';
