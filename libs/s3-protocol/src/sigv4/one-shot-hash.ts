import * as crypto from 'node:crypto';

type OneShotHash = ((alg: string, data: string | Uint8Array, enc: 'hex') => string) & ((alg: string, data: string | Uint8Array, enc: 'buffer') => Buffer);

/**
 * `crypto.hash` (Node >= 20.12; package.json asks for 20.15): a digest without a Hash object, what the
 * per-request hashes of SigV4 use. Undefined on an older Node, where callers take `createHash`.
 */
export const oneShotHash = (crypto as { hash?: OneShotHash }).hash;
