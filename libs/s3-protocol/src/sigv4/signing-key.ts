import { createHmac } from 'node:crypto';
import { AWS4_REQUEST } from './constants';
import type { CredentialScope } from './credential';

export function hmacSha256(key: Uint8Array | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
export function deriveSigningKey(secretAccessKey: string, scope: CredentialScope): Buffer {
  const kDate = hmacSha256(`AWS4${secretAccessKey}`, scope.date);
  const kRegion = hmacSha256(kDate, scope.region);
  const kService = hmacSha256(kRegion, scope.service);
  return hmacSha256(kService, AWS4_REQUEST);
}

/**
 * Signing keys by (secret, date, region, service). A key is valid for a whole day, so the hot path does one
 * HMAC (the signature) instead of five. Bounded: the oldest entry goes when full. Create one per gateway
 * (never a module singleton) and pass it to `verifySigV4`.
 */
export class SigningKeyCache {
  private readonly keys = new Map<string, Buffer>();
  constructor(private readonly maxEntries = 1024) {}

  get(secretAccessKey: string, scope: CredentialScope): Buffer {
    // A client's requests name the same scope object (the header parser keeps its last credential,
    // frozen): answered without building and hashing the id.
    const last = this.last;
    if (last !== undefined && last.scope === scope && last.secret === secretAccessKey) return last.key;
    const key = this.lookup(secretAccessKey, scope);
    if (Object.isFrozen(scope)) this.last = { scope, secret: secretAccessKey, key };
    return key;
  }

  private last: { readonly scope: CredentialScope; readonly secret: string; readonly key: Buffer } | undefined;

  private lookup(secretAccessKey: string, scope: CredentialScope): Buffer {
    const id = `${scope.date}\n${scope.region}\n${scope.service}\n${secretAccessKey}`;
    const hit = this.keys.get(id);
    if (hit !== undefined) return hit;
    const key = deriveSigningKey(secretAccessKey, scope);
    if (this.keys.size >= this.maxEntries) {
      const oldest = this.keys.keys().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    this.keys.set(id, key);
    return key;
  }

  get size(): number {
    return this.keys.size;
  }
}
