import { isServiceError, type ObjectVersion } from '@massive/contracts';
import { checkCopySourceConditions, checkKeyLength, S3Error, MAX_KEY_BYTES, type ResolvedRange } from '@massive/s3-protocol';
import { header } from './object-headers';
import { leasedRead } from './leased-read';
import { objectSegments } from './object-segments';
import { dataKeyOf, decryptInline } from '../sse/object-encryption';
import { COPYING, READING, type CustomerKey } from '../sse/customer-keys';
import type { S3ApiDeps, S3Request } from '../types';

export interface CopySource {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

/** `x-amz-copy-source`: `[/]bucket/key[?versionId=v]`, URL-encoded. */
export function parseCopySource(raw: string, maxKeyBytes: number = MAX_KEY_BYTES): CopySource {
  let s = raw;
  let versionId: string | undefined;
  const q = s.indexOf('?');
  if (q >= 0) {
    const params = new URLSearchParams(s.slice(q + 1));
    versionId = params.get('versionId') ?? undefined;
    s = s.slice(0, q);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(s);
  } catch {
    throw new S3Error('InvalidArgument', 'Invalid copy source encoding', { ArgumentName: 'x-amz-copy-source', ArgumentValue: raw });
  }
  if (decoded.startsWith('/')) decoded = decoded.slice(1);
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) {
    throw new S3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', { ArgumentName: 'x-amz-copy-source', ArgumentValue: raw });
  }
  const key = decoded.slice(slash + 1);
  checkKeyLength(key, maxKeyBytes);
  return { bucket: decoded.slice(0, slash), key, versionId };
}

/** Loads the copy source named by the request and checks the x-amz-copy-source-if-* conditions. */
export async function loadCopySource(req: S3Request, deps: S3ApiDeps): Promise<{ source: CopySource; version: ObjectVersion }> {
  const source = parseCopySource(header(req.headers, 'x-amz-copy-source') ?? '', deps.config.maxKeyBytes);
  const version = await deps.metadata.getObject(source, req.ctx).catch((e: unknown) => {
    if (isServiceError(e, 'MethodNotAllowed')) {
      throw new S3Error('InvalidRequest', 'The source of a copy request may not specifically refer to a delete marker by version id.');
    }
    throw e;
  });
  const h = req.headers;
  checkCopySourceConditions(
    {
      ifMatch: header(h, 'x-amz-copy-source-if-match'),
      ifNoneMatch: header(h, 'x-amz-copy-source-if-none-match'),
      ifModifiedSince: header(h, 'x-amz-copy-source-if-modified-since'),
      ifUnmodifiedSince: header(h, 'x-amz-copy-source-if-unmodified-since'),
    },
    version.etag,
    version.lastModified,
  );
  return { source, version };
}

/** `x-amz-copy-source-version-id`: the source version copied, when its bucket's versioning is set. */
export function copySourceVersionHeader(v: ObjectVersion): Record<string, string> {
  return v.s3VersionId === undefined ? {} : { 'x-amz-copy-source-version-id': v.s3VersionId };
}

/**
 * The bytes of a version (or of a range of it), streamed from wherever they live. An SSE-C version opens
 * only with `customer`, the key the request presents for it (its own headers for a GET, the copy
 * source's for a copy).
 */
export function versionBytes(v: ObjectVersion, range: ResolvedRange | undefined, req: S3Request, deps: S3ApiDeps, customer: CustomerKey | undefined, copying = false): AsyncIterable<Buffer> {
  // Unsealed now, so that a key this gateway cannot unseal fails the request before any answer.
  const dataKey = dataKeyOf(v.headers, v.bucket, v.key, deps, customer, copying ? COPYING : READING);
  if (v.data.kind === 'inline' && dataKey) return decryptInline(v.data.bytes, v.size, range, dataKey);
  if (v.data.kind === 'inline') {
    const bytes = range ? v.data.bytes.subarray(range.start, range.end + 1) : v.data.bytes;
    return (async function* () {
      if (bytes.length) yield bytes;
    })();
  }
  if (v.size === 0) return (async function* () {})();
  return leasedRead(v.versionId, objectSegments(v, range, req.ctx, deps, dataKey), req.ctx, deps);
}

/** `x-amz-copy-source-range: bytes=first-last`, which must lie within the source. */
export function parseCopySourceRange(raw: string | undefined, size: number): ResolvedRange | undefined {
  if (raw === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(raw.trim());
  if (!m || Number(m[2]) < Number(m[1])) {
    throw new S3Error('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', {
      ArgumentName: 'x-amz-copy-source-range',
      ArgumentValue: raw,
    });
  }
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end >= size) throw new S3Error('InvalidRange', undefined, {}, { 'Content-Range': `bytes */${size}` });
  return { start, end };
}
