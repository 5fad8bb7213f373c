/**
 * S3's IAM actions (the Service Authorization Reference, `s3:` prefix) and the resource type each applies
 * to: `object` (arn:aws:s3:::bucket/key), `bucket` (arn:aws:s3:::bucket) or `account` (no bucket: these
 * can never apply in a bucket policy). A policy's action must match at least one of them ("Policy has
 * invalid action"), and each action must apply to one of its statement's resources.
 */
export type ActionResourceType = 'object' | 'bucket' | 'account';

const OBJECT_ACTIONS = [
  'AbortMultipartUpload', 'BypassGovernanceRetention', 'DeleteObject', 'DeleteObjectTagging', 'DeleteObjectVersion',
  'DeleteObjectVersionTagging', 'GetObject', 'GetObjectAcl', 'GetObjectAttributes', 'GetObjectLegalHold',
  'GetObjectRetention', 'GetObjectTagging', 'GetObjectTorrent', 'GetObjectVersion', 'GetObjectVersionAcl',
  'GetObjectVersionAttributes', 'GetObjectVersionForReplication', 'GetObjectVersionTagging', 'GetObjectVersionTorrent',
  'InitiateReplication', 'ListMultipartUploadParts', 'ObjectOwnerOverrideToBucketOwner', 'PutObject', 'PutObjectAcl',
  'PutObjectLegalHold', 'PutObjectRetention', 'PutObjectTagging', 'PutObjectVersionAcl', 'PutObjectVersionTagging',
  'ReplicateDelete', 'ReplicateObject', 'ReplicateTags', 'RestoreObject', 'RenameObject',
] as const;

const BUCKET_ACTIONS = [
  'CreateBucket', 'DeleteBucket', 'DeleteBucketOwnershipControls', 'DeleteBucketPolicy', 'DeleteBucketWebsite',
  'GetAccelerateConfiguration', 'GetAnalyticsConfiguration', 'GetBucketAcl', 'GetBucketCORS', 'GetBucketLocation',
  'GetBucketLogging', 'GetBucketNotification', 'GetBucketObjectLockConfiguration', 'GetBucketOwnershipControls',
  'GetBucketPolicy', 'GetBucketPolicyStatus', 'GetBucketPublicAccessBlock', 'GetBucketRequestPayment',
  'GetBucketTagging', 'GetBucketVersioning', 'GetBucketWebsite', 'GetEncryptionConfiguration',
  'GetIntelligentTieringConfiguration', 'GetInventoryConfiguration', 'GetLifecycleConfiguration',
  'GetMetricsConfiguration', 'GetReplicationConfiguration', 'ListBucket', 'ListBucketMultipartUploads',
  'ListBucketVersions', 'PutAccelerateConfiguration', 'PutAnalyticsConfiguration', 'PutBucketAcl', 'PutBucketCORS',
  'PutBucketLogging', 'PutBucketNotification', 'PutBucketObjectLockConfiguration', 'PutBucketOwnershipControls',
  'PutBucketPolicy', 'PutBucketPublicAccessBlock', 'PutBucketRequestPayment', 'PutBucketTagging', 'PutBucketVersioning',
  'PutBucketWebsite', 'PutEncryptionConfiguration', 'PutIntelligentTieringConfiguration', 'PutInventoryConfiguration',
  'PutLifecycleConfiguration', 'PutMetricsConfiguration', 'PutReplicationConfiguration', 'GetBucketMetadataTableConfiguration',
  'CreateBucketMetadataTableConfiguration', 'DeleteBucketMetadataTableConfiguration',
] as const;

const ACCOUNT_ACTIONS = [
  'ListAllMyBuckets', 'GetAccountPublicAccessBlock', 'PutAccountPublicAccessBlock', 'ListAccessPoints', 'CreateJob',
  'ListJobs', 'ListStorageLensConfigurations', 'PutStorageLensConfiguration', 'GetStorageLensConfiguration',
  'ListAccessGrantsInstances', 'CreateAccessPoint', 'ListMultiRegionAccessPoints',
] as const;

export type S3ObjectAction = (typeof OBJECT_ACTIONS)[number];
export type S3BucketAction = (typeof BUCKET_ACTIONS)[number];
/** An S3 action name without the `s3:` prefix. */
export type S3ActionName = S3ObjectAction | S3BucketAction | (typeof ACCOUNT_ACTIONS)[number];

/** `s3:GetObject` → 'object', …: every known action with its resource type. */
export const S3_ACTIONS: ReadonlyMap<string, ActionResourceType> = new Map<string, ActionResourceType>([
  ...OBJECT_ACTIONS.map((a) => [`s3:${a}`, 'object'] as const),
  ...BUCKET_ACTIONS.map((a) => [`s3:${a}`, 'bucket'] as const),
  ...ACCOUNT_ACTIONS.map((a) => [`s3:${a}`, 'account'] as const),
]);
