import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { S3Error, type PayloadMode } from '@massive/s3-protocol';

/** Payloads the signature does not cover: `UNSIGNED-PAYLOAD` and `STREAMING-UNSIGNED-PAYLOAD-TRAILER`. */
const UNSIGNED_MODES: ReadonlySet<PayloadMode> = new Set(['unsigned', 'streaming-unsigned-trailer']);

/** Whether the request came over TLS (the gateway serving HTTPS itself). */
export function overTls(req: IncomingMessage): boolean {
  return (req.socket as Partial<TLSSocket>).encrypted === true;
}

/** Whether the request carries a body (a presigned GET is UNSIGNED-PAYLOAD too, but has nothing to protect). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined) return true;
  return length !== undefined && length.trim() !== '0';
}

/**
 * `MASSIVE_REQUIRE_SIGNED_PAYLOAD=true`: over plain HTTP a body must be covered by the signature (a
 * SHA-256 in `x-amz-content-sha256`, or signed aws-chunked); an unsigned one (`UNSIGNED-PAYLOAD`,
 * unsigned streaming with trailers, and so browser POST uploads and presigned PUTs) is refused with
 * AccessDenied before a byte of it is read, since anyone on the path could change it. Over HTTPS TLS
 * protects the body, so it is accepted, as AWS does.
 */
export function refuseUnsignedPayload(req: IncomingMessage, payloadMode: PayloadMode): void {
  if (!UNSIGNED_MODES.has(payloadMode) || overTls(req) || !hasBody(req)) return;
  throw new S3Error('AccessDenied', 'Unsigned payloads are refused over plain HTTP on this server: sign the payload (x-amz-content-sha256) or use HTTPS.');
}
