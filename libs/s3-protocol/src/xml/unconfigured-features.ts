import { XmlWriter } from './xml-writer';

/**
 * The answers S3 gives for bucket features that have never been configured, for those whose "not
 * configured" is a document rather than a 404 error. We serve none of these features, so every bucket is
 * in that state: server access logging off, no event notifications, the bucket owner pays, no transfer
 * acceleration. (The features whose absence S3 reports as an error, encryption, website, replication and
 * object lock, answer their 404 codes instead: s3-error-codes.ts.)
 */

/** GetBucketLogging with logging off: an empty `<BucketLoggingStatus/>`. */
export function buildBucketLoggingStatus(): string {
  return new XmlWriter('BucketLoggingStatus').end();
}

/** GetBucketNotificationConfiguration with no notifications: an empty `<NotificationConfiguration/>`. */
export function buildNotificationConfiguration(): string {
  return new XmlWriter('NotificationConfiguration').end();
}

/** GetBucketRequestPayment: `<Payer>BucketOwner</Payer>` (requester-pays buckets are not served). */
export function buildRequestPaymentConfiguration(): string {
  return new XmlWriter('RequestPaymentConfiguration').text('Payer', 'BucketOwner').end();
}

/** GetBucketAccelerateConfiguration of a bucket whose acceleration was never set: no `<Status>`. */
export function buildAccelerateConfiguration(): string {
  return new XmlWriter('AccelerateConfiguration').end();
}
