export * from './endpoints';
export * from './parse-endpoint';
