import { S3Error } from '../errors';
import { sigV2Matches } from '../sigv2/verify-v2';
import { AWS4_HMAC_SHA256 } from '../sigv4/constants';
import { parseCredential, type CredentialScope } from '../sigv4/credential';
import { parseAmzDate } from '../sigv4/request-time';
import { computeSignature, signaturesEqual } from '../sigv4/signature';
import { deriveSigningKey, type SigningKeyCache } from '../sigv4/signing-key';
import type { CredentialLookup } from '../sigv4/verify';
import type { PostFields } from './post-fields';

/** What a SigV4-signed POST form carries to prove its policy (AWS: "Browser-based uploads using POST"). */
export interface PostSignatureFields {
  readonly policy: string;
  readonly algorithm: string;
  readonly credential: string;
  readonly date: string;
  readonly signature: string;
}

/** What a SigV2-signed POST form carries (AWS: "Browser-based uploads using POST (AWS signature version 2)"). */
export interface PostSignatureV2Fields {
  readonly policy: string;
  readonly accessKeyId: string;
  readonly signature: string;
}

export type PostAuth = { readonly kind: 'anonymous' } | ({ readonly kind: 'sigv4' } & PostSignatureFields) | ({ readonly kind: 'sigv2' } & PostSignatureV2Fields);

/** The V2 fields, in the order S3 reports the first one missing. */
const V2_FIELDS: readonly [keyof PostSignatureV2Fields, string][] = [
  ['policy', 'policy'],
  ['accessKeyId', 'awsaccesskeyid'],
  ['signature', 'signature'],
];

/** The V4 fields, in the order S3 reports the first one missing. */
const V4_FIELDS: readonly [keyof PostSignatureFields, string][] = [
  ['policy', 'policy'],
  ['algorithm', 'x-amz-algorithm'],
  ['credential', 'x-amz-credential'],
  ['date', 'x-amz-date'],
  ['signature', 'x-amz-signature'],
];

/**
 * Which authentication a form carries. No policy and no signature field at all: anonymous. A SigV2
 * field (`AWSAccessKeyId`, `signature`): SigV2, all three of its fields needed, no V4 one beside them.
 * Some but not all V4 fields: InvalidArgument naming the first one missing (S3's "Bucket POST must
 * contain a field named ...").
 */
export function postAuthFields(fields: PostFields): PostAuth {
  if (fields.has('awsaccesskeyid') || fields.has('signature')) {
    const v4 = V4_FIELDS.find(([, name]) => name !== 'policy' && fields.has(name));
    if (v4) throw new S3Error('InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified', { ArgumentName: v4[1] });
    return { kind: 'sigv2', ...required(fields, V2_FIELDS) };
  }
  if (!V4_FIELDS.some(([, name]) => fields.has(name))) return { kind: 'anonymous' };
  return { kind: 'sigv4', ...required(fields, V4_FIELDS) };
}

/** The named fields by property, in order: the first one missing or empty is `missingField`. */
function required<K extends string>(fields: PostFields, wanted: readonly (readonly [K, string])[]): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const [prop, name] of wanted) {
    const v = fields.get(name);
    if (v === undefined || v === '') throw missingField(name);
    out[prop] = v;
  }
  return out;
}

export function missingField(name: string): S3Error {
  return new S3Error('InvalidArgument', `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, {
    ArgumentName: name,
    ArgumentValue: '',
  });
}

export interface PostVerifyOptions {
  /** The region this service answers for: the credential scope must name it. */
  readonly region: string;
  readonly keyCache?: SigningKeyCache;
}

export interface VerifiedPost {
  readonly accessKeyId: string;
  readonly scope: CredentialScope;
}

function badField(name: string, value: string, message: string): S3Error {
  return new S3Error('InvalidArgument', message, { ArgumentName: name, ArgumentValue: value });
}

/**
 * Verifies a POST form's SigV4 signature: the string to sign is the base64 policy itself, signed with
 * the key derived for the credential's scope. The time limit is the policy's own `expiration` (checked
 * with the policy), not the clock skew of header-signed requests.
 */
export function verifyPostSignature(f: PostSignatureFields, credentials: CredentialLookup, opts: PostVerifyOptions): VerifiedPost {
  if (f.algorithm !== AWS4_HMAC_SHA256) {
    throw badField('x-amz-algorithm', f.algorithm, `Only ${AWS4_HMAC_SHA256} is supported for x-amz-algorithm.`);
  }
  let cred: ReturnType<typeof parseCredential>;
  try {
    cred = parseCredential(f.credential, 'InvalidArgument');
  } catch (e) {
    const reason = e instanceof S3Error ? e.message.replace(/^[^;]*; /, '') : 'malformed';
    throw badField('x-amz-credential', f.credential, `Invalid credential: ${reason}`);
  }
  const date = parseAmzDate(f.date);
  if (date === undefined) throw badField('x-amz-date', f.date, `x-amz-date must be in the ISO8601 basic format YYYYMMDD'T'HHMMSS'Z'; "${f.date}" is not.`);
  if (cred.scope.date !== f.date.slice(0, 8)) {
    throw badField('x-amz-credential', f.credential, `Invalid credential date "${cred.scope.date}". This date is not the same as x-amz-date: "${f.date.slice(0, 8)}".`);
  }
  if (cred.scope.region !== opts.region) {
    throw new S3Error('InvalidArgument', `Invalid credential: the region '${cred.scope.region}' is wrong; expecting '${opts.region}'`, {
      ArgumentName: 'x-amz-credential',
      ArgumentValue: f.credential,
      Region: opts.region,
    });
  }
  const secret = credentials.lookup(cred.accessKeyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: cred.accessKeyId });
  const key = opts.keyCache?.get(secret, cred.scope) ?? deriveSigningKey(secret, cred.scope);
  const expected = computeSignature(key, f.policy);
  if (!signaturesEqual(expected, f.signature.toLowerCase())) {
    throw new S3Error('SignatureDoesNotMatch', undefined, {
      AWSAccessKeyId: cred.accessKeyId,
      StringToSign: f.policy,
      SignatureProvided: f.signature,
    });
  }
  return { accessKeyId: cred.accessKeyId, scope: cred.scope };
}

/**
 * Verifies a SigV2 POST form: the signature is Base64(HMAC-SHA1(secret, the base64 policy))
 * (sigV2Matches). The policy's `expiration` is its time limit, as for SigV4 forms.
 */
export function verifyPostSignatureV2(f: PostSignatureV2Fields, credentials: CredentialLookup): { readonly accessKeyId: string } {
  const secret = credentials.lookup(f.accessKeyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: f.accessKeyId });
  if (!sigV2Matches(secret, f.policy, f.signature)) {
    throw new S3Error('SignatureDoesNotMatch', undefined, { AWSAccessKeyId: f.accessKeyId, StringToSign: f.policy, SignatureProvided: f.signature });
  }
  return { accessKeyId: f.accessKeyId };
}
