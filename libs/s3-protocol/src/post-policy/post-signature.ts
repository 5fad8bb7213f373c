import { S3Error } from '../errors';
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

export type PostAuth = { readonly kind: 'anonymous' } | ({ readonly kind: 'sigv4' } & PostSignatureFields);

/** The V4 fields, in the order S3 reports the first one missing. */
const V4_FIELDS: readonly [keyof PostSignatureFields, string][] = [
  ['policy', 'policy'],
  ['algorithm', 'x-amz-algorithm'],
  ['credential', 'x-amz-credential'],
  ['date', 'x-amz-date'],
  ['signature', 'x-amz-signature'],
];

/**
 * Which authentication a form carries. No policy and no signature field at all: anonymous. Some but not
 * all V4 fields: InvalidArgument naming the first one missing (S3's "Bucket POST must contain a field
 * named ..."). SigV2 fields (`AWSAccessKeyId`, `signature`): refused as for headers, only SigV4 is served.
 */
export function postAuthFields(fields: PostFields): PostAuth {
  if (fields.has('awsaccesskeyid') || fields.has('signature')) {
    throw new S3Error('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
  }
  if (!V4_FIELDS.some(([, name]) => fields.has(name))) return { kind: 'anonymous' };
  const out: Partial<Record<keyof PostSignatureFields, string>> = {};
  for (const [prop, name] of V4_FIELDS) {
    const v = fields.get(name);
    if (v === undefined || v === '') throw missingField(name);
    out[prop] = v;
  }
  return { kind: 'sigv4', ...(out as PostSignatureFields) };
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
