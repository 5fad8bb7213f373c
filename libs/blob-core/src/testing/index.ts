export * from './chunk-store-contract';
export * from './memory-chunk-store';
