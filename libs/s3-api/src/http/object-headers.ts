import type { IncomingHttpHeaders } from 'node:http';
import type { ObjectHeaders, ObjectLock, ObjectVersion } from '@massive/contracts';
import { formatHttpDate, formatTimestamp, S3Error } from '@massive/s3-protocol';
import type { HeaderValue } from '../types';
import { kmsResponseHeaders } from '../sse/kms-keys';

/** S3 limits user metadata (names + values of x-amz-meta-*) to 2 KiB. */
export const MAX_USER_METADATA_BYTES = 2048;
const META_PREFIX = 'x-amz-meta-';

export function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * The object headers a PUT / CreateMultipartUpload / CopyObject(REPLACE) stores. User metadata counts as
 * AWS counts it: the bytes of each name (after `x-amz-meta-`) and value as sent. Node hands header values
 * over as latin1 (one char per wire byte), so the wire size is the string length in latin1.
 */
export function parseObjectHeaders(h: IncomingHttpHeaders, maxMetadataBytes: number = MAX_USER_METADATA_BYTES): ObjectHeaders {
  const userMetadata: Record<string, string> = {};
  let metaBytes = 0;
  for (const name of Object.keys(h)) {
    if (!name.startsWith(META_PREFIX)) continue;
    const key = name.slice(META_PREFIX.length);
    const value = header(h, name) ?? '';
    metaBytes += Buffer.byteLength(key, 'latin1') + Buffer.byteLength(value, 'latin1');
    userMetadata[key] = fromWire(value);
  }
  if (metaBytes > maxMetadataBytes) {
    throw new S3Error('MetadataTooLarge', undefined, { Size: String(metaBytes), MaxSizeAllowed: String(maxMetadataBytes) });
  }
  return {
    contentType: header(h, 'content-type'),
    contentEncoding: stripAwsChunked(header(h, 'content-encoding')),
    contentDisposition: header(h, 'content-disposition'),
    contentLanguage: header(h, 'content-language'),
    cacheControl: header(h, 'cache-control'),
    expires: header(h, 'expires'),
    websiteRedirectLocation: websiteRedirectOf(h),
    userMetadata,
  };
}

export const WEBSITE_REDIRECT_HEADER = 'x-amz-website-redirect-location';
/** S3 keeps a website redirect location of at most 2 KiB. */
const MAX_WEBSITE_REDIRECT_BYTES = 2048;

/**
 * `x-amz-website-redirect-location`, as S3 takes it: a key path in the same bucket (`/…`) or an http(s)
 * URL, at most 2 KiB; anything else is 400 InvalidRedirectLocation, never stored to fail at read time.
 * An empty value is none.
 */
export function websiteRedirectOf(h: IncomingHttpHeaders): string | undefined {
  const v = header(h, WEBSITE_REDIRECT_HEADER);
  if (v === undefined || v === '') return undefined;
  if (!(v.startsWith('/') || v.startsWith('http://') || v.startsWith('https://'))) {
    throw new S3Error('InvalidRedirectLocation', "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.");
  }
  if (Buffer.byteLength(v, 'latin1') > MAX_WEBSITE_REDIRECT_BYTES) {
    throw new S3Error('InvalidRedirectLocation', 'The length of the website redirect location cannot exceed 2,048 characters.');
  }
  return fromWire(v);
}

/**
 * A metadata value as the client meant it: Node decodes header bytes as latin1, and clients (the AWS
 * SDKs) send non-ASCII values as UTF-8 bytes, so valid UTF-8 is decoded as such; anything else is kept
 * byte for byte.
 */
function fromWire(v: string): string {
  if (/^[\x00-\x7f]*$/.test(v)) return v;
  const bytes = Buffer.from(v, 'latin1');
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : v;
}

/**
 * A stored metadata value for a response header, as AWS answers it: ASCII as is, anything else
 * RFC 2047-encoded (`=?UTF-8?B?…?=`), which every HTTP stack carries intact.
 */
function toWire(v: string): string {
  if (/^[\x20-\x7e\t]*$/.test(v)) return v;
  return `=?UTF-8?B?${Buffer.from(v, 'utf8').toString('base64')}?=`;
}

/**
 * `aws-chunked` is a transfer detail of SigV4 streaming, not a stored content coding: it is removed and
 * the rest kept as sent (`deflate, gzip` stays `deflate, gzip`, spacing included), as S3 stores it.
 */
export function stripAwsChunked(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const rest = v.split(',').filter((s) => s.trim().toLowerCase() !== 'aws-chunked');
  const out = rest.join(',').trim();
  return out === '' ? undefined : out;
}

const OVERRIDES: readonly [string, string][] = [
  ['response-content-type', 'Content-Type'],
  ['response-content-language', 'Content-Language'],
  ['response-expires', 'Expires'],
  ['response-cache-control', 'Cache-Control'],
  ['response-content-disposition', 'Content-Disposition'],
  ['response-content-encoding', 'Content-Encoding'],
];

/**
 * The headers a 304 Not Modified must still carry (RFC 9110 §15.4.5: the validators and caching headers
 * a 200 would have sent), so caches can refresh their stored copy.
 */
/** `x-amz-version-id`, sent only when the bucket's versioning is set (`null` for a null version). */
export function versionIdHeader(v: { readonly s3VersionId?: string }): Record<string, string> {
  return v.s3VersionId === undefined ? {} : { 'x-amz-version-id': v.s3VersionId };
}

export function notModifiedHeaders(v: ObjectVersion): Record<string, string> {
  const out: Record<string, string> = { ETag: `"${v.etag}"`, 'Last-Modified': formatHttpDate(v.lastModified), ...versionIdHeader(v) };
  if (v.headers.cacheControl !== undefined) out['Cache-Control'] = v.headers.cacheControl;
  if (v.headers.expires !== undefined) out['Expires'] = v.headers.expires;
  return out;
}

/** GET/HEAD response headers for a version (without Content-Length / Content-Range). */
/** Object Lock, as GET and HEAD answer it: the retention, and the legal hold once one was set (ON or OFF). */
function lockHeaders(lock: ObjectLock, out: Record<string, HeaderValue>): void {
  if (lock.mode !== undefined && lock.retainUntil !== undefined) {
    out['x-amz-object-lock-mode'] = lock.mode;
    out['x-amz-object-lock-retain-until-date'] = formatTimestamp(lock.retainUntil);
  }
  if (lock.legalHold !== undefined) out['x-amz-object-lock-legal-hold'] = lock.legalHold ? 'ON' : 'OFF';
}

export function objectResponseHeaders(v: ObjectVersion, query: URLSearchParams, withChecksum: boolean): Record<string, HeaderValue> {
  const h = v.headers;
  const out: Record<string, HeaderValue> = {
    'Last-Modified': formatHttpDate(v.lastModified),
    ETag: `"${v.etag}"`,
    'Accept-Ranges': 'bytes',
    'Content-Type': h.contentType ?? 'binary/octet-stream',
    'Content-Encoding': h.contentEncoding,
    'Content-Disposition': h.contentDisposition,
    'Content-Language': h.contentLanguage,
    'Cache-Control': h.cacheControl,
    Expires: h.expires,
    'x-amz-website-redirect-location': h.websiteRedirectLocation === undefined ? undefined : toWire(h.websiteRedirectLocation),
  };
  for (const k in h.userMetadata) out[META_PREFIX + k] = toWire(h.userMetadata[k]);
  if (v.s3VersionId !== undefined) out['x-amz-version-id'] = v.s3VersionId;
  if (v.parts) out['x-amz-mp-parts-count'] = v.parts.length;
  if (h.tags !== undefined && h.tags.length > 0) out['x-amz-tagging-count'] = h.tags.length;
  if (h.sse?.customerKeyMd5 !== undefined) {
    // SSE-C (sse/customer-keys.ts): the algorithm and the key's MD5, never `x-amz-server-side-encryption`.
    out['x-amz-server-side-encryption-customer-algorithm'] = h.sse.algorithm;
    out['x-amz-server-side-encryption-customer-key-MD5'] = h.sse.customerKeyMd5;
  } else if (h.sse) {
    out['x-amz-server-side-encryption'] = h.sse.algorithm;
    if (h.sse.algorithm === 'aws:kms') Object.assign(out, kmsResponseHeaders(h.sse, false));
  }
  if (h.lock) lockHeaders(h.lock, out);
  if (withChecksum && v.checksum) {
    out[`x-amz-checksum-${v.checksum.algorithm.toLowerCase()}`] = v.checksum.value;
    out['x-amz-checksum-type'] = v.checksum.type;
  }
  // Most GETs have no query at all: six lookups saved.
  if (query.size > 0) {
    for (const [param, name] of OVERRIDES) {
      const o = query.get(param);
      if (o !== null) out[name] = o;
    }
  }
  return out;
}
