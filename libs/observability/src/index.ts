export * from './logger';
export * from './request-id';
export * from './metrics';
export * from './limit-metrics';
export * from './disk-metrics';
export * from './settings';
export * from './admin-server';
export * from './service-lifecycle';
