import type { IncomingHttpHeaders } from 'node:http';
import { ServiceError, type CallCtx, type ObjectEncryption, type ObjectHeaders } from '@massive/contracts';
import { S3Error } from '@massive/s3-protocol';
import { header } from '../http/object-headers';
import { cipherRange, decryptStream } from './package-format';
import { KMS_HEADERS, KMS_REQUIRES_ALGORITHM, kmsResponseHeaders, kmsSealContext, parseBucketKeyEnabled, parseKmsContext, KMS_CONTEXT_HEADER, KMS_KEY_ID_HEADER, type KmsKeys } from './kms-keys';
import { asksForCustomerKey, CUSTOMER_ALGORITHM_HEADER, CUSTOMER_KEY_MD5_RESPONSE_HEADER, customerKeyOf, newCustomerDataKey, NOT_APPLICABLE, openCustomerDataKey, READING, type CustomerKey, type KeyRefusals } from './customer-keys';
import type { S3ApiDeps } from '../types';

/**
 * SSE-S3, SSE-KMS and SSE-C as the handlers see them. An encrypted object (or multipart upload) carries
 * `headers.sse`: the algorithm and its data key sealed under the gateway's master key for `bucket/key`
 * (master-keys.ts; under SSE-KMS also bound to the KMS key and the encryption context, kms-keys.ts), or,
 * with `customerKeyMd5`, under the key the client supplies with every request (customer-keys.ts). The
 * data key encrypts the bytes as packages (package-format.ts): a single PUT is stream 0, part N of a
 * multipart upload stream N. Hashes, checksums and sizes are of the plaintext, as in S3; so are ETags,
 * except under SSE-C.
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
 * (`x-amz-server-side-encryption`: AES256, or aws:kms with its key, context and bucket key flag), else
 * its bucket's default (PutBucketEncryption), else none. DSSE-KMS is not served (501).
 */
export async function writeEncryption(h: IncomingHttpHeaders, bucket: string, key: string, deps: S3ApiDeps, ctx: CallCtx): Promise<Encryption | undefined> {
  const asked = header(h, SSE_HEADER);
  // S3 checks this before the customer headers themselves (and its message has no final period).
  if (asked !== undefined && asksForCustomerKey(h)) {
    throw new S3Error('InvalidArgument', 'Server Side Encryption with Customer provided key is incompatible with the encryption method specified', { ArgumentName: SSE_HEADER, ArgumentValue: asked });
  }
  const algorithm = asked !== undefined ? parseAlgorithm(asked) : undefined;
  if (algorithm !== 'aws:kms' && KMS_HEADERS.some((n) => h[n] !== undefined)) {
    throw new S3Error('InvalidArgument', KMS_REQUIRES_ALGORITHM, { ArgumentName: SSE_HEADER, ArgumentValue: asked ?? 'null' });
  }
  const customer = customerKeyOf(h);
  if (customer) {
    const { dataKey, sealed } = newCustomerDataKey(customer, `${bucket}/${key}`);
    return { sse: { algorithm: 'AES256', key: sealed, customerKeyMd5: customer.md5 }, dataKey };
  }
  if (algorithm === 'AES256') return newEncryption(bucket, key, deps);
  if (algorithm === 'aws:kms') {
    const keyRef = header(h, KMS_KEY_ID_HEADER);
    const context = header(h, KMS_CONTEXT_HEADER);
    const kmsContext = context === undefined ? undefined : parseKmsContext(context);
    // Without the header, an object takes its bucket's Bucket Key setting (S3's rule), whatever its default algorithm.
    const bucketKey = parseBucketKeyEnabled(h) ?? (await deps.writeDefaults?.defaultEncryption(bucket, ctx))?.bucketKeyEnabled ?? false;
    return newKmsEncryption(bucket, key, deps, keyRef, kmsContext, bucketKey);
  }
  const byDefault = await deps.writeDefaults?.defaultEncryption(bucket, ctx);
  if (byDefault === undefined) return undefined;
  if (byDefault.algorithm === 'AES256') return newEncryption(bucket, key, deps);
  return newKmsEncryption(bucket, key, deps, byDefault.kmsKeyId, undefined, byDefault.bucketKeyEnabled);
}

/**
 * A fresh data key for `bucket/key` under SSE-KMS: key `keyRef` as the request (or bucket default) names
 * it, else the default key; sealed under the current master key, bound to the key and `kmsContext`.
 */
export function newKmsEncryption(bucket: string, key: string, deps: S3ApiDeps, keyRef: string | undefined, kmsContext: string | undefined, bucketKey: boolean): Encryption {
  const kms = kmsKeysOf(deps);
  const arn = keyRef === undefined ? kms.defaultArn : kms.resolve(keyRef);
  if (!deps.sse) throw new S3Error('NotImplemented', 'Server-side encryption is not configured on this service (no master key).', { Header: SSE_HEADER });
  const { dataKey, sealed } = deps.sse.newDataKey(kmsSealContext(kms.enabledId(arn)!, kmsContext, bucket, key));
  const sse: ObjectEncryption = { algorithm: 'aws:kms', key: sealed, kmsKeyId: arn, ...(kmsContext !== undefined && { kmsContext }), ...(bucketKey && { bucketKeyEnabled: true }) };
  return { sse, dataKey };
}

/** The gateway's KMS keys (sse/kms-keys.ts; set by createS3Listeners). */
function kmsKeysOf(deps: S3ApiDeps): KmsKeys {
  if (!deps.kms) throw new S3Error('NotImplemented', 'SSE-KMS is not configured on this service.', { Header: SSE_HEADER });
  return deps.kms;
}

/**
 * What a server-side (SSE-S3, SSE-KMS) data key of an object at `bucket/key` is sealed for. An SSE-KMS
 * key whose KMS key is no longer configured is disabled: KMS.DisabledException, as S3 answers for a
 * disabled key.
 */
function sealContextOf(sse: ObjectEncryption, bucket: string, key: string, deps: S3ApiDeps): string {
  if (sse.algorithm !== 'aws:kms') return `${bucket}/${key}`;
  const arn = sse.kmsKeyId ?? '';
  const id = deps.kms?.enabledId(arn);
  if (id === undefined) throw new S3Error('KMS.DisabledException', `${arn} is disabled.`);
  return kmsSealContext(id, sse.kmsContext, bucket, key);
}

/** Whether two encryptions seal data keys the same way (same algorithm, KMS key and context). */
export function sameSealing(a: ObjectEncryption, b: ObjectEncryption): boolean {
  return a.algorithm === b.algorithm && a.customerKeyMd5 === b.customerKeyMd5 && a.kmsKeyId === b.kmsKeyId && a.kmsContext === b.kmsContext;
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
  return asked !== undefined || customerKeyOf(h) !== undefined || KMS_HEADERS.some((n) => h[n] !== undefined);
}

/** Whether these headers describe an SSE-C object or upload. */
export function isCustomerEncrypted(h: ObjectHeaders): boolean {
  return h.sse?.customerKeyMd5 !== undefined;
}

function parseAlgorithm(value: string): 'AES256' | 'aws:kms' {
  if (value === 'AES256' || value === 'aws:kms') return value;
  if (value === 'aws:kms:dsse') {
    throw new S3Error('NotImplemented', 'DSSE-KMS is not supported by this service; use aws:kms or AES256.', { Header: SSE_HEADER });
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
export function resealedKey(sse: ObjectEncryption, bucket: string, key: string, deps: S3ApiDeps): string {
  if (!deps.sse) throw new ServiceError('Internal', `${bucket}/${key} is encrypted, and this gateway has no master keys`);
  return deps.sse.reseal(sse.key, sealContextOf(sse, bucket, key, deps));
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
  return deps.sse.unseal(h.sse.key, sealContextOf(h.sse, bucket, key, deps));
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
 * `x-amz-server-side-encryption` of a response about an object (or upload) with these headers (under
 * SSE-KMS with the key's ARN, the bucket key flag when on and, for the write that set it, `withContext`,
 * the encryption context), or for SSE-C the customer algorithm and the key's MD5.
 */
export function encryptionHeaders(h: ObjectHeaders, withContext = false): Record<string, string> {
  if (!h.sse) return {};
  const md5 = h.sse.customerKeyMd5;
  if (md5 !== undefined) return { [CUSTOMER_ALGORITHM_HEADER]: h.sse.algorithm, [CUSTOMER_KEY_MD5_RESPONSE_HEADER]: md5 };
  if (h.sse.algorithm === 'aws:kms') return { [SSE_HEADER]: 'aws:kms', ...kmsResponseHeaders(h.sse, withContext) };
  return { [SSE_HEADER]: h.sse.algorithm };
}
