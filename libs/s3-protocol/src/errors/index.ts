export * from './s3-error-codes';
export * from './s3-error';
