import type { EndpointName, LogKeyFormat } from '@massive/s3-protocol';

/**
 * S3 server access log records and log object keys, as S3 writes them ("Amazon S3 server access log format",
 * S3 user guide): one line per request, space-separated fields in S3's order, `-` for what is unknown or does
 * not apply, the request line, referer and user agent in double quotes.
 *
 * A record must stay one line of the same fields whatever a client sends, so what a client controls is made
 * safe to split: in bare fields (host header, version id, ...) spaces, double quotes, backslashes and control
 * or line-breaking characters are percent-encoded (UTF-8); in quoted fields double quotes, control and
 * line-breaking characters are (S3 writes them raw, which breaks the regular expressions AWS itself documents
 * for Athena; `%22` keeps them working). `%` itself is left as is, so a request line keeps its encoding.
 * The key is URL-encoded (encodeURIComponent, `/` kept), which leaves no space or quote in it.
 */
export interface LogRecordFields {
  /** Canonical id of the source bucket's owner. */
  readonly bucketOwner: string;
  readonly bucket: string;
  /** Request start, ms since the epoch. */
  readonly time: number;
  readonly remoteIp: string | undefined;
  /** Canonical id of the requester; `undefined` for anonymous requests. */
  readonly requester: string | undefined;
  readonly requestId: string;
  /** S3's operation name (`logOperation`): `REST.GET.OBJECT`. */
  readonly operation: string;
  /** The object key as requested (not encoded); `undefined` for bucket operations. */
  readonly key: string | undefined;
  /** The request line as the client sent it: `GET /b/k?x HTTP/1.1`. */
  readonly requestLine: string;
  readonly status: number;
  /** The S3 error code; `undefined` on success. */
  readonly errorCode: string | undefined;
  /** Response body bytes (0 and `undefined` are written `-`). */
  readonly bytesSent: number | undefined;
  /** The object's total size, where the operation knows it. */
  readonly objectSize: number | undefined;
  /** Request start to last byte sent, ms. */
  readonly totalMs: number;
  /** To the first response byte, ms. */
  readonly turnAroundMs: number | undefined;
  readonly referer: string | undefined;
  readonly userAgent: string | undefined;
  /** The version id the request named (`?versionId=`). */
  readonly versionId: string | undefined;
  readonly signatureVersion: 'SigV4' | 'SigV2' | undefined;
  readonly cipherSuite: string | undefined;
  readonly authType: 'AuthHeader' | 'QueryString' | 'HtmlForm' | undefined;
  /** The Host header as sent. */
  readonly host: string | undefined;
  readonly tlsVersion: string | undefined;
  /** An ACL (not the owner, a key's grant or a bucket policy) is what let the request through: `Yes`. */
  readonly aclRequired?: boolean;
}

const DASH = '-';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * What cannot stay in a bare field: ASCII controls and space, `"`, `\`, DEL, and what some readers take for a
 * line end (NEL, LINE and PARAGRAPH SEPARATOR: Python's `splitlines`), plus lone surrogates (not UTF-8).
 */
const BARE_UNSAFE = /[\u0000-\u0020"\\\u007f\u0085\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** The same inside double quotes, where a space is fine. */
const QUOTED_UNSAFE = /[\u0000-\u001f"\u007f\u0085\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Percent-encodes one character's UTF-8 bytes (a lone surrogate as U+FFFD's). */
function percent(c: string): string {
  return encodeURIComponent(c.length === 1 && c >= '\uD800' && c <= '\uDFFF' ? '\uFFFD' : c);
}

function bare(v: string | undefined): string {
  return v === undefined || v === '' ? DASH : v.replace(BARE_UNSAFE, percent);
}

function quoted(v: string | undefined): string {
  return v === undefined || v === '' ? '"-"' : `"${v.replace(QUOTED_UNSAFE, percent)}"`;
}

/** A count or a duration in whole ms; `-` when unknown. */
function whole(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? DASH : String(Math.max(0, Math.round(n)));
}

/** The key as S3's records name it: URL-encoded segment by segment, `/` kept. */
function logKey(key: string | undefined): string {
  if (key === undefined || key === '') return DASH;
  return key
    .replace(LONE_SURROGATE, '\uFFFD')
    .split('/')
    .map(encodeURIComponent)
    .join('/');
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `[06/Feb/2019:00:00:38 +0000]` (UTC). */
export function formatLogTime(ms: number): string {
  const d = new Date(ms);
  return `[${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000]`;
}

/** One record: the line S3 would write for the request, ending with `\n`. */
export function formatLogRecord(f: LogRecordFields): string {
  return [
    bare(f.bucketOwner),
    bare(f.bucket),
    formatLogTime(f.time),
    bare(f.remoteIp),
    bare(f.requester),
    bare(f.requestId),
    bare(f.operation),
    logKey(f.key),
    quoted(f.requestLine),
    whole(f.status),
    bare(f.errorCode),
    f.bytesSent === 0 ? DASH : whole(f.bytesSent),
    whole(f.objectSize),
    whole(f.totalMs),
    whole(f.turnAroundMs),
    quoted(f.referer),
    quoted(f.userAgent),
    bare(f.versionId),
    DASH, // host id (x-amz-id-2): none
    bare(f.signatureVersion),
    bare(f.cipherSuite),
    bare(f.authType),
    bare(f.host),
    bare(f.tlsVersion),
    DASH, // access point ARN: access points are not served
    f.aclRequired ? 'Yes' : DASH,
  ].join(' ') + '\n';
}

/**
 * S3's operation names (`REST.<HTTP method>.<resource type>`) by endpoint. Names are those S3's own records
 * carry: the user guide's examples and field descriptions (REST.GET.VERSIONING, REST.GET.LOGGING_STATUS,
 * REST.GET.BUCKETPOLICY, REST.PUT.OBJECT, REST.COPY.OBJECT_GET) and records delivered by S3 as quoted in
 * public log parsers, analyzers and S3 emulators. A copy is REST.COPY.*, whatever its method.
 */
const OPERATIONS = {
  ListBuckets: 'REST.GET.SERVICE',
  CreateBucket: 'REST.PUT.BUCKET',
  HeadBucket: 'REST.HEAD.BUCKET',
  DeleteBucket: 'REST.DELETE.BUCKET',
  GetBucketLocation: 'REST.GET.LOCATION',
  GetBucketVersioning: 'REST.GET.VERSIONING',
  PutBucketVersioning: 'REST.PUT.VERSIONING',
  ListObjects: 'REST.GET.BUCKET',
  ListObjectsV2: 'REST.GET.BUCKET',
  ListObjectVersions: 'REST.GET.BUCKETVERSIONS',
  ListMultipartUploads: 'REST.GET.UPLOADS',
  DeleteObjects: 'REST.POST.MULTI_OBJECT_DELETE',
  GetObject: 'REST.GET.OBJECT',
  HeadObject: 'REST.HEAD.OBJECT',
  PutObject: 'REST.PUT.OBJECT',
  CopyObject: 'REST.COPY.OBJECT',
  DeleteObject: 'REST.DELETE.OBJECT',
  CreateMultipartUpload: 'REST.POST.UPLOADS',
  CompleteMultipartUpload: 'REST.POST.UPLOAD',
  AbortMultipartUpload: 'REST.DELETE.UPLOAD',
  ListParts: 'REST.GET.UPLOAD',
  UploadPart: 'REST.PUT.PART',
  UploadPartCopy: 'REST.COPY.PART',
  GetBucketTagging: 'REST.GET.TAGGING',
  PutBucketTagging: 'REST.PUT.TAGGING',
  DeleteBucketTagging: 'REST.DELETE.TAGGING',
  GetObjectTagging: 'REST.GET.OBJECT_TAGGING',
  PutObjectTagging: 'REST.PUT.OBJECT_TAGGING',
  DeleteObjectTagging: 'REST.DELETE.OBJECT_TAGGING',
  GetObjectAttributes: 'REST.GET.OBJECT_ATTRIBUTES',
  PostObject: 'REST.POST.OBJECT',
  PutBucketCors: 'REST.PUT.CORS',
  GetBucketCors: 'REST.GET.CORS',
  DeleteBucketCors: 'REST.DELETE.CORS',
  GetBucketAcl: 'REST.GET.ACL',
  PutBucketAcl: 'REST.PUT.ACL',
  GetObjectAcl: 'REST.GET.ACL',
  PutObjectAcl: 'REST.PUT.ACL',
  GetBucketOwnershipControls: 'REST.GET.OWNERSHIP_CONTROLS',
  PutBucketOwnershipControls: 'REST.PUT.OWNERSHIP_CONTROLS',
  DeleteBucketOwnershipControls: 'REST.DELETE.OWNERSHIP_CONTROLS',
  GetPublicAccessBlock: 'REST.GET.PUBLIC_ACCESS_BLOCK',
  PutPublicAccessBlock: 'REST.PUT.PUBLIC_ACCESS_BLOCK',
  DeletePublicAccessBlock: 'REST.DELETE.PUBLIC_ACCESS_BLOCK',
  GetBucketLifecycleConfiguration: 'REST.GET.LIFECYCLE',
  PutBucketLifecycleConfiguration: 'REST.PUT.LIFECYCLE',
  DeleteBucketLifecycle: 'REST.DELETE.LIFECYCLE',
  GetBucketPolicy: 'REST.GET.BUCKETPOLICY',
  PutBucketPolicy: 'REST.PUT.BUCKETPOLICY',
  DeleteBucketPolicy: 'REST.DELETE.BUCKETPOLICY',
  GetBucketPolicyStatus: 'REST.GET.POLICY_STATUS',
  PutBucketEncryption: 'REST.PUT.ENCRYPTION',
  GetBucketEncryption: 'REST.GET.ENCRYPTION',
  DeleteBucketEncryption: 'REST.DELETE.ENCRYPTION',
  GetObjectLockConfiguration: 'REST.GET.OBJECT_LOCK_CONFIGURATION',
  PutObjectLockConfiguration: 'REST.PUT.OBJECT_LOCK_CONFIGURATION',
  GetObjectRetention: 'REST.GET.RETENTION',
  PutObjectRetention: 'REST.PUT.RETENTION',
  GetObjectLegalHold: 'REST.GET.LEGAL_HOLD',
  PutObjectLegalHold: 'REST.PUT.LEGAL_HOLD',
  PutBucketWebsite: 'REST.PUT.WEBSITE',
  GetBucketWebsite: 'REST.GET.WEBSITE',
  DeleteBucketWebsite: 'REST.DELETE.WEBSITE',
  GetBucketReplication: 'REST.GET.REPLICATION',
  DeleteBucketReplication: 'REST.DELETE.REPLICATION',
  GetBucketLogging: 'REST.GET.LOGGING_STATUS',
  PutBucketLogging: 'REST.PUT.LOGGING_STATUS',
  GetBucketNotificationConfiguration: 'REST.GET.NOTIFICATION',
  PutBucketNotificationConfiguration: 'REST.PUT.NOTIFICATION',
  GetBucketRequestPayment: 'REST.GET.REQUEST_PAYMENT',
  PutBucketRequestPayment: 'REST.PUT.REQUEST_PAYMENT',
  GetBucketAccelerateConfiguration: 'REST.GET.ACCELERATE',
  PutBucketAccelerateConfiguration: 'REST.PUT.ACCELERATE',
  // REST.<method>.<sub-resource> as for the others; AWS's names for these four are not in its documentation.
  GetBucketAnalyticsConfiguration: 'REST.GET.ANALYTICS',
  ListBucketAnalyticsConfigurations: 'REST.GET.ANALYTICS',
  DeleteBucketAnalyticsConfiguration: 'REST.DELETE.ANALYTICS',
  GetBucketInventoryConfiguration: 'REST.GET.INVENTORY',
  ListBucketInventoryConfigurations: 'REST.GET.INVENTORY',
  DeleteBucketInventoryConfiguration: 'REST.DELETE.INVENTORY',
  GetBucketMetricsConfiguration: 'REST.GET.METRICS',
  ListBucketMetricsConfigurations: 'REST.GET.METRICS',
  DeleteBucketMetricsConfiguration: 'REST.DELETE.METRICS',
  GetBucketIntelligentTieringConfiguration: 'REST.GET.INTELLIGENT_TIERING',
  ListBucketIntelligentTieringConfigurations: 'REST.GET.INTELLIGENT_TIERING',
  DeleteBucketIntelligentTieringConfiguration: 'REST.DELETE.INTELLIGENT_TIERING',
  // Not an endpoint: the server's name for a CORS preflight (OPTIONS) request.
  PreflightCors: 'REST.OPTIONS.PREFLIGHT',
} as const satisfies Readonly<Record<Exclude<EndpointName, 'Unsupported'> | 'PreflightCors', string>>;

const KNOWN: ReadonlyMap<string, string> = new Map(Object.entries(OPERATIONS));

/**
 * S3's operation name for a request to `endpointName` (an EndpointName, or `PreflightCors`) made with
 * `method`; anything else (`Unsupported`, `Unknown`) is `REST.<METHOD>.<NAME uppercased>`.
 */
export function logOperation(endpointName: string, method: string): string {
  const known = KNOWN.get(endpointName);
  if (known !== undefined) return known;
  const m = method.toUpperCase().replace(/[^A-Z]/g, '') || 'UNKNOWN';
  const name = endpointName.toUpperCase().replace(/[^A-Z_]/g, '_') || 'UNKNOWN';
  return `REST.${m}.${name}`;
}

/** `YYYY-MM-DD-hh-mm-ss` (UTC). */
function stamp(d: Date): string {
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}-${pad2(d.getUTCHours())}-${pad2(d.getUTCMinutes())}-${pad2(d.getUTCSeconds())}`;
}

/**
 * A log object's key, as S3 names them (user guide, "Log object key format"; the API's PartitionedPrefix):
 * - SimplePrefix (S3's default, and `undefined`): `<prefix>YYYY-MM-DD-hh-mm-ss-<unique>`, the delivery time;
 * - PartitionedPrefix: `<prefix><ownerId>/<region>/<bucket>/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-<unique>`, dated by
 *   the delivery time (DeliveryTime), or by the day of the records (EventTime), whose hour, minutes and
 *   seconds are then 00 ("The logs delivered are for a specific day only ... the hour, minutes and seconds
 *   are set to 00 in the key").
 * All times UTC. `unique` is the caller's (S3: 16 uppercase hex).
 */
export function logObjectKey(
  prefix: string,
  format: LogKeyFormat | undefined,
  at: { deliveryTime: number; eventTime: number },
  source: { ownerId: string; region: string; bucket: string },
  unique: string,
): string {
  if (format === undefined || format.kind === 'simple') return `${prefix}${stamp(new Date(at.deliveryTime))}-${unique}`;
  const d = new Date(at.deliveryTime);
  if (format.dateSource === 'EventTime') {
    const e = new Date(at.eventTime);
    d.setTime(Date.UTC(e.getUTCFullYear(), e.getUTCMonth(), e.getUTCDate()));
  }
  const day = `${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}`;
  return `${prefix}${source.ownerId}/${source.region}/${source.bucket}/${day}/${stamp(d)}-${unique}`;
}
