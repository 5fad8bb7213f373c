import { hmacSha256 } from './signing-key';

/** Signature = hex(HMAC(kSigning, StringToSign)) */
export function computeSignature(signingKey: Uint8Array, stringToSign: string): string {
  return hmacSha256(signingKey, stringToSign).toString('hex');
}

/**
 * Constant-time comparison of two hex signatures (lengths are public: always 64): every character is
 * compared, whatever differs first, with no allocation on the hot path.
 */
export function signaturesEqual(expected: string, provided: string): boolean {
  if (expected.length !== provided.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ provided.charCodeAt(i);
  return diff === 0;
}
