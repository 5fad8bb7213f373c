import type { IncomingHttpHeaders } from 'node:http';
import type { DeleteConditions } from '@massive/contracts';
import { S3Error } from '@massive/s3-protocol';
import { header } from './object-headers';

/**
 * DeleteObject's conditional headers: `If-Match` (an etag list or `*`), `x-amz-if-match-last-modified-time`
 * (an HTTP date) and `x-amz-if-match-size` (bytes). A value that does not parse is InvalidArgument, never
 * ignored: a precondition silently dropped would delete what the caller meant to protect.
 * Undefined when none is present.
 */
export function parseDeleteConditionHeaders(h: IncomingHttpHeaders): DeleteConditions | undefined {
  const ifMatch = header(h, 'if-match');
  const time = header(h, 'x-amz-if-match-last-modified-time');
  const size = header(h, 'x-amz-if-match-size');
  if (ifMatch === undefined && time === undefined && size === undefined) return undefined;
  return {
    ...(ifMatch !== undefined && { ifMatch }),
    ...(time !== undefined && { ifMatchLastModifiedTime: parseTime(time, 'x-amz-if-match-last-modified-time') }),
    ...(size !== undefined && { ifMatchSize: parseSize(size, 'x-amz-if-match-size') }),
  };
}

/** The conditions of one DeleteObjects entry (already parsed by the XML reader). */
export function entryConditions(o: { ETag?: string; LastModifiedTime?: number; Size?: number }): DeleteConditions | undefined {
  if (o.ETag === undefined && o.LastModifiedTime === undefined && o.Size === undefined) return undefined;
  return {
    ...(o.ETag !== undefined && { ifMatch: o.ETag }),
    ...(o.LastModifiedTime !== undefined && { ifMatchLastModifiedTime: o.LastModifiedTime }),
    ...(o.Size !== undefined && { ifMatchSize: o.Size }),
  };
}

/**
 * S3 evaluates delete conditions on the current version only and refuses them on a delete of a named
 * version with 501 NotImplemented (measured on AWS: `VersionId` with `If-Match` is refused even when it
 * names the current version and the etag matches).
 */
export function versionedConditionError(header: string): S3Error {
  return new S3Error('NotImplemented', undefined, { Header: header });
}

function parseTime(v: string, name: string): number {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new S3Error('InvalidArgument', `Invalid ${name}: ${v}`, { ArgumentName: name, ArgumentValue: v });
  return t;
}

function parseSize(v: string, name: string): number {
  const t = v.trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(n)) {
    throw new S3Error('InvalidArgument', `Invalid ${name}: ${v}`, { ArgumentName: name, ArgumentValue: v });
  }
  return n;
}
