export * from './range';
export * from './conditions';
