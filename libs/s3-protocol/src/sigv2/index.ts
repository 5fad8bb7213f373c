export * from './verify-v2';
