import type { IncomingHttpHeaders } from 'node:http';
import { status as Status } from '@grpc/grpc-js';
import { isErrorCode, ServiceError, type ErrorCode } from '@massive/contracts';
import { ERROR_CODE_TRAILER, ERROR_DETAIL_TRAILER, ERROR_TO_STATUS } from '../../errors';

/**
 * The blob data path: Write and Read bodies over plain HTTP/1.1 between gateway and blob (gRPC keeps
 * the control calls). A blob server announces its data port in Describe (`DescribeResponse.data_port`).
 *
 * - `PUT /v1/blob/write`, header `massive-intent-id`, the body raw (chunked when its length is not
 *   known). 200 with the BlobManifest (protobuf, the gRPC message) once every chunk is durable.
 * - `POST /v1/blob/read`, the body a ReadRequest (protobuf: manifest and optional range; a manifest
 *   can list ~5,120 chunks, too much for a header). 200 with the raw bytes, chunked, and a trailer
 *   `massive-status: OK` after the last byte; an error after the first byte ends the body with
 *   `massive-status: <ErrorCode>` and the message and detail in trailers. A body that ends without
 *   that trailer (a cut connection, a proxy that drops trailers) is `Unavailable`, never a short read.
 * - `GET /v1/health`: 200 `serving` or 503; the only request without the service token.
 *
 * Every other request carries `authorization: Bearer <token>` when the service has one (refused:
 * 401), `massive-request-id`, and `massive-timeout-ms` when the call has a deadline. Errors before the
 * body are an HTTP status with `massive-error-code` / `massive-error-detail` headers (the same names as
 * the gRPC trailers) and the message as a text body, so the client rebuilds the same ServiceError.
 */
export const WRITE_PATH = '/v1/blob/write';
export const READ_PATH = '/v1/blob/read';
export const HEALTH_PATH = '/v1/health';
export const INTENT_HEADER = 'massive-intent-id';
export const TIMEOUT_HEADER = 'massive-timeout-ms';
export const STATUS_TRAILER = 'massive-status';
export const MESSAGE_TRAILER = 'massive-error-message';
export const OK_STATUS = 'OK';
export const PROTOBUF = 'application/x-protobuf';
/** Largest ReadRequest body accepted (5,120 chunk refs of ~100 bytes is ~0.5 MiB). */
export const MAX_READ_REQUEST_BYTES = 16 * 1024 * 1024;

/** The message of a refused token, as the gRPC interceptor words it. */
export const UNAUTHENTICATED_MESSAGE = 'missing or wrong service token (authorization: Bearer <MASSIVE_SERVICE_TOKEN>)';

const GRPC_TO_HTTP: Partial<Record<Status, number>> = {
  [Status.NOT_FOUND]: 404,
  [Status.ALREADY_EXISTS]: 409,
  [Status.ABORTED]: 409,
  [Status.FAILED_PRECONDITION]: 412,
  [Status.INVALID_ARGUMENT]: 400,
  [Status.OUT_OF_RANGE]: 416,
  [Status.UNAVAILABLE]: 503,
  [Status.DATA_LOSS]: 500,
  [Status.INTERNAL]: 500,
};

/** The HTTP status of a ServiceError code (informative: the client reads `massive-error-code`). */
export function httpStatusOf(code: ErrorCode): number {
  return GRPC_TO_HTTP[ERROR_TO_STATUS[code]] ?? 500;
}

/** Header/trailer values of an error (message URI-encoded in a trailer: it may hold any character). */
export function errorFields(e: ServiceError): Record<string, string> {
  return { [ERROR_CODE_TRAILER]: e.code, ...(e.detail && { [ERROR_DETAIL_TRAILER]: JSON.stringify(e.detail) }) };
}

export function errorTrailers(e: ServiceError): Record<string, string> {
  return { [STATUS_TRAILER]: e.code, [MESSAGE_TRAILER]: encodeURIComponent(e.message), ...(e.detail && { [ERROR_DETAIL_TRAILER]: JSON.stringify(e.detail) }) };
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Client side: a non-200 response → the ServiceError the server sent. Without our code header the
 * failure happened on the way (a proxy, an older server): 401 is the refused token (Internal, as
 * gRPC's UNAUTHENTICATED), 502/503/504 `Unavailable` (retryable), anything else Internal.
 */
export function errorFromResponse(status: number, headers: IncomingHttpHeaders, body: string, label: string): ServiceError {
  const code = one(headers[ERROR_CODE_TRAILER]);
  if (code !== undefined && isErrorCode(code)) return new ServiceError(code, body, parseDetail(one(headers[ERROR_DETAIL_TRAILER])));
  if (status === 401) return new ServiceError('Internal', `${label}: UNAUTHENTICATED: ${body}`);
  if (status === 502 || status === 503 || status === 504) return new ServiceError('Unavailable', `${label}: HTTP ${status}: ${body.slice(0, 200)}`);
  return new ServiceError('Internal', `${label}: HTTP ${status}: ${body.slice(0, 200)}`);
}

/**
 * Client side: the trailers of a read body → undefined when it ended well, else the error: the
 * server's ServiceError, or `Unavailable` when the status trailer is missing (the body may be short).
 */
export function errorFromTrailers(trailers: NodeJS.Dict<string>, label: string): ServiceError | undefined {
  const code = trailers[STATUS_TRAILER];
  if (code === OK_STATUS) return undefined;
  if (code === undefined) return new ServiceError('Unavailable', `${label}: the read ended without its status trailer (connection cut?)`);
  const message = safeDecode(trailers[MESSAGE_TRAILER] ?? '');
  if (!isErrorCode(code)) return new ServiceError('Internal', `${label}: unknown status ${code.slice(0, 40)}: ${message}`);
  return new ServiceError(code, message, parseDetail(trailers[ERROR_DETAIL_TRAILER]));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function parseDetail(raw: string | undefined): Record<string, string | number> | undefined {
  if (raw === undefined) return undefined;
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

/** The deadline a request's `massive-timeout-ms` header gives (undefined: none, or malformed). */
export function deadlineFrom(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const raw = one(headers[TIMEOUT_HEADER]);
  if (raw === undefined || !/^\d{1,10}$/.test(raw)) return undefined;
  return now + Number(raw);
}
