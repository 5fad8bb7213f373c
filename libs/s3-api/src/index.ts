export * from './types';
export { createS3Api, type S3ApiOptions } from './server';
export { toS3Error, SERVICE_TO_S3 } from './errors/to-s3-error';
export { HANDLERS } from './handlers';
export { createS3Server, DEFAULT_SERVER_LIMITS, type ServerLimits } from './limits/s3-server';
export { createAdminApi, type AdminApiDeps, type AdminHandler } from './admin/admin-api';
export { KeyCache, type KeyCacheOptions, type RootKey } from './identity/key-cache';
export { SecretSealer, MASTER_KEY_BYTES } from './identity/secret-seal';
export { canonicalUserId } from './identity/canonical-id';
