import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Seals access-key secrets for storage in metadata: AES-256-GCM under the server's master key, a fresh
 * 96-bit nonce per secret, the access key id as additional data (a sealed secret moved onto another key's
 * record does not open). Format, base64: version(1) nonce(12) tag(16) ciphertext.
 */
const VERSION = 1;
const NONCE = 12;
const TAG = 16;

export const MASTER_KEY_BYTES = 32;

export class SecretSealer {
  private readonly key: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== MASTER_KEY_BYTES) throw new Error(`the master key must be ${MASTER_KEY_BYTES} bytes`);
    this.key = Buffer.from(masterKey);
  }

  seal(secret: string, accessKeyId: string): string {
    const nonce = randomBytes(NONCE);
    const c = createCipheriv('aes-256-gcm', this.key, nonce);
    c.setAAD(Buffer.from(accessKeyId, 'utf8'));
    const body = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, c.getAuthTag(), body]).toString('base64');
  }

  /** The secret, or throws when the sealed value is corrupt, for another key, or sealed under another master key. */
  unseal(sealed: string, accessKeyId: string): string {
    const raw = Buffer.from(sealed, 'base64');
    if (raw.length < 1 + NONCE + TAG || raw[0] !== VERSION) throw new Error(`sealed secret of ${accessKeyId}: unknown format`);
    const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(1, 1 + NONCE));
    d.setAAD(Buffer.from(accessKeyId, 'utf8'));
    d.setAuthTag(raw.subarray(1 + NONCE, 1 + NONCE + TAG));
    try {
      return Buffer.concat([d.update(raw.subarray(1 + NONCE + TAG)), d.final()]).toString('utf8');
    } catch {
      throw new Error(`sealed secret of ${accessKeyId} does not open with this master key`);
    }
  }
}
