import { assertContainer, childrenByName, leafText, malformedXml, readXmlDocument, type XmlElement } from './xml-reader';
import { XmlWriter } from './xml-writer';

/**
 * A bucket's server access logging (PutBucketLogging's body, GetBucketLogging's answer):
 * `<BucketLoggingStatus>` empty (logging off) or holding one `<LoggingEnabled>` with `<TargetBucket/>`,
 * `<TargetPrefix/>` (may be empty), `<TargetGrants><Grant/>*</TargetGrants>`? and
 * `<TargetObjectKeyFormat>` holding exactly one of `<SimplePrefix/>` or
 * `<PartitionedPrefix><PartitionDateSource>EventTime|DeliveryTime</PartitionDateSource>?</PartitionedPrefix>`.
 *
 * Whatever breaks that schema is MalformedXML: another root, anything beside LoggingEnabled, unknown or
 * repeated elements, a missing or blank TargetBucket, a missing TargetPrefix, an empty TargetObjectKeyFormat
 * or one with both prefixes, a PartitionDateSource of another value. S3's API reference documents no length
 * limit for a general purpose bucket's TargetPrefix, so none is applied (the log object's key limit applies
 * when it is written).
 *
 * A PartitionedPrefix without PartitionDateSource dates its keys by EventTime: "PartitionedPrefix defaults to
 * EventTime delivery when server access logs are delivered" (the S3 API model's PartitionedPrefix, in the
 * AWS SDK references; the Java SDK's PartitionDateSource: "The default setting is EventTime").
 *
 * TargetGrants are read only as far as their schema (a container of `<Grant>`s, each with at most a
 * `<Grantee>` and a `<Permission>`): the caller refuses grants, so only whether any was given is kept.
 */
export type LogKeyFormat = { readonly kind: 'simple' } | { readonly kind: 'partitioned'; readonly dateSource: 'EventTime' | 'DeliveryTime' };

export interface BucketLogging {
  readonly TargetBucket: string;
  readonly TargetPrefix: string;
  /** As given; absent: S3's default, SimplePrefix. */
  readonly TargetObjectKeyFormat?: LogKeyFormat;
  /** The document granted access to the log objects (at least one `<Grant>` in `<TargetGrants>`). */
  readonly hasTargetGrants: boolean;
}

const DATE_SOURCES: ReadonlySet<string> = new Set(['EventTime', 'DeliveryTime']);
/** S3's default PartitionDateSource (see above). */
const DEFAULT_DATE_SOURCE = 'EventTime';

/** Parses a PutBucketLogging body. `undefined`: logging off (an empty `<BucketLoggingStatus/>`). Throws MalformedXML. */
export function parseBucketLogging(body: string | Uint8Array): BucketLogging | undefined {
  const enabled = childrenByName(readXmlDocument(body, 'BucketLoggingStatus'), ['LoggingEnabled']).get('LoggingEnabled');
  if (enabled === undefined) return undefined;
  const c = childrenByName(enabled, ['TargetBucket', 'TargetGrants', 'TargetPrefix', 'TargetObjectKeyFormat']);
  // Bucket names hold no whitespace: what surrounds the name is layout.
  const targetBucket = leafText(required(c.get('TargetBucket'))).trim();
  if (targetBucket === '') throw malformedXml();
  const targetPrefix = leafText(required(c.get('TargetPrefix')));
  const grants = c.get('TargetGrants');
  const hasTargetGrants = grants !== undefined && countGrants(grants) > 0;
  const formatEl = c.get('TargetObjectKeyFormat');
  const format = formatEl && readKeyFormat(formatEl);
  return {
    TargetBucket: targetBucket,
    TargetPrefix: targetPrefix,
    ...(format && { TargetObjectKeyFormat: format }),
    hasTargetGrants,
  };
}

function required(el: XmlElement | undefined): XmlElement {
  if (el === undefined) throw malformedXml();
  return el;
}

/** `<TargetGrants>`: `<Grant>`s only, each with at most one `<Grantee>` and one `<Permission>`. */
function countGrants(el: XmlElement): number {
  assertContainer(el);
  for (const grant of el.children) {
    if (grant.name !== 'Grant') throw malformedXml();
    childrenByName(grant, ['Grantee', 'Permission']);
  }
  return el.children.length;
}

function readKeyFormat(el: XmlElement): LogKeyFormat {
  const f = childrenByName(el, ['SimplePrefix', 'PartitionedPrefix']);
  if (f.size !== 1) throw malformedXml();
  const simple = f.get('SimplePrefix');
  if (simple !== undefined) {
    // An empty element: `<SimplePrefix/>` (whitespace inside is layout).
    assertContainer(simple);
    if (simple.children.length > 0) throw malformedXml();
    return { kind: 'simple' };
  }
  const sourceEl = childrenByName(f.get('PartitionedPrefix') as XmlElement, ['PartitionDateSource']).get('PartitionDateSource');
  const dateSource = sourceEl === undefined ? DEFAULT_DATE_SOURCE : leafText(sourceEl).trim();
  if (!DATE_SOURCES.has(dateSource)) throw malformedXml();
  return { kind: 'partitioned', dateSource: dateSource as 'EventTime' | 'DeliveryTime' };
}

/**
 * GetBucketLogging's answer: `<BucketLoggingStatus/>` when off, else the configuration as set, in the
 * order of S3's response syntax (TargetBucket, TargetObjectKeyFormat when it was given, TargetPrefix).
 * TargetGrants are never written: none are served.
 */
export function buildBucketLogging(c: BucketLogging | undefined): string {
  const w = new XmlWriter('BucketLoggingStatus');
  if (c === undefined) return w.end();
  w.open('LoggingEnabled').text('TargetBucket', c.TargetBucket);
  const f = c.TargetObjectKeyFormat;
  if (f !== undefined) {
    w.open('TargetObjectKeyFormat');
    if (f.kind === 'simple') w.open('SimplePrefix').close('SimplePrefix');
    else w.open('PartitionedPrefix').text('PartitionDateSource', f.dateSource).close('PartitionedPrefix');
    w.close('TargetObjectKeyFormat');
  }
  return w.text('TargetPrefix', c.TargetPrefix).close('LoggingEnabled').end();
}
