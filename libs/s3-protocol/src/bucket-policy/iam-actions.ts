import type { Endpoint, EndpointName } from '../routing';
import type { S3ActionName } from './s3-actions';

/**
 * The IAM action each endpoint is authorised as (AWS's "Actions, resources, and condition keys for Amazon
 * S3"), and, where the request names a version (`?versionId=`), the `…Version…` action instead. Several
 * operations share an action: every multipart step is s3:PutObject, HeadBucket and both listings are
 * s3:ListBucket, a Delete of a sub-resource is its Put (DeleteBucketCors is s3:PutBucketCORS).
 */
interface ActionRule {
  readonly action: S3ActionName;
  readonly versioned?: S3ActionName;
}

const A = (action: S3ActionName, versioned?: S3ActionName): ActionRule => (versioned ? { action, versioned } : { action });

export const ENDPOINT_ACTIONS: Readonly<Record<Exclude<EndpointName, 'Unsupported'>, ActionRule>> = {
  ListBuckets: A('ListAllMyBuckets'),
  CreateBucket: A('CreateBucket'),
  HeadBucket: A('ListBucket'),
  DeleteBucket: A('DeleteBucket'),
  GetBucketLocation: A('GetBucketLocation'),
  GetBucketVersioning: A('GetBucketVersioning'),
  PutBucketVersioning: A('PutBucketVersioning'),
  ListObjects: A('ListBucket'),
  ListObjectsV2: A('ListBucket'),
  ListObjectVersions: A('ListBucketVersions'),
  ListMultipartUploads: A('ListBucketMultipartUploads'),
  // Checked per key (each key's s3:DeleteObject / s3:DeleteObjectVersion) by the handler.
  DeleteObjects: A('DeleteObject', 'DeleteObjectVersion'),
  GetObject: A('GetObject', 'GetObjectVersion'),
  HeadObject: A('GetObject', 'GetObjectVersion'),
  PutObject: A('PutObject'),
  // The source is checked as s3:GetObject / s3:GetObjectVersion on its own bucket too.
  CopyObject: A('PutObject'),
  DeleteObject: A('DeleteObject', 'DeleteObjectVersion'),
  CreateMultipartUpload: A('PutObject'),
  CompleteMultipartUpload: A('PutObject'),
  AbortMultipartUpload: A('AbortMultipartUpload'),
  ListParts: A('ListMultipartUploadParts'),
  UploadPart: A('PutObject'),
  UploadPartCopy: A('PutObject'),
  GetBucketTagging: A('GetBucketTagging'),
  PutBucketTagging: A('PutBucketTagging'),
  DeleteBucketTagging: A('PutBucketTagging'),
  GetObjectTagging: A('GetObjectTagging', 'GetObjectVersionTagging'),
  PutObjectTagging: A('PutObjectTagging', 'PutObjectVersionTagging'),
  DeleteObjectTagging: A('DeleteObjectTagging', 'DeleteObjectVersionTagging'),
  GetObjectAttributes: A('GetObjectAttributes', 'GetObjectVersionAttributes'),
  PostObject: A('PutObject'),
  PutBucketCors: A('PutBucketCORS'),
  GetBucketCors: A('GetBucketCORS'),
  DeleteBucketCors: A('PutBucketCORS'),
  GetBucketAcl: A('GetBucketAcl'),
  PutBucketAcl: A('PutBucketAcl'),
  GetObjectAcl: A('GetObjectAcl', 'GetObjectVersionAcl'),
  PutObjectAcl: A('PutObjectAcl', 'PutObjectVersionAcl'),
  GetBucketOwnershipControls: A('GetBucketOwnershipControls'),
  PutBucketOwnershipControls: A('PutBucketOwnershipControls'),
  DeleteBucketOwnershipControls: A('PutBucketOwnershipControls'),
  GetPublicAccessBlock: A('GetBucketPublicAccessBlock'),
  PutPublicAccessBlock: A('PutBucketPublicAccessBlock'),
  DeletePublicAccessBlock: A('PutBucketPublicAccessBlock'),
  GetBucketLifecycleConfiguration: A('GetLifecycleConfiguration'),
  PutBucketLifecycleConfiguration: A('PutLifecycleConfiguration'),
  DeleteBucketLifecycle: A('PutLifecycleConfiguration'),
  GetBucketPolicy: A('GetBucketPolicy'),
  PutBucketPolicy: A('PutBucketPolicy'),
  DeleteBucketPolicy: A('DeleteBucketPolicy'),
  GetBucketPolicyStatus: A('GetBucketPolicyStatus'),
  PutBucketEncryption: A('PutEncryptionConfiguration'),
  GetBucketEncryption: A('GetEncryptionConfiguration'),
  DeleteBucketEncryption: A('PutEncryptionConfiguration'),
  PutBucketWebsite: A('PutBucketWebsite'),
  GetBucketWebsite: A('GetBucketWebsite'),
  DeleteBucketWebsite: A('DeleteBucketWebsite'),
  GetBucketReplication: A('GetReplicationConfiguration'),
  DeleteBucketReplication: A('PutReplicationConfiguration'),
  GetObjectLockConfiguration: A('GetBucketObjectLockConfiguration'),
  PutObjectLockConfiguration: A('PutBucketObjectLockConfiguration'),
  GetObjectRetention: A('GetObjectRetention'),
  PutObjectRetention: A('PutObjectRetention'),
  GetObjectLegalHold: A('GetObjectLegalHold'),
  PutObjectLegalHold: A('PutObjectLegalHold'),
  GetBucketLogging: A('GetBucketLogging'),
  GetBucketNotificationConfiguration: A('GetBucketNotification'),
  GetBucketRequestPayment: A('GetBucketRequestPayment'),
  GetBucketAccelerateConfiguration: A('GetAccelerateConfiguration'),
  PutBucketLogging: A('PutBucketLogging'),
  PutBucketNotificationConfiguration: A('PutBucketNotification'),
  PutBucketRequestPayment: A('PutBucketRequestPayment'),
  PutBucketAccelerateConfiguration: A('PutAccelerateConfiguration'),
  // AWS authorizes a List with the Get action and a Delete with the Put action (the Service Authorization Reference).
  GetBucketAnalyticsConfiguration: A('GetAnalyticsConfiguration'),
  ListBucketAnalyticsConfigurations: A('GetAnalyticsConfiguration'),
  DeleteBucketAnalyticsConfiguration: A('PutAnalyticsConfiguration'),
  GetBucketInventoryConfiguration: A('GetInventoryConfiguration'),
  ListBucketInventoryConfigurations: A('GetInventoryConfiguration'),
  DeleteBucketInventoryConfiguration: A('PutInventoryConfiguration'),
  GetBucketMetricsConfiguration: A('GetMetricsConfiguration'),
  ListBucketMetricsConfigurations: A('GetMetricsConfiguration'),
  DeleteBucketMetricsConfiguration: A('PutMetricsConfiguration'),
  GetBucketIntelligentTieringConfiguration: A('GetIntelligentTieringConfiguration'),
  ListBucketIntelligentTieringConfigurations: A('GetIntelligentTieringConfiguration'),
  DeleteBucketIntelligentTieringConfiguration: A('PutIntelligentTieringConfiguration'),
};

export interface IamRequest {
  /** `s3:GetObject`, … */
  readonly action: string;
  /** `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`. */
  readonly resource: string;
  /**
   * The keys are in the body (DeleteObjects, PostObject): the action is checked per key, with the object's
   * ARN, once they are known; `resource` is only the bucket.
   */
  readonly perKey?: true;
}

const PER_KEY: ReadonlySet<EndpointName> = new Set(['DeleteObjects', 'PostObject']);

/** The ARN of a bucket, or of an object in it. */
export function s3Arn(bucket: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

/**
 * The action and resource a request is authorised as; undefined for endpoints no bucket policy can speak
 * to (ListBuckets, Unsupported). `versionId` is the request's `?versionId=` when it has one.
 */
export function iamRequestOf(ep: Endpoint, versionId?: string | null): IamRequest | undefined {
  if (ep.name === 'Unsupported' || ep.name === 'ListBuckets') return undefined;
  const rule = ENDPOINT_ACTIONS[ep.name];
  const name = versionId != null && rule.versioned ? rule.versioned : rule.action;
  if (PER_KEY.has(ep.name)) return { action: `s3:${name}`, resource: s3Arn(ep.bucket), perKey: true };
  return { action: `s3:${name}`, resource: s3Arn(ep.bucket, 'key' in ep ? ep.key : undefined) };
}
