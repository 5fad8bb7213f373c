import type { IncomingHttpHeaders } from 'node:http';
import { ServiceError, type CallCtx, type ObjectEncryption, type ObjectHeaders } from '@massive/contracts';
import { S3Error } from '@massive/s3-protocol';
import { header } from '../http/object-headers';
import { cipherRange, decryptStream } from './package-format';
import { asksForCustomerKey, CUSTOMER_ALGORITHM_HEADER, CUSTOMER_KEY_MD5_RESPONSE_HEADER, customerKeyOf, newCustomerDataKey, NOT_APPLICABLE, openCustomerDataKey, READING, type CustomerKey, type KeyRefusals } from './customer-keys';
import type { S3ApiDeps } from '../types';

/**
 * SSE-S3 and SSE-C as the handlers see them. An encrypted object (or multipart upload) carries
 * `headers.sse`: the algorithm and its data key sealed under the gateway's master key for `bucket/key`
 * (master-keys.ts), or, with `customerKeyMd5`, under the key the client supplies with every request
 * (customer-keys.ts). The data key encrypts the bytes as packages (package-format.ts): a single PUT is
 * stream 0, part N of a multipart upload stream N. Hashes, checksums and sizes are of the plaintext, as
 * in S3; so are ETags, except under SSE-C.
 */
export const SSE_HEADER = 'x-amz-server-side-encryption';

/** An encryption to write with: what metadata stores, and the data key the bytes are sealed with. */
export interface Encryption {
  readonly sse: ObjectEncryption;
  readonly dataKey: Buffer;
}

/** The operations that take `x-amz-server-side-encryption` (a POST form's field stands for PutObject's). */
export const SSE_WRITE_OPERATIONS: ReadonlySet<string> = new Set(['PutObject', 'CopyObject', 'CreateMultipartUpload', 'PostObject']);

/**
 * The encryption a new object gets: the customer key its request supplies (SSE-C), or the one it names
 * (`x-amz-server-side-encryption`), else its bucket's default (PutBucketEncryption), else none. `AES256`
 * is served; SSE-KMS is not (501).
 */
export async function writeEncryption(h: IncomingHttpHeaders, bucket: string, key: string, deps: S3ApiDeps, ctx: CallCtx): Promise<Encryption | undefined> {
  const asked = header(h, SSE_HEADER);
  // S3 checks this before the customer headers themselves (and its message has no final period).
  if (asked !== undefined && asksForCustomerKey(h)) {
    throw new S3Error('InvalidArgument', 'Server Side Encryption with Customer provided key is incompatible with the encryption method specified', { ArgumentName: SSE_HEADER, ArgumentValue: asked });
  }
  const customer = customerKeyOf(h);
  if (customer) {
    const { dataKey, sealed } = newCustomerDataKey(customer, `${bucket}/${key}`);
    return { sse: { algorithm: 'AES256', key: sealed, customerKeyMd5: customer.md5 }, dataKey };
  }
  const algorithm = asked !== undefined ? parseAlgorithm(asked) : await deps.writeDefaults?.defaultAlgorithm(bucket, ctx);
  return algorithm ? newEncryption(bucket, key, deps) : undefined;
}

/** `headers` with `enc`'s sealed key (or as they are, without one). */
export function withEncryption(headers: ObjectHeaders, enc: Encryption | undefined): ObjectHeaders {
  if (enc) return { ...headers, sse: enc.sse };
  if (!headers.sse) return headers;
  const { sse: _dropped, ...rest } = headers;
  return rest;
}

/** What `ingest` needs to store a body of this encryption as package stream `stream`. */
export function ingestEncryption(enc: Encryption | undefined, stream: number): { readonly dataKey: Buffer; readonly stream: number; readonly customer: boolean } | undefined {
  return enc && { dataKey: enc.dataKey, stream, customer: enc.sse.customerKeyMd5 !== undefined };
}

/** What `ingest` needs to store part `partNumber` of an upload with these headers, whose data key is `dataKey`. */
export function partEncryption(upload: ObjectHeaders, dataKey: Buffer | undefined, partNumber: number): { readonly dataKey: Buffer; readonly stream: number; readonly customer: boolean } | undefined {
  return dataKey && { dataKey, stream: partNumber, customer: upload.sse?.customerKeyMd5 !== undefined };
}

/** Whether the request names an encryption itself (a copy onto itself that does is a change). */
export function asksForEncryption(h: IncomingHttpHeaders): boolean {
  const asked = header(h, SSE_HEADER);
  if (asked !== undefined) parseAlgorithm(asked);
  return asked !== undefined || customerKeyOf(h) !== undefined;
}

/** Whether these headers describe an SSE-C object or upload. */
export function isCustomerEncrypted(h: ObjectHeaders): boolean {
  return h.sse?.customerKeyMd5 !== undefined;
}

function parseAlgorithm(value: string): 'AES256' {
  if (value === 'AES256') return value;
  if (value === 'aws:kms' || value === 'aws:kms:dsse') {
    throw new S3Error('NotImplemented', 'SSE-KMS is not supported by this service; use AES256 (SSE-S3).', { Header: SSE_HEADER });
  }
  throw new S3Error('InvalidArgument', 'The encryption method specified is not supported', { ArgumentName: SSE_HEADER, ArgumentValue: value });
}

/** A fresh data key for `bucket/key`, sealed under the current master key. */
export function newEncryption(bucket: string, key: string, deps: S3ApiDeps): Encryption {
  if (!deps.sse) throw new S3Error('NotImplemented', 'Server-side encryption is not configured on this service (no master key).', { Header: SSE_HEADER });
  const { dataKey, sealed } = deps.sse.newDataKey(`${bucket}/${key}`);
  return { sse: { algorithm: 'AES256', key: sealed }, dataKey };
}

/** An object's sealed data key, sealed again under the current master key (its bytes stay as they are). */
export function resealedKey(sealed: string, bucket: string, key: string, deps: S3ApiDeps): string {
  if (!deps.sse) throw new ServiceError('Internal', `${bucket}/${key} is encrypted, and this gateway has no master keys`);
  return deps.sse.reseal(sealed, `${bucket}/${key}`);
}

/**
 * Checks the SSE-C key a request presents (`customer`) against an object or upload with headers `h`,
 * as S3 does: an SSE-C object needs its key (`refusals` say how S3 refuses none or another), and
 * anything else takes none (InvalidRequest).
 */
export function checkCustomerKey(h: ObjectHeaders, customer: CustomerKey | undefined, refusals: KeyRefusals = READING): void {
  const md5 = h.sse?.customerKeyMd5;
  if (md5 === undefined) {
    if (customer) throw new S3Error('InvalidRequest', NOT_APPLICABLE);
    return;
  }
  if (!customer) throw new S3Error('InvalidRequest', refusals.missing);
  if (customer.md5 !== md5) throw refusals.wrong();
}

/**
 * The data key of an encrypted object or upload stored under `bucket/key`; undefined when it is not
 * encrypted. An SSE-C one opens only with `customer`, the key its request presents (checkCustomerKey).
 */
export function dataKeyOf(h: ObjectHeaders, bucket: string, key: string, deps: S3ApiDeps, customer: CustomerKey | undefined, refusals: KeyRefusals = READING): Buffer | undefined {
  checkCustomerKey(h, customer, refusals);
  if (!h.sse) return undefined;
  if (customer) return openCustomerDataKey(h.sse.key, customer, `${bucket}/${key}`);
  if (!deps.sse) throw new ServiceError('Internal', `${bucket}/${key} is encrypted, and this gateway has no master keys`);
  return deps.sse.unseal(h.sse.key, `${bucket}/${key}`);
}

/** The plaintext (or `range` of it) of an encrypted object of `size` bytes stored inline. */
export function decryptInline(stored: Buffer, size: number, range: { start: number; end: number } | undefined, dataKey: Buffer): AsyncIterable<Buffer> {
  if (size === 0) return (async function* () {})();
  const r = cipherRange(range?.start ?? 0, range?.end ?? size - 1, size);
  const cipher = stored.subarray(r.start, r.end + 1);
  return decryptStream(
    (async function* () {
      yield cipher;
    })(),
    dataKey,
    0,
    r,
  );
}

/**
 * `x-amz-server-side-encryption` of a response about an object (or upload) with these headers, or for
 * SSE-C the customer algorithm and the key's MD5.
 */
export function encryptionHeaders(h: ObjectHeaders): Record<string, string> {
  if (!h.sse) return {};
  const md5 = h.sse.customerKeyMd5;
  return md5 === undefined ? { [SSE_HEADER]: h.sse.algorithm } : { [CUSTOMER_ALGORITHM_HEADER]: h.sse.algorithm, [CUSTOMER_KEY_MD5_RESPONSE_HEADER]: md5 };
}
