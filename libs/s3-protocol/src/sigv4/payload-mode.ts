import { S3Error } from '../errors';
import {
  EMPTY_SHA256,
  STREAMING_AWS4_ECDSA_P256_SHA256_PAYLOAD,
  STREAMING_AWS4_ECDSA_P256_SHA256_PAYLOAD_TRAILER,
  STREAMING_AWS4_HMAC_SHA256_PAYLOAD,
  STREAMING_AWS4_HMAC_SHA256_PAYLOAD_TRAILER,
  STREAMING_UNSIGNED_PAYLOAD_TRAILER,
  UNSIGNED_PAYLOAD,
  X_AMZ_CONTENT_SHA256,
} from './constants';

/**
 * How the body is authenticated, from `x-amz-content-sha256`:
 * - `sha256`: the header is the body's hex SHA-256; verify it while reading (`verifyPayloadSha256`).
 * - `unsigned`: `UNSIGNED-PAYLOAD`; the body is not covered by the signature.
 * - the three `streaming-*` modes: the body is aws-chunked; decode it with `decodeAwsChunked`.
 */
export type PayloadMode =
  | 'sha256'
  | 'unsigned'
  | 'streaming-signed'
  | 'streaming-unsigned-trailer'
  | 'streaming-signed-trailer';

export type StreamingPayloadMode = Extract<PayloadMode, `streaming-${string}`>;

const LITERALS: Readonly<Record<string, PayloadMode>> = {
  [UNSIGNED_PAYLOAD]: 'unsigned',
  [STREAMING_AWS4_HMAC_SHA256_PAYLOAD]: 'streaming-signed',
  [STREAMING_UNSIGNED_PAYLOAD_TRAILER]: 'streaming-unsigned-trailer',
  [STREAMING_AWS4_HMAC_SHA256_PAYLOAD_TRAILER]: 'streaming-signed-trailer',
};

const SHA256_HEX = /^[0-9a-f]{64}$/i;
/** The empty body's hash, what every GET, HEAD and DELETE names: answered without the regex. */
const EMPTY_BODY = Object.freeze({ mode: 'sha256' as const, sha256: EMPTY_SHA256 });

/** Reads `x-amz-content-sha256`. AWS answers InvalidArgument for a value that is none of the known forms. */
export function parsePayloadMode(value: string): { mode: PayloadMode; sha256?: string } {
  if (value === EMPTY_SHA256) return EMPTY_BODY;
  const mode = LITERALS[value];
  if (mode !== undefined) return { mode };
  if (SHA256_HEX.test(value)) return { mode: 'sha256', sha256: value.toLowerCase() };
  if (value === STREAMING_AWS4_ECDSA_P256_SHA256_PAYLOAD || value === STREAMING_AWS4_ECDSA_P256_SHA256_PAYLOAD_TRAILER) {
    throw new S3Error('NotImplemented', 'SigV4a (ECDSA) streaming payloads are not supported.', { Header: X_AMZ_CONTENT_SHA256 });
  }
  throw new S3Error(
    'InvalidArgument',
    `x-amz-content-sha256 must be ${UNSIGNED_PAYLOAD}, ${STREAMING_UNSIGNED_PAYLOAD_TRAILER}, ${STREAMING_AWS4_HMAC_SHA256_PAYLOAD}, ${STREAMING_AWS4_HMAC_SHA256_PAYLOAD_TRAILER}, or a valid sha256 value.`,
    { ArgumentName: X_AMZ_CONTENT_SHA256, ArgumentValue: value },
  );
}

export function isStreamingMode(mode: PayloadMode): mode is StreamingPayloadMode {
  return mode.startsWith('streaming-');
}
