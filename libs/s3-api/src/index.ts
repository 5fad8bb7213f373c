export * from './types';
export { createS3Api, type S3ApiOptions } from './server';
export { toS3Error, SERVICE_TO_S3 } from './errors/to-s3-error';
export { HANDLERS } from './handlers';
export { createS3Server, DEFAULT_SERVER_LIMITS, type S3Tls, type ServerLimits } from './limits/s3-server';
export type { MetricsAccess } from './http/metrics-access';
