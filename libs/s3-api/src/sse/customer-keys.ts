import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ServiceError } from '@massive/contracts';
import { S3Error } from '@massive/s3-protocol';
import { header } from '../http/object-headers';

/**
 * SSE-C: server-side encryption with a key the client sends on every request and we never store.
 *
 * As with SSE-S3 (master-keys.ts), each object gets a fresh random data key that encrypts its bytes
 * (package-format.ts). Here that data key is sealed under a key derived from the customer's key:
 * `c1:<base64url(salt 16 | nonce 12 | ciphertext 32 | tag 16)>`, AES-256-GCM under
 * HKDF-SHA256(customer key, salt, "massive-sse-c-v1"), AAD `massive-sse-c-v1\0` + `bucket/key`. A fresh
 * salt per object gives every object its own key-encryption key, so one customer key may seal any
 * number of objects without a GCM nonce ever repeating under one key. What metadata keeps is the sealed
 * data key and the base64 MD5 of the customer's key, which S3 answers in
 * `x-amz-server-side-encryption-customer-key-MD5` (the MD5 of a random 256-bit key reveals nothing of
 * it). A read must present a key with the same MD5, and that key must then open the seal.
 *
 * The ETag of an SSE-C object is not the MD5 of its plaintext (S3 documents the same: it would let
 * anyone who can list the bucket confirm a guess of the contents). It is an HMAC of that MD5 under the
 * object's data key: stable for the object, different for the same bytes under another key.
 */
export const CUSTOMER_ALGORITHM_HEADER = 'x-amz-server-side-encryption-customer-algorithm';
export const CUSTOMER_KEY_HEADER = 'x-amz-server-side-encryption-customer-key';
export const CUSTOMER_KEY_MD5_HEADER = 'x-amz-server-side-encryption-customer-key-md5';
/** How S3 spells it in responses. */
export const CUSTOMER_KEY_MD5_RESPONSE_HEADER = 'x-amz-server-side-encryption-customer-key-MD5';

/** The same three for a copy's source: `x-amz-copy-source-server-side-encryption-customer-*`. */
function copySourceName(name: string): string {
  return `x-amz-copy-source-${name.slice('x-amz-'.length)}`;
}
const NAMES = { algorithm: CUSTOMER_ALGORITHM_HEADER, key: CUSTOMER_KEY_HEADER, md5: CUSTOMER_KEY_MD5_HEADER };
const COPY_SOURCE_NAMES = { algorithm: copySourceName(CUSTOMER_ALGORITHM_HEADER), key: copySourceName(CUSTOMER_KEY_HEADER), md5: copySourceName(CUSTOMER_KEY_MD5_HEADER) };

/** Every SSE-C request header (lower case), destination and copy source. */
export const CUSTOMER_HEADERS: readonly string[] = [...Object.values(NAMES), ...Object.values(COPY_SOURCE_NAMES)];

const KEY_BYTES = 32;
const SALT = 16;
const NONCE = 12;
const TAG = 16;
const SEALED_BYTES = SALT + NONCE + KEY_BYTES + TAG;
const FORMAT = 'c1:';
const INFO = Buffer.from('massive-sse-c-v1', 'latin1');
const AAD_PREFIX = Buffer.from('massive-sse-c-v1\0', 'latin1');
const ETAG_PREFIX = Buffer.from('massive-sse-c-etag-v1\0', 'latin1');

export const SECURE_CONNECTION_REQUIRED = 'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.';
export const ENCRYPTED_OBJECT = 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.';
export const NOT_APPLICABLE = 'The encryption parameters are not applicable to this object.';
/** A read (GET, HEAD, GetObjectAttributes) with another key: 403 with this message. */
export const WRONG_KEY = 'Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.';

/** What S3 answers when a request's key does not fit the object or upload (checkCustomerKey). */
export interface KeyRefusals {
  /** InvalidRequest's message without a key. */
  readonly missing: string;
  /** The error for another key. */
  wrong(): S3Error;
}
/** Reading an object (GET, HEAD, GetObjectAttributes). */
export const READING: KeyRefusals = { missing: ENCRYPTED_OBJECT, wrong: () => new S3Error('AccessDenied', WRONG_KEY) };
/** Reading a copy's source. */
export const COPYING: KeyRefusals = { missing: ENCRYPTED_OBJECT, wrong: () => new S3Error('AccessDenied') };
/** Writing a part of an upload: S3 answers another key with 400, not 403. */
export const UPLOADING: KeyRefusals = {
  missing: 'The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.',
  wrong: () => new S3Error('InvalidRequest', 'The provided encryption parameters did not match the ones used originally.'),
};

/** A customer's key as one request presented it (the key bytes in a private field: never logged or serialised). */
export class CustomerKey {
  readonly #key: Buffer;
  constructor(
    key: Buffer,
    /** Base64 MD5 of the key, as the client sent it (and verified). */
    readonly md5: string,
  ) {
    this.#key = key;
  }

  /** @internal The key-encryption key for one object's salt. */
  kek(salt: Buffer): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#key, salt, INFO, KEY_BYTES));
  }

  /** Never shows the key. */
  toJSON(): string {
    return `CustomerKey(md5=${this.md5})`;
  }
}

/**
 * The SSE-C key a request presents (`copySource`: the copy source's headers), validated as S3 does;
 * undefined when it names none. Throws S3's errors for a partial, malformed or inconsistent set, with
 * S3's codes, messages and ArgumentName (`x-amz-server-side-encryption` for all of them, as S3 answers:
 * LocalStack's AWS-validated captures record it).
 */
export function customerKeyOf(h: IncomingHttpHeaders, copySource = false): CustomerKey | undefined {
  const names = copySource ? COPY_SOURCE_NAMES : NAMES;
  const algorithm = header(h, names.algorithm);
  const key = header(h, names.key);
  const md5 = header(h, names.md5);
  if (algorithm === undefined && key === undefined && md5 === undefined) return undefined;
  const requests = 'Requests specifying Server Side Encryption with Customer provided keys must provide';
  if (algorithm === undefined) throw invalid(`${requests} a valid encryption algorithm.`);
  if (algorithm !== 'AES256') throw new S3Error('InvalidEncryptionAlgorithmError', undefined, { ArgumentName: SSE_ARGUMENT, ArgumentValue: algorithm });
  if (key === undefined) throw invalid(`${requests} an appropriate secret key.`);
  if (md5 === undefined) throw invalid(`${requests} the client calculated MD5 of the secret key.`);
  // S3 compares the MD5 first, then the key's length; the key's value is never echoed back.
  const raw = decodeBase64(key);
  const digest = raw && createHash('md5').update(raw).digest();
  const given = decodeBase64(md5);
  if (!digest || !given?.equals(digest)) throw invalid('The calculated MD5 hash of the key did not match the hash that was provided.');
  if (raw.length !== KEY_BYTES) throw invalid('The secret key was invalid for the specified algorithm.');
  return new CustomerKey(raw, digest.toString('base64'));
}

/** Whether a request carries the destination's SSE-C headers (not the copy source's). */
export function asksForCustomerKey(h: IncomingHttpHeaders): boolean {
  return h[NAMES.algorithm] !== undefined || h[NAMES.key] !== undefined || h[NAMES.md5] !== undefined;
}

/** Whether a request carries any SSE-C header (for the secure-connection rule). */
export function hasCustomerHeaders(h: IncomingHttpHeaders): boolean {
  for (const name of CUSTOMER_HEADERS) if (h[name] !== undefined) return true;
  return false;
}

/** A fresh data key for `context` (`bucket/key`), sealed under `customer`'s key. */
export function newCustomerDataKey(customer: CustomerKey, context: string): { readonly dataKey: Buffer; readonly sealed: string } {
  const dataKey = randomBytes(KEY_BYTES);
  const out = Buffer.allocUnsafe(SEALED_BYTES);
  randomBytes(SALT + NONCE).copy(out, 0);
  const cipher = createCipheriv('aes-256-gcm', customer.kek(out.subarray(0, SALT)), out.subarray(SALT, SALT + NONCE), { authTagLength: TAG });
  cipher.setAAD(aad(context));
  const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  ct.copy(out, SALT + NONCE);
  cipher.getAuthTag().copy(out, SALT + NONCE + KEY_BYTES);
  return { dataKey, sealed: FORMAT + out.toString('base64url') };
}

/**
 * The data key `sealed` holds, opened with `customer`'s key. The caller has matched the key's MD5 with
 * the stored one; a key that still fails to open the seal is refused as S3 refuses a wrong key (403).
 */
export function openCustomerDataKey(sealed: string, customer: CustomerKey, context: string): Buffer {
  const raw = sealed.startsWith(FORMAT) ? Buffer.from(sealed.slice(FORMAT.length), 'base64url') : undefined;
  if (!raw || raw.length !== SEALED_BYTES) throw new ServiceError('DataCorrupted', 'sealed SSE-C object key is malformed');
  const decipher = createDecipheriv('aes-256-gcm', customer.kek(raw.subarray(0, SALT)), raw.subarray(SALT, SALT + NONCE), { authTagLength: TAG });
  decipher.setAAD(aad(context));
  decipher.setAuthTag(raw.subarray(SALT + NONCE + KEY_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(SALT + NONCE, SALT + NONCE + KEY_BYTES)), decipher.final()]);
  } catch {
    throw new S3Error('AccessDenied');
  }
}

/** The ETag S3 answers for an SSE-C body whose plaintext MD5 is `md5Hex`, under its data key. */
export function customerEtag(dataKey: Buffer, md5Hex: string): string {
  return createHmac('sha256', dataKey).update(ETAG_PREFIX).update(md5Hex, 'latin1').digest('hex').slice(0, 32);
}

function aad(context: string): Buffer {
  return Buffer.concat([AAD_PREFIX, Buffer.from(context, 'utf8')]);
}

/** Strict base64 (standard alphabet, padded): undefined for anything else. */
function decodeBase64(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return undefined;
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : undefined;
}

/** The ArgumentName S3 gives every SSE-C header error. */
const SSE_ARGUMENT = 'x-amz-server-side-encryption';

function invalid(message: string): S3Error {
  return new S3Error('InvalidArgument', message, { ArgumentName: SSE_ARGUMENT, ArgumentValue: 'null' });
}
