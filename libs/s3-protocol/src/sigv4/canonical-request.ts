import * as crypto from 'node:crypto';

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
  return `${p.method}\n${p.uri}\n${p.query}\n${p.headers}\n${p.signedHeaders.join(';')}\n${p.payloadHash}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  // One-shot hashing (Node >= 20.12) skips the Hash object: the canonical request is hashed per request.
  return typeof data === 'string' && oneShot ? oneShot('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;
