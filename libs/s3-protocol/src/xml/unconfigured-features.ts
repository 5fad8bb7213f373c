import { assertContainer, leafText, malformedXml, readXmlDocument } from './xml-reader';
import { XmlWriter } from './xml-writer';

/**
 * The answers S3 gives for bucket features that have never been configured, for those whose "not
 * configured" is a document rather than a 404 error. We serve none of these features, so every bucket is
 * in that state: no event notifications, the bucket owner pays, no transfer acceleration. (The features
 * whose absence S3 reports as an error, website, replication and object lock, answer their 404 codes
 * instead: s3-error-codes.ts. Default encryption and server access logging are served: bucket-encryption.ts,
 * bucket-logging.ts.)
 */

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

/**
 * The root element of each List answer of the configurations a bucket may hold several of, by id (S3 API
 * Reference, ListBucket*Configurations: the names differ from one to the next).
 */
export const CONFIGURATION_LIST_ROOTS = {
  analytics: 'ListBucketAnalyticsConfigurationResult',
  inventory: 'ListInventoryConfigurationsResult',
  metrics: 'ListMetricsConfigurationsResult',
  intelligentTiering: 'ListBucketIntelligentTieringConfigurationsOutput',
} as const;

export type ConfigurationFamily = keyof typeof CONFIGURATION_LIST_ROOTS;

/** A List of a family of configurations of a bucket that has none: complete (`IsTruncated` false) and empty. */
export function buildEmptyConfigurationList(family: ConfigurationFamily): string {
  return new XmlWriter(CONFIGURATION_LIST_ROOTS[family]).text('IsTruncated', 'false').end();
}

/**
 * The bodies that set those features, parsed strictly (MalformedXML otherwise) only as far as telling
 * "off" from "on": setting one off is what we already are (and what tools send to remove one); on is
 * the handler's NotImplemented.
 */

/** `<root><element>one of choices</element></root>`, nothing else. */
function singleChoice<C extends string>(body: string | Uint8Array, rootName: string, element: string, choices: readonly C[]): C {
  const root = readXmlDocument(body, rootName);
  assertContainer(root);
  const [el, ...rest] = root.children;
  if (el?.name !== element || rest.length > 0) throw malformedXml();
  const value = leafText(el).trim();
  if (!(choices as readonly string[]).includes(value)) throw malformedXml();
  return value as C;
}

/** PutBucketRequestPayment: `<RequestPaymentConfiguration><Payer>BucketOwner|Requester</Payer>`. */
export function parseRequestPaymentConfiguration(body: string | Uint8Array): 'BucketOwner' | 'Requester' {
  return singleChoice(body, 'RequestPaymentConfiguration', 'Payer', ['BucketOwner', 'Requester'] as const);
}

/** PutBucketAccelerateConfiguration: `<AccelerateConfiguration><Status>Enabled|Suspended</Status>`. */
export function parseAccelerateConfiguration(body: string | Uint8Array): 'Enabled' | 'Suspended' {
  return singleChoice(body, 'AccelerateConfiguration', 'Status', ['Enabled', 'Suspended'] as const);
}

const NOTIFICATION_ELEMENTS = new Set(['TopicConfiguration', 'QueueConfiguration', 'CloudFunctionConfiguration', 'EventBridgeConfiguration']);

/** PutBucketNotificationConfiguration: an empty `<NotificationConfiguration/>` removes every notification. */
export function parseNotificationConfiguration(body: string | Uint8Array): { readonly empty: boolean } {
  const root = readXmlDocument(body, 'NotificationConfiguration');
  assertContainer(root);
  if (root.children.some((c) => !NOTIFICATION_ELEMENTS.has(c.name))) throw malformedXml();
  return { empty: root.children.length === 0 };
}
