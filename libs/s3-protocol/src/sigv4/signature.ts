import { oneShotHash as oneShot } from './one-shot-hash';
import { hmacSha256 } from './signing-key';

/**
 * Signature = hex(HMAC(kSigning, StringToSign)), computed once per request (and once per aws-chunked
 * chunk). HMAC-SHA256 is spelled out (RFC 2104) over one-shot `crypto.hash` calls, with the key's
 * inner and outer pads derived once per signing key: `createHmac` looks the digest up in OpenSSL's
 * provider tables for every call, which the gateway's profile showed at 4-5 µs per 4 KiB GET (against
 * ~1.5 µs in a loop, with OpenSSL's tables in cache).
 * A signing key must not be changed after its first use here: its pads are kept by identity.
 */
export function computeSignature(signingKey: Uint8Array, stringToSign: string): string {
  if (oneShot === undefined || signingKey.length > BLOCK) return hmacSha256(signingKey, stringToSign).toString('hex');
  const pads = padsOf(signingKey);
  const n = Buffer.byteLength(stringToSign, 'utf8');
  if (inner.length < BLOCK + n) inner = Buffer.allocUnsafe(Math.max(2 * inner.length, BLOCK + n));
  pads.copy(inner, 0, 0, BLOCK);
  inner.write(stringToSign, BLOCK, 'utf8');
  const innerHash = oneShot('sha256', inner.subarray(0, BLOCK + n), 'buffer');
  pads.copy(outer, 0, BLOCK, 2 * BLOCK);
  innerHash.copy(outer, BLOCK);
  return oneShot('sha256', outer, 'hex');
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

/** SHA-256's block size: keys up to this long are zero-padded to it; longer ones would be hashed first. */
const BLOCK = 64;


/** ipad (key XOR 0x36) then opad (key XOR 0x5c), each one block, by key. */
const padCache = new WeakMap<Uint8Array, Buffer>();
function padsOf(key: Uint8Array): Buffer {
  let pads = padCache.get(key);
  if (pads === undefined) {
    pads = Buffer.alloc(2 * BLOCK);
    for (let i = 0; i < BLOCK; i++) {
      const k = i < key.length ? key[i] : 0;
      pads[i] = k ^ 0x36;
      pads[BLOCK + i] = k ^ 0x5c;
    }
    padCache.set(key, pads);
  }
  return pads;
}

/** Scratch for ipad || message and opad || inner hash: the hashing is synchronous, nothing else holds them. */
let inner = Buffer.allocUnsafe(512);
const outer = Buffer.allocUnsafe(BLOCK + 32);
