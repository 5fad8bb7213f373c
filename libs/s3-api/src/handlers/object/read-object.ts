import type { ObjectVersion } from '@massive/contracts';
import { checkReadConditions, isS3Error, resolveRange, S3Error, type ResolvedRange } from '@massive/s3-protocol';
import { header, notModifiedHeaders, objectResponseHeaders } from '../../http/object-headers';
import { expirationHeaders } from '../../http/lifecycle-expiration';
import { versionBytes } from '../../http/copy-source';
import { customerKeyOf, type CustomerKey } from '../../sse/customer-keys';
import { checkCustomerKey } from '../../sse/object-encryption';
import { KMS_NEEDS_SIGV4 } from '../../sse/kms-keys';
import type { S3ApiDeps, S3Request, S3Response } from '../../types';

/** Shared by GetObject and HeadObject: conditions, Range / partNumber, and response headers. */
export async function readObject(bucket: string, key: string, req: S3Request, deps: S3ApiDeps, withBody: boolean): Promise<S3Response> {
  const h = req.headers;
  const versionId = req.query.get('versionId') ?? undefined;
  const customer = customerKeyOf(h);
  // x-amz-expiration (current versions only): the rules come from a per-replica cache, fetched alongside.
  const rules = versionId === undefined ? deps.lifecycleRules?.rules(bucket, req.ctx) : undefined;
  // HEAD needs the version, not its bytes: inline ones are left out (read, copied and sent for nothing).
  const v = await deps.metadata.getObject({ bucket, key, versionId, ...(!withBody && { withoutData: true }) }, req.ctx);
  req.checkObjectAcl?.(v.headers.acl);
  // An SSE-C object answers nothing, not even its headers, without its key.
  checkCustomerKey(v.headers, customer);
  // Nor does an SSE-KMS one to an unsigned request, as S3 answers (the key's use needs a signed principal).
  if (req.anonymous && v.headers.sse?.algorithm === 'aws:kms') {
    throw new S3Error('InvalidArgument', KMS_NEEDS_SIGV4, { ArgumentName: 'Authorization', ArgumentValue: 'null' });
  }
  try {
    checkReadConditions(
      {
        ifMatch: header(h, 'if-match'),
        ifNoneMatch: header(h, 'if-none-match'),
        ifModifiedSince: header(h, 'if-modified-since'),
        ifUnmodifiedSince: header(h, 'if-unmodified-since'),
      },
      v.etag,
      v.lastModified,
    );
  } catch (e) {
    // A 304 still names the version it vouches for (ETag, Last-Modified), as S3 does.
    if (isS3Error(e, 'NotModified')) throw new S3Error('NotModified', undefined, {}, notModifiedHeaders(v));
    throw e;
  }
  const partParam = req.query.get('partNumber');
  const rangeHeader = header(h, 'range');
  if (partParam !== null && rangeHeader !== undefined) {
    throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  }
  const range = partParam !== null ? partRange(v, partParam) : resolveRange(rangeHeader, v.size);
  const checksumMode = header(h, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
  const headers = objectResponseHeaders(v, req.query, checksumMode && (range === undefined || partParam !== null));
  if (partParam !== null && v.parts && checksumMode) {
    const part = v.parts[Number(partParam) - 1];
    if (part.checksum) headers[`x-amz-checksum-${part.checksum.algorithm.toLowerCase()}`] = part.checksum.value;
  }
  if (rules) Object.assign(headers, expirationHeaders(await rules, v));
  const length = range ? range.end - range.start + 1 : v.size;
  headers['Content-Length'] = length;
  let status = 200;
  if (range && !(partParam !== null && !v.parts)) {
    status = 206;
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${v.size}`;
  }
  if (!withBody) return { status, headers };
  return { status, headers, body: objectBody(v, range, req, deps, customer), objectBytes: length };
}

function objectBody(v: ObjectVersion, range: ResolvedRange | undefined, req: S3Request, deps: S3ApiDeps, customer: CustomerKey | undefined): Buffer | AsyncIterable<Buffer> {
  if (v.data.kind === 'inline' && !v.headers.sse) return range ? v.data.bytes.subarray(range.start, range.end + 1) : v.data.bytes;
  if (v.size === 0) return Buffer.alloc(0);
  return versionBytes(v, range, req, deps, customer);
}

/** `?partNumber=N`: the byte range of part N (a non-multipart object has exactly one part). */
function partRange(v: ObjectVersion, raw: string): ResolvedRange | undefined {
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 10000)) {
    throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: raw });
  }
  if (!v.parts) {
    if (n !== 1) throw new S3Error('InvalidPartNumber');
    return v.size === 0 ? undefined : { start: 0, end: v.size - 1 };
  }
  if (n > v.parts.length) throw new S3Error('InvalidPartNumber');
  let start = 0;
  for (let i = 0; i < n - 1; i++) start += v.parts[i].size;
  return { start, end: start + v.parts[n - 1].size - 1 };
}
