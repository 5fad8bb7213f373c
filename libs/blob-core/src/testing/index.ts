export * from './chunk-store-contract';
export * from './memory-chunk-store';
export * from './closing-stores';
