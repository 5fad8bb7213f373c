import type { IncomingHttpHeaders } from 'node:http';
import type { ObjectTag } from '@massive/contracts';
import {
  CHECKSUM_ALGORITHMS,
  checksumHeaderName,
  parseChecksumAlgorithm,
  parseTagging,
  S3Error,
  validateTagSet,
  type ChecksumAlgorithm,
  type PostFields,
} from '@massive/s3-protocol';
import { toObjectTags } from './tagging';

/** Form fields stored as the object's headers, exactly as the PutObject headers of the same names. */
const HEADER_FIELDS: ReadonlySet<string> = new Set([
  'cache-control',
  'content-type',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-md5',
  'expires',
  'x-amz-website-redirect-location',
  'x-amz-storage-class',
  // Refused or accepted by refuseUnsupportedHeaders, as on a PUT.
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-context',
  'x-amz-server-side-encryption-bucket-key-enabled',
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-server-side-encryption-customer-key',
  'x-amz-server-side-encryption-customer-key-md5',
  'x-amz-object-lock-mode',
  'x-amz-object-lock-retain-until-date',
  'x-amz-object-lock-legal-hold',
  ...CHECKSUM_ALGORITHMS.map(checksumHeaderName),
]);

export interface FormWrite {
  /** The request headers a PutObject with these fields would have carried (values in wire form). */
  readonly headers: IncomingHttpHeaders;
  /** `x-amz-checksum-algorithm` without a value: compute and store that checksum. */
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  /** The `tagging` field's tag set (an XML Tagging document, as PutObjectTagging's body). */
  readonly tags?: readonly ObjectTag[];
}

/**
 * The object headers a POST upload asks for, as the PutObject headers they stand for, so one set of
 * rules (metadata limits, checksums, refused headers) serves both. Header values travel as bytes read
 * as latin1, so each UTF-8 value is given in that form. `acl` becomes `x-amz-acl` (the bucket's
 * ownership controls decide, as for a PUT) and `tagging` the object's tags. Fields naming something this
 * service does not store are refused, never dropped: storage classes other than STANDARD.
 */
export function formWrite(fields: PostFields): FormWrite {
  const headers: IncomingHttpHeaders = {};
  const wire = (v: string): string => Buffer.from(v, 'utf8').toString('latin1');
  for (const name of fields.names()) {
    const value = fields.get(name) ?? '';
    if (HEADER_FIELDS.has(name) || name.startsWith('x-amz-meta-')) headers[name] = wire(value);
  }
  const storageClass = fields.get('x-amz-storage-class');
  if (storageClass !== undefined && storageClass !== 'STANDARD') throw new S3Error('InvalidStorageClass', undefined, { StorageClassRequested: storageClass });
  const acl = fields.get('acl');
  if (acl !== undefined) headers['x-amz-acl'] = acl;
  const tagging = fields.get('tagging');
  const tags = tagging === undefined ? undefined : toObjectTags(validateTagSet(parseTagging(tagging).TagSet, 'object'));
  const withTags = tags === undefined ? {} : { tags };
  const algorithmField = fields.get('x-amz-checksum-algorithm');
  if (algorithmField === undefined) return { headers, ...withTags };
  const algorithm = parseChecksumAlgorithm(algorithmField, 'x-amz-checksum-algorithm');
  const given = CHECKSUM_ALGORITHMS.filter((a) => fields.has(checksumHeaderName(a)));
  if (given.length === 0) return { headers, checksumAlgorithm: algorithm, ...withTags };
  // With a value: the same rule as x-amz-sdk-checksum-algorithm on a PUT (it must name the checksum given).
  headers['x-amz-sdk-checksum-algorithm'] = algorithmField;
  return { headers, ...withTags };
}

export type SuccessAction = { readonly kind: 'redirect'; readonly url: string } | { readonly kind: 'status'; readonly status: 200 | 201 | 204 };

/**
 * What S3 answers a successful upload: a 303 to `success_action_redirect` (or the older `redirect`)
 * when it is an http(s) URL; else `success_action_status` 200, 201 (with a PostResponse document) or
 * 204, the default, also for any other value.
 */
export function successAction(fields: PostFields): SuccessAction {
  const target = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (target !== undefined && isHttpUrl(target)) return { kind: 'redirect', url: target };
  const status = fields.get('success_action_status');
  return { kind: 'status', status: status === '200' ? 200 : status === '201' ? 201 : 204 };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The redirect target with `bucket`, `key` and `etag` (quoted) added to its query, as S3 adds them. */
export function redirectLocation(url: string, bucket: string, key: string, etag: string): string {
  const q = `bucket=${encodeURIComponent(bucket)}&key=${encodeURIComponent(key)}&etag=${encodeURIComponent(`"${etag}"`)}`;
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? '' : url.slice(hash);
  return `${base}${base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?'}${q}${fragment}`;
}

/**
 * The new object's URL in the style the form was posted in: `http://bucket.domain/key` when the Host
 * names the bucket, else `http://host/bucket/key` (https when a proxy says so). The key is encoded
 * whole, `/` included, as S3 writes it (`.../bucket/uploads%2Fphoto.png`).
 */
export function objectLocation(headers: IncomingHttpHeaders, bucket: string, key: string): string {
  const proto = headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  const host = headers.host ?? 'localhost';
  const path = encodeURIComponent(key);
  const vhost = host.toLowerCase().startsWith(`${bucket.toLowerCase()}.`);
  return vhost ? `${proto}://${host}/${path}` : `${proto}://${host}/${encodeURIComponent(bucket)}/${path}`;
}
