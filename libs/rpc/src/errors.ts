import { Metadata, status as Status, type ServiceError as GrpcError, type StatusObject } from '@grpc/grpc-js';
import { isErrorCode, isServiceError, ServiceError, type ErrorCode } from '@massive/contracts';

/** Trailer carrying the exact ServiceError code, so the client rebuilds the very same error. */
export const ERROR_CODE_TRAILER = 'massive-error-code';
/** Trailer carrying ServiceError.detail as JSON (e.g. `{"objectSize":10}` for InvalidRange). */
export const ERROR_DETAIL_TRAILER = 'massive-error-detail';

/** ServiceError code → gRPC status. Exhaustive: a new ErrorCode without a row fails to compile. */
export const ERROR_TO_STATUS: Readonly<Record<ErrorCode, Status>> = {
  NoSuchBucket: Status.NOT_FOUND,
  NoSuchKey: Status.NOT_FOUND,
  NoSuchVersion: Status.NOT_FOUND,
  NoSuchUpload: Status.NOT_FOUND,
  BucketAlreadyExists: Status.ALREADY_EXISTS,
  BucketAlreadyOwnedByYou: Status.ALREADY_EXISTS,
  BucketNotEmpty: Status.FAILED_PRECONDITION,
  InvalidBucketName: Status.INVALID_ARGUMENT,
  InvalidArgument: Status.INVALID_ARGUMENT,
  InvalidPart: Status.INVALID_ARGUMENT,
  InvalidPartOrder: Status.INVALID_ARGUMENT,
  EntityTooSmall: Status.INVALID_ARGUMENT,
  PreconditionFailed: Status.FAILED_PRECONDITION,
  ConditionalRequestConflict: Status.ABORTED,
  InvalidRange: Status.OUT_OF_RANGE,
  BadDigest: Status.INVALID_ARGUMENT,
  InvalidDigest: Status.INVALID_ARGUMENT,
  MethodNotAllowed: Status.FAILED_PRECONDITION,
  ObjectLocked: Status.PERMISSION_DENIED,
  InvalidBucketState: Status.FAILED_PRECONDITION,
  DataCorrupted: Status.DATA_LOSS,
  IntentExpired: Status.FAILED_PRECONDITION,
  Conflict: Status.ABORTED,
  Unavailable: Status.UNAVAILABLE,
  InsufficientStorage: Status.RESOURCE_EXHAUSTED,
  Internal: Status.INTERNAL,
};

/** Statuses that mean "the service could not be reached or did not answer in time": retryable (503). */
const TRANSPORT_STATUSES: ReadonlySet<Status> = new Set([Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED, Status.CANCELLED, Status.RESOURCE_EXHAUSTED, Status.UNKNOWN]);

/** `Status[code]` as a label value (`OK`, `NOT_FOUND`, …). */
export function statusName(code: number): string {
  return Status[code] ?? String(code);
}

/**
 * Server side: any error → the status sent to the client. A ServiceError keeps its code (trailer),
 * message (details) and detail; anything else becomes `Internal` with its message.
 */
/** Any error → a ServiceError (unknown errors are Internal, keeping their message). */
export function asServiceError(err: unknown): ServiceError {
  return isServiceError(err) ? err : new ServiceError('Internal', err instanceof Error ? err.message : String(err));
}

export function toStatus(err: unknown): Partial<StatusObject> & { code: Status; details: string; metadata: Metadata } {
  const metadata = new Metadata();
  const e = asServiceError(err);
  metadata.set(ERROR_CODE_TRAILER, e.code);
  if (e.detail) metadata.set(ERROR_DETAIL_TRAILER, JSON.stringify(e.detail));
  return { code: ERROR_TO_STATUS[e.code], details: e.message, metadata };
}

function isGrpcError(e: unknown): e is GrpcError {
  return e instanceof Error && typeof (e as Partial<GrpcError>).code === 'number' && 'details' in e;
}

/**
 * Client side: a failed call → the ServiceError the server threw (same code, message and detail).
 * Without our trailer the failure happened on the way (connection refused or reset, deadline,
 * overload): `Unavailable`, which the gateway answers with 503 so SDKs retry.
 */
export function fromGrpcError(err: unknown, target: string): ServiceError {
  if (isServiceError(err)) return err;
  if (!isGrpcError(err)) return new ServiceError('Internal', err instanceof Error ? err.message : String(err));
  const code = err.metadata?.get(ERROR_CODE_TRAILER)[0];
  if (typeof code === 'string' && isErrorCode(code)) {
    const raw = err.metadata.get(ERROR_DETAIL_TRAILER)[0];
    return new ServiceError(code, err.details, typeof raw === 'string' ? parseDetail(raw) : undefined);
  }
  if (TRANSPORT_STATUSES.has(err.code)) return new ServiceError('Unavailable', `${target}: ${statusName(err.code)}: ${err.details}`);
  return new ServiceError('Internal', `${target}: ${statusName(err.code)}: ${err.details}`);
}

function parseDetail(raw: string): Record<string, string | number> | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const out: Record<string, string | number> = {};
    for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || typeof x === 'number') out[k] = x;
    return out;
  } catch {
    return undefined;
  }
}
