import { createHash, hkdfSync } from 'node:crypto';
import { MasterKeys } from '@massive/s3-api';

/**
 * The key that seals objects' data keys for SSE-S3, derived from the gateway's master key (the one that
 * already seals access-key secrets: MASSIVE_MASTER_KEY, or the file local mode generates), so operators
 * keep one secret and every replica that shares it reads every object. HKDF with its own label keeps the
 * two uses apart: neither sealed form can be opened, or forged, with the other's key. The id names the
 * derived key in each sealed data key (a fingerprint, not the key), so a gateway started with a
 * different master key says which one an object needs instead of failing on a tag.
 *
 * Rotation: keys derived from the previous master keys (MASSIVE_PREVIOUS_MASTER_KEYS) still open the data
 * keys they sealed; new ones are sealed under the current key. `onPrevious` hears of each such use.
 */
export function sseKeysFrom(masterKey: Buffer, previous: readonly Buffer[] = [], onPrevious?: (id: string) => void): MasterKeys {
  return new MasterKeys([masterKey, ...previous].map(derived), onPrevious);
}

function derived(masterKey: Buffer): { id: string; key: Buffer } {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'massive sse-s3 key-encryption key v1', 32));
  return { id: `mk-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`, key };
}
