export * from './call-ctx';
export * from './service-error';
export * from './blob-api';
export * from './metadata-api';
export * from './chunk-owner';
export * from './lifecycle/lifecycle-rules';
export * from './lifecycle/lifecycle-eval';
export * from './access-keys';
