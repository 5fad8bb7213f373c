import {
  buildAccelerateConfiguration,
  buildBucketLoggingStatus,
  buildNotificationConfiguration,
  buildRequestPaymentConfiguration,
  S3Error,
} from '@massive/s3-protocol';
import { xmlResponse } from '../../http/xml-response';
import type { Handler, S3ApiDeps, S3Request } from '../../types';

/**
 * Bucket features this service does not offer (default encryption, static websites, replication, object
 * lock, access logging, event notifications, requester pays, transfer acceleration) are, on every bucket,
 * in the state S3 reports for a bucket that never had them configured, and their reads say so the way S3
 * does: tools that read a bucket's whole configuration (SDK-based inventory scripts, Terraform's bucket
 * refresh, `aws s3api get-bucket-*`) get S3's answers instead of 501. Their Puts stay NotImplemented:
 * nothing here pretends to apply a setting. Deleting one of the configurations S3 lets you delete
 * succeeds, as S3 answers a delete of one that is not there. A missing bucket is NoSuchBucket first.
 */
async function existing(bucket: string, req: S3Request, deps: S3ApiDeps): Promise<void> {
  await deps.metadata.getBucket({ name: bucket }, req.ctx);
}

/** No default encryption: objects are not encrypted at rest here, so claiming SSE-S3 (AWS's default) would be false. */
export const getBucketEncryption: Handler<'GetBucketEncryption'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  throw new S3Error('ServerSideEncryptionConfigurationNotFoundError', undefined, { BucketName: ep.bucket });
};

export const deleteBucketEncryption: Handler<'DeleteBucketEncryption'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  return { status: 204 };
};

export const getBucketWebsite: Handler<'GetBucketWebsite'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  throw new S3Error('NoSuchWebsiteConfiguration', undefined, { BucketName: ep.bucket });
};

export const deleteBucketWebsite: Handler<'DeleteBucketWebsite'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  return { status: 204 };
};

export const getBucketReplication: Handler<'GetBucketReplication'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  throw new S3Error('ReplicationConfigurationNotFoundError', undefined, { BucketName: ep.bucket });
};

export const deleteBucketReplication: Handler<'DeleteBucketReplication'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  return { status: 204 };
};

export const getObjectLockConfiguration: Handler<'GetObjectLockConfiguration'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  throw new S3Error('ObjectLockConfigurationNotFoundError', undefined, { BucketName: ep.bucket });
};

export const getBucketLogging: Handler<'GetBucketLogging'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  return xmlResponse(buildBucketLoggingStatus());
};

export const getBucketNotificationConfiguration: Handler<'GetBucketNotificationConfiguration'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  return xmlResponse(buildNotificationConfiguration());
};

export const getBucketRequestPayment: Handler<'GetBucketRequestPayment'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  return xmlResponse(buildRequestPaymentConfiguration());
};

export const getBucketAccelerateConfiguration: Handler<'GetBucketAccelerateConfiguration'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  return xmlResponse(buildAccelerateConfiguration());
};
