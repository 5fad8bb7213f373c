import { createHash } from 'node:crypto';
import {
  createChecksumHasher,
  parseContentMd5,
  parseRequestChecksum,
  parseTrailerChecksum,
  S3Error,
  verifyChecksum,
  verifyContentMd5,
} from '@massive/s3-protocol';
import { header } from './object-headers';
import type { S3Request } from '../types';

/**
 * The most bytes each XML request document may have: AWS's own bounds with room for markup and escaping.
 * Past it the request is MaxMessageLengthExceeded before any byte is parsed.
 */
export const XML_BODY_LIMITS = {
  /** A LocationConstraint and little else. */
  CreateBucket: 64 * 1024,
  /** 1000 keys of up to 1024 bytes each (escaped), plus markup. */
  DeleteObjects: 2 * 1024 * 1024,
  /** 10,000 parts with an ETag and a checksum each. */
  CompleteMultipartUpload: 4 * 1024 * 1024,
  /** 100 rules; metadata keeps at most 256 KiB of canonical JSON, so the XML stays in that range too. */
  PutBucketCors: 128 * 1024,
  /** One rule of three small elements. */
  PutBucketEncryption: 16 * 1024,
  /** Object Lock's documents: a handful of small elements each. */
  PutObjectLockConfiguration: 16 * 1024,
  PutObjectRetention: 16 * 1024,
  PutObjectLegalHold: 16 * 1024,
  /** At most 50 routing rules of a few small elements each. */
  PutBucketWebsite: 64 * 1024,
  /** A target bucket, a prefix and a key format. */
  PutBucketLogging: 64 * 1024,
} as const;

/**
 * Operations S3 models as requiring a checksum (PutBucketCors, PutBucketEncryption) refuse a body that
 * carries no integrity header at all: Content-MD5, an `x-amz-checksum-<algorithm>` value, or one announced
 * for the aws-chunked trailer (as the SDKs now send). `readSmallBody` then checks whichever was sent.
 */
export function requireIntegrityHeader(req: Pick<S3Request, 'body' | 'headers'>): void {
  if (!hasIntegrityHeader(req)) throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5');
}

/** Whether the request carries Content-MD5, an `x-amz-checksum-<algorithm>` value, or one announced for its trailer. */
export function hasIntegrityHeader(req: Pick<S3Request, 'body' | 'headers'>): boolean {
  const h = req.headers;
  return header(h, 'content-md5') !== undefined || Object.keys(h).some(isChecksumValueHeader) || req.body.trailerChecksum !== undefined;
}

/** `x-amz-checksum-<algorithm>` carrying a value (not `x-amz-checksum-type` / `-algorithm` / `-mode`). */
function isChecksumValueHeader(name: string): boolean {
  return name.startsWith('x-amz-checksum-') && !['x-amz-checksum-type', 'x-amz-checksum-algorithm', 'x-amz-checksum-mode'].includes(name);
}

/**
 * Reads a small request document (XML) fully, refusing more than `limit` bytes, and checks the integrity
 * the client asked for (Content-MD5, `x-amz-checksum-*` or its aws-chunked trailer): a damaged Delete or
 * CompleteMultipartUpload document must fail with BadDigest, never act on other keys or parts.
 */
export async function readSmallBody(req: Pick<S3Request, 'body' | 'headers'>, limit: number): Promise<Buffer> {
  const md5Header = header(req.headers, 'content-md5');
  const expectedMd5 = md5Header !== undefined ? parseContentMd5(md5Header) : undefined;
  const wanted = parseRequestChecksum(req.headers);
  const body = req.body;
  const tooBig = () => new S3Error('MaxMessageLengthExceeded', `Your request was too big: at most ${limit} bytes are allowed here.`, { MaxMessageLengthBytes: String(limit) });
  if (body.length !== undefined && body.length > limit) throw tooBig();
  const doc = await body.collect(limit).catch((e: unknown) => {
    throw e instanceof S3Error && e.code === 'EntityTooLarge' ? tooBig() : e;
  });
  if (expectedMd5) verifyContentMd5(expectedMd5, createHash('md5').update(doc).digest());
  if (wanted.location !== 'none') {
    const hasher = createChecksumHasher(wanted.algorithm);
    hasher.update(doc);
    const expected = wanted.location === 'header' ? wanted.value : parseTrailerChecksum(wanted.algorithm, body.trailers()[wanted.trailerName]);
    verifyChecksum(wanted.algorithm, expected, await hasher.digest());
  }
  return doc;
}
