export * from './errors';
export * from './routing';
