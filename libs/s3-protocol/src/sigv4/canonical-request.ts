import * as crypto from 'node:crypto';
import { oneShotHash } from './one-shot-hash';
import { signedHeadersText } from './parse-authorization';

export interface CanonicalRequestParts {
  readonly method: string;
  /** From `canonicalUri`. */
  readonly uri: string;
  /** From `canonicalQuery`. */
  readonly query: string;
  /** From `canonicalHeaders`. */
  readonly headers: string;
  readonly signedHeaders: readonly string[];
  /** Hex SHA-256 of the body, or a literal such as `UNSIGNED-PAYLOAD`. */
  readonly payloadHash: string;
}

/** CanonicalRequest = Method \n URI \n Query \n Headers \n SignedHeaders \n HashedPayload */
export function canonicalRequest(p: CanonicalRequestParts): string {
  return `${p.method}\n${p.uri}\n${p.query}\n${p.headers}\n${signedHeadersText(p.signedHeaders)}\n${p.payloadHash}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  // One-shot hashing (Node >= 20.12) skips the Hash object: the canonical request is hashed per request.
  return typeof data === 'string' && oneShotHash ? oneShotHash('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * The canonical request as the bytes the client hashed. Node's HTTP parser hands header values (and
 * the request line) over as latin1: one char per byte on the wire. A client that sends UTF-8 metadata
 * (`x-amz-meta-name: héllo`, what the AWS SDKs do) hashed those UTF-8 bytes, so a string with chars
 * 0x80-0xFF is hashed byte for byte (latin1). ASCII, the common case, hashes the same either way; a
 * string with chars past 0xFF cannot have come off the wire and is hashed as UTF-8.
 */
export function sha256HexOfWire(data: string): string {
  // ASCII (as good as every request) when its UTF-8 is one byte per char: a native count, where a
  // regex over the whole canonical request cost ~1% of a 4 KiB GET's instructions.
  if (Buffer.byteLength(data, 'utf8') === data.length || /[^\x00-\xff]/.test(data)) return sha256Hex(data);
  return crypto.createHash('sha256').update(data, 'latin1').digest('hex');
}

