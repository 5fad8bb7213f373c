import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ServiceError } from '@massive/contracts';
import type { SseKeys } from '../types';

/**
 * The gateway's SSE-S3 master keys (envelope encryption). Each object gets a fresh random 32-byte data
 * key that encrypts its bytes (package-format.ts); only that data key, sealed under a master key, is
 * stored with the object's metadata. So the metadata and blob services never hold anything that opens
 * the data, and rotating the master key needs no object rewritten: put a new key first, keep the old
 * ones after it until nothing sealed under them remains.
 *
 * Sealed form: `v1:<keyId>:<base64url(nonce 12 | ciphertext 32 | tag 16)>`, AES-256-GCM under the master
 * key, with AAD `massive-sse-v1\0` + the object's `bucket/key`: a sealed key copied onto another object
 * does not open there. The key id names the master key, so rotation knows which one to use.
 *
 * Key bytes live in private (#) fields: `util.inspect` and JSON never show them, and no error message
 * here quotes a key. The gateway builds its keys from its master key (apps/gateway/src/sse-keys.ts).
 */
const ID = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_BYTES = 32;
const NONCE = 12;
const TAG = 16;
const SEALED_BYTES = NONCE + KEY_BYTES + TAG;
const SEALED_B64URL = /^[A-Za-z0-9_-]+$/;
const FORMAT = 'v1';
const AAD_PREFIX = Buffer.from('massive-sse-v1\0', 'latin1');
const ALGORITHM = 'aes-256-gcm';

export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

export class MasterKeys implements SseKeys {
  readonly #byId = new Map<string, Buffer>();
  readonly #currentId: string;
  readonly #currentKey: Buffer;

  /**
   * `keys[0]` seals new data keys; all of them unseal. `onPrevious` hears of each data key a key other
   * than the current one opened (rotation: a previous key can go once nothing needs it).
   */
  constructor(
    keys: readonly MasterKey[],
    private readonly onPrevious: (id: string) => void = () => undefined,
  ) {
    if (keys.length === 0) throw new Error('SSE master keys: at least one key is required');
    const owned = keys.map(({ id, key }, i) => {
      const where = `SSE master key ${i + 1}`;
      if (!ID.test(id)) throw new Error(`${where}: the id must be 1-64 characters of A-Z a-z 0-9 . _ -`);
      if (key.length !== KEY_BYTES) throw new Error(`${where}: must be ${KEY_BYTES} bytes, got ${key.length}`);
      const earlier = keys.findIndex((k) => k.id === id);
      if (earlier < i) throw new Error(`${where}: id "${id}" is already the id of key ${earlier + 1}`);
      const copy = Buffer.from(key); // our own copy: the caller may reuse or wipe theirs
      this.#byId.set(id, copy);
      return copy;
    });
    this.#currentId = keys[0].id;
    this.#currentKey = owned[0];
  }

  /** The id of the key new data keys are sealed under. */
  get currentId(): string {
    return this.#currentId;
  }

  newDataKey(context: string): { readonly dataKey: Buffer; readonly sealed: string } {
    const dataKey = randomBytes(KEY_BYTES);
    return { dataKey, sealed: this.#seal(dataKey, context) };
  }

  #seal(dataKey: Buffer, context: string): string {
    const out = Buffer.allocUnsafe(SEALED_BYTES);
    randomBytes(NONCE).copy(out, 0);
    const cipher = createCipheriv(ALGORITHM, this.#currentKey, out.subarray(0, NONCE), { authTagLength: TAG });
    cipher.setAAD(aad(context));
    const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    ct.copy(out, NONCE);
    cipher.getAuthTag().copy(out, NONCE + KEY_BYTES);
    return `${FORMAT}:${this.#currentId}:${out.toString('base64url')}`;
  }

  /**
   * The same data key, sealed under the current key (rotation: an object's bytes need not be rewritten to
   * stop needing a previous key). `sealed` itself when the current key sealed it.
   */
  reseal(sealed: string, context: string): string {
    const dataKey = this.unseal(sealed, context);
    if (sealed.startsWith(`${FORMAT}:${this.#currentId}:`)) return sealed;
    return this.#seal(dataKey, context);
  }

  unseal(sealed: string, context: string): Buffer {
    const parts = sealed.split(':');
    if (parts.length !== 3 || parts[0] !== FORMAT || !ID.test(parts[1]) || !SEALED_B64URL.test(parts[2])) {
      throw new ServiceError('DataCorrupted', 'sealed object key is malformed');
    }
    const [, id, body] = parts;
    const raw = Buffer.from(body, 'base64url');
    if (raw.length !== SEALED_BYTES || raw.toString('base64url') !== body) throw new ServiceError('DataCorrupted', 'sealed object key is malformed');
    const master = this.#byId.get(id);
    if (!master) throw new ServiceError('Internal', `object key sealed under master key "${id}", which this gateway is not configured with`);
    const decipher = createDecipheriv(ALGORITHM, master, raw.subarray(0, NONCE), { authTagLength: TAG });
    decipher.setAAD(aad(context));
    decipher.setAuthTag(raw.subarray(NONCE + KEY_BYTES));
    try {
      const dataKey = Buffer.concat([decipher.update(raw.subarray(NONCE, NONCE + KEY_BYTES)), decipher.final()]);
      if (id !== this.#currentId) this.onPrevious(id);
      return dataKey;
    } catch {
      throw new ServiceError('DataCorrupted', `sealed object key under master key "${id}" failed authentication (altered, or sealed for another object)`);
    }
  }
}

function aad(context: string): Buffer {
  return Buffer.concat([AAD_PREFIX, Buffer.from(context, 'utf8')]);
}
