import {
  buildAccelerateConfiguration,
  buildEmptyConfigurationList,
  type ConfigurationFamily,
  buildNotificationConfiguration,
  buildRequestPaymentConfiguration,
  parseAccelerateConfiguration,
  parseNotificationConfiguration,
  parseRequestPaymentConfiguration,
  S3Error,
  type S3ErrorCode,
} from '@massive/s3-protocol';
import { readSmallBody } from '../../http/small-body';
import { xmlResponse } from '../../http/xml-response';
import type { Handler, S3ApiDeps, S3Request, S3Response } from '../../types';

/**
 * Bucket features this service does not offer (replication, event notifications, requester pays,
 * transfer acceleration) are, on every bucket, in the state S3 reports
 * for a bucket that never had them configured, and their reads say so the way S3 does: tools that read a
 * bucket's whole configuration (SDK-based inventory scripts, Terraform's bucket refresh, `aws s3api
 * get-bucket-*`) get S3's answers instead of 501. Setting one stays NotImplemented: nothing here pretends
 * to apply a setting. Setting notifications, requester pays or acceleration *off* succeeds, since
 * every bucket already is (that is how tools remove them: Terraform destroys `aws_s3_bucket_notification`
 * with an empty configuration), and deleting one of the configurations S3 lets you delete succeeds, as S3
 * answers a delete of one that is not there. A missing bucket is NoSuchBucket first. (Default encryption
 * is served: put-/get-/delete-bucket-encryption.ts; so are Object Lock, static websites (bucket-website.ts)
 * and server access logging (bucket-logging.ts).)
 */
/** These handlers need only the bucket's name from their endpoint (all are bucket endpoints). */
type BucketHandler = (ep: { readonly bucket: string }, req: S3Request, deps: S3ApiDeps) => Promise<S3Response>;

async function existing(bucket: string, req: S3Request, deps: S3ApiDeps): Promise<void> {
  await deps.metadata.getBucket({ name: bucket }, req.ctx);
}

/** A read S3 answers with a 404 of its own for a bucket without the feature. */
function notConfigured(code: S3ErrorCode): BucketHandler {
  return async (ep, req, deps) => {
    await existing(ep.bucket, req, deps);
    throw new S3Error(code, undefined, { BucketName: ep.bucket });
  };
}

/** A read S3 answers with a document for a bucket without the feature. */
function unconfiguredDocument(build: () => string): BucketHandler {
  return async (ep, req, deps) => {
    await existing(ep.bucket, req, deps);
    return xmlResponse(build());
  };
}

/** Deleting a configuration that is not there: 204, as S3. */
const deleted: BucketHandler = async (ep, req, deps) => {
  await existing(ep.bucket, req, deps);
  return { status: 204 };
};

/** Small documents: a Payer, a Status, or (refused anyway) a notification configuration. */
const MAX_FEATURE_XML = 64 * 1024;

/** A Put that may only set its feature off (what the bucket already is): 200, or NotImplemented for on. */
function offOnly(isOff: (body: Buffer) => boolean, refused: string): BucketHandler {
  return async (ep, req, deps) => {
    await existing(ep.bucket, req, deps);
    if (!isOff(await readSmallBody(req, MAX_FEATURE_XML))) throw new S3Error('NotImplemented', `${refused} not supported by this service`);
    return { status: 200 };
  };
}

export const getBucketReplication: Handler<'GetBucketReplication'> = notConfigured('ReplicationConfigurationNotFoundError');
export const deleteBucketReplication: Handler<'DeleteBucketReplication'> = deleted;

export const getBucketNotificationConfiguration: Handler<'GetBucketNotificationConfiguration'> = unconfiguredDocument(buildNotificationConfiguration);
export const getBucketRequestPayment: Handler<'GetBucketRequestPayment'> = unconfiguredDocument(buildRequestPaymentConfiguration);
export const getBucketAccelerateConfiguration: Handler<'GetBucketAccelerateConfiguration'> = unconfiguredDocument(buildAccelerateConfiguration);

export const putBucketNotificationConfiguration: Handler<'PutBucketNotificationConfiguration'> = offOnly(
  (b) => parseNotificationConfiguration(b).empty,
  'Event notifications are',
);
export const putBucketRequestPayment: Handler<'PutBucketRequestPayment'> = offOnly(
  (b) => parseRequestPaymentConfiguration(b) === 'BucketOwner',
  'Requester Pays buckets are',
);
export const putBucketAccelerateConfiguration: Handler<'PutBucketAccelerateConfiguration'> = offOnly(
  (b) => parseAccelerateConfiguration(b) === 'Suspended',
  'Transfer Acceleration is',
);

/**
 * Analytics, inventory, metrics and Intelligent-Tiering configurations: a bucket may hold several, each
 * named by an id. None is ever set here (their Puts stay NotImplemented), so a Get or Delete names one
 * the bucket does not have, 404 NoSuchConfiguration as S3 answers it, and a List is empty. Tools that
 * walk a bucket's whole configuration then get S3's answers instead of 501.
 */
function noSuchConfiguration(): BucketHandler {
  return async (ep, req, deps) => {
    await existing(ep.bucket, req, deps);
    throw new S3Error('NoSuchConfiguration');
  };
}

function emptyList(family: ConfigurationFamily): BucketHandler {
  return unconfiguredDocument(() => buildEmptyConfigurationList(family));
}

export const getBucketAnalyticsConfiguration: Handler<'GetBucketAnalyticsConfiguration'> = noSuchConfiguration();
export const deleteBucketAnalyticsConfiguration: Handler<'DeleteBucketAnalyticsConfiguration'> = noSuchConfiguration();
export const listBucketAnalyticsConfigurations: Handler<'ListBucketAnalyticsConfigurations'> = emptyList('analytics');
export const getBucketInventoryConfiguration: Handler<'GetBucketInventoryConfiguration'> = noSuchConfiguration();
export const deleteBucketInventoryConfiguration: Handler<'DeleteBucketInventoryConfiguration'> = noSuchConfiguration();
export const listBucketInventoryConfigurations: Handler<'ListBucketInventoryConfigurations'> = emptyList('inventory');
export const getBucketMetricsConfiguration: Handler<'GetBucketMetricsConfiguration'> = noSuchConfiguration();
export const deleteBucketMetricsConfiguration: Handler<'DeleteBucketMetricsConfiguration'> = noSuchConfiguration();
export const listBucketMetricsConfigurations: Handler<'ListBucketMetricsConfigurations'> = emptyList('metrics');
export const getBucketIntelligentTieringConfiguration: Handler<'GetBucketIntelligentTieringConfiguration'> = noSuchConfiguration();
export const deleteBucketIntelligentTieringConfiguration: Handler<'DeleteBucketIntelligentTieringConfiguration'> = noSuchConfiguration();
export const listBucketIntelligentTieringConfigurations: Handler<'ListBucketIntelligentTieringConfigurations'> = emptyList('intelligentTiering');
