/**
 * Errors that cross the service ports. The code is a closed union: S3 names where the meaning is the
 * S3 one, plus internal codes (`Conflict`, `Unavailable`, `Internal`). The gateway maps each to exactly
 * one S3 error (s3-api `toS3Error`); gRPC carries the code verbatim in trailers.
 */
export const ERROR_CODES = [
  'NoSuchBucket',
  'NoSuchKey',
  'NoSuchVersion',
  'NoSuchUpload',
  'BucketAlreadyExists',
  'BucketAlreadyOwnedByYou',
  'BucketNotEmpty',
  'InvalidBucketName',
  'InvalidArgument',
  'InvalidPart',
  'InvalidPartOrder',
  'EntityTooSmall',
  'PreconditionFailed',
  /** A conditional CompleteMultipartUpload whose key was written while the upload ran (S3 409): the upload is gone. */
  'ConditionalRequestConflict',
  'InvalidRange',
  'BadDigest',
  'InvalidDigest',
  /** GET/HEAD of a delete marker by version id (S3 405). */
  'MethodNotAllowed',
  /** Object Lock: the version is under a retention or a legal hold (S3 403 AccessDenied). */
  'ObjectLocked',
  /** The bucket's state forbids the change (Object Lock and versioning; S3 409). */
  'InvalidBucketState',
  /** Stored bytes failed their checksum: never returned as data. */
  'DataCorrupted',
  /** The write intent expired (or was reclaimed) before the commit. */
  'IntentExpired',
  /** A transaction kept conflicting past the retry budget. */
  'Conflict',
  /** A dependency is down or overloaded; clients may retry. */
  'Unavailable',
  /**
   * The store has no room for this write: its free space is below the reserve kept for deletes, or
   * the disk itself is full. Nothing was written; reads and deletes still work (S3 507).
   */
  'InsufficientStorage',
  'Internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(s: string): s is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(s);
}

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly code: ErrorCode,
    message: string = code,
    /** Extra structured detail for the edge (e.g. `{ objectSize }` for InvalidRange). */
    readonly detail?: Readonly<Record<string, string | number>>,
  ) {
    super(message);
  }
}

export function isServiceError(e: unknown, code?: ErrorCode): e is ServiceError {
  return e instanceof ServiceError && (code === undefined || e.code === code);
}
