export * from './cors-rules';
