export * from './errors';
export * from './routing';
export * from './headers';
