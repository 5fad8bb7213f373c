import type { IncomingHttpHeaders } from 'node:http';
import type { ObjectEncryption } from '@massive/contracts';
import { S3Error } from '@massive/s3-protocol';

/**
 * SSE-KMS (`x-amz-server-side-encryption: aws:kms`) from the gateway's built-in key service.
 *
 * The operator names the KMS keys (`MASSIVE_KMS_KEYS`, the first the default key that stands for S3's
 * `aws/s3`). As with SSE-S3, each object gets a fresh data key sealed under the gateway's master key
 * (master-keys.ts); under SSE-KMS the seal is also bound (AES-GCM additional data) to the KMS key's id and
 * to the request's encryption context, as AWS KMS binds a data key to its context: a sealed key moved to
 * another object, key or context does not open. So a KMS key here is a name the operator controls, with
 * its own binding, not separate key material: taking a key off the list disables it (its objects answer
 * KMS.DisabledException until it is back), and master key rotation covers KMS objects as it does SSE-S3.
 *
 * Keys are named as AWS KMS names them: the key id, `alias/<id>`, the key ARN
 * (`arn:aws:kms:<region>:<account>:key/<id>`) or the alias ARN; responses name the key ARN, in this
 * service's region with account 000000000000.
 */
export const KMS_KEY_ID_HEADER = 'x-amz-server-side-encryption-aws-kms-key-id';
export const KMS_CONTEXT_HEADER = 'x-amz-server-side-encryption-context';
export const BUCKET_KEY_HEADER = 'x-amz-server-side-encryption-bucket-key-enabled';
/** The headers that mean something only beside `x-amz-server-side-encryption: aws:kms`. */
export const KMS_HEADERS = [KMS_KEY_ID_HEADER, KMS_CONTEXT_HEADER, BUCKET_KEY_HEADER] as const;

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ACCOUNT = '000000000000';
const KEY_ARN = /^arn:aws[a-zA-Z0-9-]*:kms:([a-z0-9-]*):(\d{12}):(key|alias)\/(.+)$/;
/** KMS's limit on a key reference (GenerateDataKey's KeyId). */
const MAX_KEY_REFERENCE = 2048;

/** S3's answer to a KMS header without `aws:kms`, word for word. */
export const KMS_REQUIRES_ALGORITHM = 'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms';
const BAD_CONTEXT = "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map";
/** S3's answer to an unsigned read of an SSE-KMS object, word for word. */
export const KMS_NEEDS_SIGV4 = 'Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.';

export class KmsKeys {
  readonly #ids: ReadonlySet<string>;
  readonly #default: string;

  constructor(
    ids: readonly string[],
    private readonly region: string,
  ) {
    if (ids.length === 0) throw new Error('SSE-KMS: at least one key id is required (MASSIVE_KMS_KEYS)');
    for (const id of ids) {
      if (!KEY_ID.test(id)) throw new Error(`SSE-KMS key id "${id}" (MASSIVE_KMS_KEYS): must be 1-64 characters of A-Z a-z 0-9 _ -`);
    }
    if (new Set(ids).size !== ids.length) throw new Error('SSE-KMS key ids (MASSIVE_KMS_KEYS) must be distinct');
    this.#ids = new Set(ids);
    this.#default = ids[0];
  }

  /** The ARN of key `id`, as responses name it. */
  arnOf(id: string): string {
    return `arn:aws:kms:${this.region}:${ACCOUNT}:key/${id}`;
  }

  /** The default key's ARN (a request or bucket default that names no key). */
  get defaultArn(): string {
    return this.arnOf(this.#default);
  }

  /**
   * The ARN of the key a request (or a bucket default) names; KMS.NotFoundException, with AWS's
   * messages, for a key this service does not have or an ARN of another region.
   */
  resolve(given: string): string {
    const notFound = (message: string): S3Error => new S3Error('KMS.NotFoundException', message);
    if (given.length === 0 || given.length > MAX_KEY_REFERENCE) throw notFound(`Invalid keyId '${given}'`);
    let id = given.startsWith('alias/') ? given.slice('alias/'.length) : given;
    const arn = KEY_ARN.exec(given);
    if (arn) {
      if (arn[1] !== this.region) throw notFound(`Invalid arn ${arn[1]}`);
      id = arn[4];
    }
    if (!this.#ids.has(id)) throw notFound(arn ? `Key '${given}' does not exist` : `Invalid keyId '${given}'`);
    return this.arnOf(id);
  }

  /** The key id in an ARN this service issued, if that key is configured now. */
  enabledId(arn: string): string | undefined {
    const m = KEY_ARN.exec(arn);
    return m && m[3] === 'key' && this.#ids.has(m[4]) ? m[4] : undefined;
  }
}

/**
 * `x-amz-server-side-encryption-context`: base64 of a JSON object of string values, kept as canonical
 * JSON (keys sorted) so the same context always binds the same way. Anything else is InvalidArgument.
 */
export function parseKmsContext(raw: string): string {
  const bad = (): S3Error => new S3Error('InvalidArgument', BAD_CONTEXT, { ArgumentName: KMS_CONTEXT_HEADER, ArgumentValue: raw });
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw) || raw.length % 4 !== 0 || raw.length === 0) throw bad();
  const bytes = Buffer.from(raw, 'base64');
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad();
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.some(([, v]) => typeof v !== 'string')) throw bad();
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}

/** `x-amz-server-side-encryption-bucket-key-enabled`: true or false (any case); undefined when absent. */
export function parseBucketKeyEnabled(h: IncomingHttpHeaders): boolean | undefined {
  const raw = h[BUCKET_KEY_HEADER];
  if (raw === undefined) return undefined;
  const v = (Array.isArray(raw) ? raw.join(',') : raw).trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new S3Error('InvalidArgument', 'The value of x-amz-server-side-encryption-bucket-key-enabled must be true or false.', { ArgumentName: BUCKET_KEY_HEADER, ArgumentValue: String(raw) });
}

/**
 * What an SSE-KMS data key's seal is bound to besides the object's `bucket/key`: the KMS key id and the
 * canonical context. (SSE-S3 seals are bound to `bucket/key` alone, so neither opens as the other.)
 */
export function kmsSealContext(id: string, kmsContext: string | undefined, bucket: string, key: string): string {
  return `kms\0${id}\0${kmsContext ?? ''}\0${bucket}/${key}`;
}

/** The response headers naming an SSE-KMS object's key (and its bucket key flag, when on). */
export function kmsResponseHeaders(sse: ObjectEncryption, withContext: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (sse.kmsKeyId !== undefined) out[KMS_KEY_ID_HEADER] = sse.kmsKeyId;
  if (sse.bucketKeyEnabled) out[BUCKET_KEY_HEADER] = 'true';
  if (withContext && sse.kmsContext !== undefined) out[KMS_CONTEXT_HEADER] = Buffer.from(sse.kmsContext, 'utf8').toString('base64');
  return out;
}
