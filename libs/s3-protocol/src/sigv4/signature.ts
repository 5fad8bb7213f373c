import { timingSafeEqual } from 'node:crypto';
import { hmacSha256 } from './signing-key';

/** Signature = hex(HMAC(kSigning, StringToSign)) */
export function computeSignature(signingKey: Uint8Array, stringToSign: string): string {
  return hmacSha256(signingKey, stringToSign).toString('hex');
}

/** Constant-time comparison of two hex signatures (lengths are public: always 64). */
export function signaturesEqual(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(provided, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}
