import { isServiceError, type ErrorCode } from '@massive/contracts';
import { formatHttpDate, S3Error, type S3ErrorCode } from '@massive/s3-protocol';

/** Domain error code → S3 error code. Exhaustive: adding an ErrorCode without a row fails to compile. */
export const SERVICE_TO_S3: Readonly<Record<ErrorCode, S3ErrorCode>> = {
  NoSuchBucket: 'NoSuchBucket',
  NoSuchKey: 'NoSuchKey',
  NoSuchVersion: 'NoSuchVersion',
  NoSuchUpload: 'NoSuchUpload',
  BucketAlreadyExists: 'BucketAlreadyExists',
  BucketAlreadyOwnedByYou: 'BucketAlreadyOwnedByYou',
  BucketNotEmpty: 'BucketNotEmpty',
  InvalidBucketName: 'InvalidBucketName',
  InvalidArgument: 'InvalidArgument',
  InvalidPart: 'InvalidPart',
  InvalidPartOrder: 'InvalidPartOrder',
  EntityTooSmall: 'EntityTooSmall',
  PreconditionFailed: 'PreconditionFailed',
  ConditionalRequestConflict: 'ConditionalRequestConflict',
  InvalidRange: 'InvalidRange',
  BadDigest: 'BadDigest',
  InvalidDigest: 'InvalidDigest',
  MethodNotAllowed: 'MethodNotAllowed',
  // Object Lock refuses as AWS does: 403 AccessDenied, "Access Denied because object protected by object lock."
  ObjectLocked: 'AccessDenied',
  InvalidBucketState: 'InvalidBucketState',
  // Stored bytes failed verification: never shown as data; the client may retry (another replica).
  DataCorrupted: 'InternalError',
  // The write outlived its intent: like S3's slow-upload timeout.
  IntentExpired: 'RequestTimeout',
  // Retries exhausted on a hot key: SDKs retry SlowDown with backoff.
  Conflict: 'SlowDown',
  Unavailable: 'ServiceUnavailable',
  // Not retried by SDKs (a full disk does not drain in a retry's time).
  InsufficientStorage: 'InsufficientStorage',
  Internal: 'InternalError',
};

/** Domain messages that are safe to show to clients (everything but internal failures). */
const EXPOSE_MESSAGE: ReadonlySet<ErrorCode> = new Set([
  'InvalidArgument',
  'InvalidPart',
  'InvalidPartOrder',
  'EntityTooSmall',
  'InvalidBucketName',
  'ObjectLocked',
  'InvalidBucketState',
]);

/**
 * A GET/HEAD that met a delete marker (NoSuchKey when it is the latest, MethodNotAllowed by version id)
 * says so in headers, as S3 does: `x-amz-delete-marker`, `x-amz-version-id`, and for the 405 the
 * marker's `Last-Modified` and `Allow: DELETE`.
 */
function deleteMarkerHeaders(detail: Readonly<Record<string, string | number>> | undefined): Record<string, string> {
  if (detail?.['deleteMarker'] !== 'true') return {};
  const out: Record<string, string> = { 'x-amz-delete-marker': 'true' };
  if (detail['versionId'] !== undefined) out['x-amz-version-id'] = String(detail['versionId']);
  if (detail['lastModified'] !== undefined) {
    out['Last-Modified'] = formatHttpDate(Number(detail['lastModified']));
    out['Allow'] = 'DELETE';
  }
  return out;
}

export interface EdgeError {
  readonly error: S3Error;
  /** True when the cause was not a known S3/domain error: log it with its stack. */
  readonly internal: boolean;
}

/**
 * The one translation at the edge: S3Error passes through, ServiceError maps by table, anything else
 * becomes InternalError whose message is never shown to the client.
 */
export function toS3Error(err: unknown, where: { bucket?: string; key?: string } = {}): EdgeError {
  if (err instanceof S3Error) return { error: err, internal: false };
  if (isServiceError(err)) {
    // A dependency that is up but cannot take more work now (SeaweedFS without a writable volume, or
    // still growing one) says so: SlowDown, which SDKs retry with backoff, rather than ServiceUnavailable.
    const code = err.code === 'Unavailable' && err.detail?.['slowDown'] ? 'SlowDown' : SERVICE_TO_S3[err.code];
    const extra: Record<string, string> = {};
    if (code === 'NoSuchBucket' || code === 'BucketNotEmpty' || code === 'BucketAlreadyExists' || code === 'BucketAlreadyOwnedByYou') {
      if (where.bucket !== undefined) extra['BucketName'] = where.bucket;
    }
    if (code === 'NoSuchKey' && where.key !== undefined) extra['Key'] = where.key;
    if (code === 'NoSuchUpload' && err.detail?.['uploadId'] !== undefined) extra['UploadId'] = String(err.detail['uploadId']);
    if (code === 'InvalidArgument') {
      for (const f of ['ArgumentName', 'ArgumentValue']) if (err.detail?.[f] !== undefined) extra[f] = String(err.detail[f]);
    }
    const headers: Record<string, string> = {};
    if (code === 'InvalidRange' && err.detail?.['objectSize'] !== undefined) headers['Content-Range'] = `bytes */${err.detail['objectSize']}`;
    Object.assign(headers, deleteMarkerHeaders(err.detail));
    const message = EXPOSE_MESSAGE.has(err.code) ? err.message : undefined;
    return { error: new S3Error(code, message, extra, headers), internal: code === 'InternalError' };
  }
  return { error: new S3Error('InternalError'), internal: true };
}
