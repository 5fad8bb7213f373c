import {
  buildAccelerateConfiguration,
  buildBucketLoggingStatus,
  buildNotificationConfiguration,
  buildRequestPaymentConfiguration,
  parseAccelerateConfiguration,
  parseBucketLoggingStatus,
  parseNotificationConfiguration,
  parseRequestPaymentConfiguration,
  S3Error,
} from '@massive/s3-protocol';
import { readSmallBody } from '../../http/small-body';
import { xmlResponse } from '../../http/xml-response';
import type { Handler, S3ApiDeps, S3Request } from '../../types';

/**
 * Bucket features this service does not offer (default encryption, static websites, replication, object
 * lock, access logging, event notifications, requester pays, transfer acceleration) are, on every bucket,
 * in the state S3 reports for a bucket that never had them configured, and their reads say so the way S3
 * does: tools that read a bucket's whole configuration (SDK-based inventory scripts, Terraform's bucket
 * refresh, `aws s3api get-bucket-*`) get S3's answers instead of 501. Setting one stays NotImplemented:
 * nothing here pretends to apply a setting. Setting logging, notifications, requester pays or
 * acceleration *off* succeeds, since every bucket already is (that is how tools remove them: Terraform
 * destroys `aws_s3_bucket_notification` with an empty configuration), and deleting one of the
 * configurations S3 lets you delete succeeds, as S3 answers a delete of one that is not there. A missing
 * bucket is NoSuchBucket first.
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

/** Small documents: a Payer, a Status, or (refused anyway) a logging or notification configuration. */
const MAX_FEATURE_XML = 64 * 1024;

export const putBucketLogging: Handler<'PutBucketLogging'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  if (parseBucketLoggingStatus(await readSmallBody(req, MAX_FEATURE_XML)).enabled) {
    throw new S3Error('NotImplemented', 'Server access logging is not supported by this service');
  }
  return { status: 200 };
};

export const putBucketNotificationConfiguration: Handler<'PutBucketNotificationConfiguration'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  if (!parseNotificationConfiguration(await readSmallBody(req, MAX_FEATURE_XML)).empty) {
    throw new S3Error('NotImplemented', 'Event notifications are not supported by this service');
  }
  return { status: 200 };
};

export const putBucketRequestPayment: Handler<'PutBucketRequestPayment'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  if (parseRequestPaymentConfiguration(await readSmallBody(req, MAX_FEATURE_XML)) !== 'BucketOwner') {
    throw new S3Error('NotImplemented', 'Requester Pays buckets are not supported by this service');
  }
  return { status: 200 };
};

export const putBucketAccelerateConfiguration: Handler<'PutBucketAccelerateConfiguration'> = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  if (parseAccelerateConfiguration(await readSmallBody(req, MAX_FEATURE_XML)) !== 'Suspended') {
    throw new S3Error('NotImplemented', 'Transfer Acceleration is not supported by this service');
  }
  return { status: 200 };
};
