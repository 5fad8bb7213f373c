import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Seals access-key secrets for storage in metadata: AES-256-GCM under the server's master key, a fresh
 * 96-bit nonce per secret, the access key id as additional data (a sealed secret moved onto another key's
 * record does not open). Format, base64: version(1) nonce(12) tag(16) ciphertext.
 *
 * Rotation: new secrets are sealed under the current master key; the previous ones (newest first) still
 * open what they sealed, tried after the current one (GCM's tag tells a wrong key), and `onPrevious` hears
 * of each such use, so an operator knows when a previous key is no longer needed. After a rotation the
 * gateway seals such secrets again under the current key (key-reseal.ts), so the previous key can go.
 */
const VERSION = 1;
const NONCE = 12;
const TAG = 16;

export const MASTER_KEY_BYTES = 32;

export class SecretSealer {
  private readonly key: Buffer;
  private readonly previous: readonly Buffer[];

  constructor(
    masterKey: Buffer,
    previousMasterKeys: readonly Buffer[] = [],
    private readonly onPrevious: (accessKeyId: string) => void = () => undefined,
  ) {
    for (const k of [masterKey, ...previousMasterKeys]) {
      if (k.length !== MASTER_KEY_BYTES) throw new Error(`the master key must be ${MASTER_KEY_BYTES} bytes`);
    }
    this.key = Buffer.from(masterKey);
    this.previous = previousMasterKeys.map((k) => Buffer.from(k));
  }

  seal(secret: string, accessKeyId: string): string {
    const nonce = randomBytes(NONCE);
    const c = createCipheriv('aes-256-gcm', this.key, nonce);
    c.setAAD(Buffer.from(accessKeyId, 'utf8'));
    const body = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, c.getAuthTag(), body]).toString('base64');
  }

  /** The secret, or throws when the sealed value is corrupt, for another key, or sealed under a master key not configured. */
  unseal(sealed: string, accessKeyId: string): string {
    return this.open(sealed, accessKeyId).secret;
  }

  /** As `unseal`, also saying whether a previous master key opened it (it is then worth sealing again). */
  open(sealed: string, accessKeyId: string): { readonly secret: string; readonly previous: boolean } {
    const raw = Buffer.from(sealed, 'base64');
    if (raw.length < 1 + NONCE + TAG || raw[0] !== VERSION) throw new Error(`sealed secret of ${accessKeyId}: unknown format`);
    const current = open(raw, this.key, accessKeyId);
    if (current !== undefined) return { secret: current, previous: false };
    for (const key of this.previous) {
      const secret = open(raw, key, accessKeyId);
      if (secret === undefined) continue;
      this.onPrevious(accessKeyId);
      return { secret, previous: true };
    }
    throw new Error(`sealed secret of ${accessKeyId} does not open with this master key${this.previous.length > 0 ? ' or a previous one' : ''}`);
  }
}

function open(raw: Buffer, key: Buffer, accessKeyId: string): string | undefined {
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(1, 1 + NONCE));
  d.setAAD(Buffer.from(accessKeyId, 'utf8'));
  d.setAuthTag(raw.subarray(1 + NONCE, 1 + NONCE + TAG));
  try {
    return Buffer.concat([d.update(raw.subarray(1 + NONCE + TAG)), d.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
