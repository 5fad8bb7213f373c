import { S3Error } from '../errors';
import { AWS4_HMAC_SHA256 } from './constants';
import { parseCredential, type Credential } from './credential';

/** What an `Authorization: AWS4-HMAC-SHA256 ...` header carries. */
export interface ParsedAuthorization extends Credential {
  /** Lowercase names, in the order given (SigV4 requires them sorted; we sign them as given). */
  readonly signedHeaders: readonly string[];
  /** 64 lowercase hex digits. */
  readonly signature: string;
}

const MALFORMED = 'The authorization header is malformed;';
/** `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=<64 hex>` exactly as the SDKs write it. */
const CANONICAL_FORM = /^AWS4-HMAC-SHA256 Credential=([^,= ]+), ?SignedHeaders=([^,= ]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Parses the SigV4 Authorization header. Like AWS it tolerates spaces around ',' and '=', and any order
 * of the three components, but each must appear exactly once.
 */
export function parseAuthorizationHeader(value: string, service?: string): ParsedAuthorization {
  // What every SDK sends, in one match; anything else (other order, spacing, errors) takes the general path.
  const m = CANONICAL_FORM.exec(value);
  if (m !== null) {
    const c = lastCredential !== undefined && m[1] === lastCredential.value && service === lastCredential.service ? lastCredential.parsed : rememberCredential(m[1], service);
    return {
      accessKeyId: c.accessKeyId,
      scope: c.scope,
      signedHeaders: m[2] === lastSigned.value ? lastSigned.names : rememberSigned(m[2]),
      signature: m[3],
    };
  }
  const trimmed = value.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== AWS4_HMAC_SHA256) {
    if (algorithm === 'AWS' || algorithm === 'AWS4-ECDSA-P256-SHA256') {
      throw new S3Error('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    }
    throw new S3Error('AuthorizationHeaderMalformed', `${MALFORMED} the authorization header requires the "${AWS4_HMAC_SHA256}" algorithm.`);
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(algorithm.length).split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new S3Error('AuthorizationHeaderMalformed', `${MALFORMED} the authorization component "${item}" is malformed.`);
    const key = item.slice(0, eq).trim();
    if (fields.has(key)) throw new S3Error('AuthorizationHeaderMalformed', `${MALFORMED} the authorization component "${key}" is repeated.`);
    fields.set(key, item.slice(eq + 1).trim());
  }
  for (const key of fields.keys()) {
    if (key !== 'Credential' && key !== 'SignedHeaders' && key !== 'Signature') {
      throw new S3Error('AuthorizationHeaderMalformed', `${MALFORMED} the authorization component "${key}" is not known.`);
    }
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !fields.has(k));
    throw new S3Error('AuthorizationHeaderMalformed', `${MALFORMED} the authorization header requires ${missing.map((m) => `"${m}"`).join(', ')}.`);
  }
  return {
    ...parseCredential(credential, 'AuthorizationHeaderMalformed', service),
    signedHeaders: parseSignedHeaders(signedHeaders, 'AuthorizationHeaderMalformed'),
    signature: parseSignature(signature, 'AuthorizationHeaderMalformed'),
  };
}

/**
 * A client names the same credential request after request (it changes with the date): the last one
 * parsed, reused. Frozen, scope included: every request that names it shares it.
 */
let lastCredential: { value: string; service: string | undefined; parsed: Credential } | undefined;

function rememberCredential(value: string, service: string | undefined): Credential {
  const c = parseCredential(value, 'AuthorizationHeaderMalformed', service);
  const parsed = Object.freeze({ accessKeyId: c.accessKeyId, scope: Object.freeze({ ...c.scope }) });
  lastCredential = { value, service, parsed };
  return parsed;
}

/** A client signs the same header list request after request: the last one parsed, reused (never mutated). */
let lastSigned: { value: string; names: readonly string[] } = { value: '', names: [] };

/**
 * `names.join(';')`, the list as the canonical request spells it. For the list this parser handed out
 * last (a client signs the same one request after request), the header's own text, without the join.
 */
export function signedHeadersText(names: readonly string[]): string {
  return names === lastSigned.names ? lastSigned.value : names.join(';');
}

function rememberSigned(value: string): readonly string[] {
  const names = Object.freeze(parseSignedHeaders(value, 'AuthorizationHeaderMalformed'));
  lastSigned = { value, names };
  return names;
}

/** `host;x-amz-date` → ['host', 'x-amz-date']; names must be lowercase, non-empty and unique. */
export function parseSignedHeaders(value: string, code: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError'): string[] {
  const names = value.split(';');
  const seen = new Set<string>();
  for (const name of names) {
    if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name) || seen.has(name)) {
      throw new S3Error(code, `Signed headers "${value}" are malformed: every name must be a distinct lowercase header name.`);
    }
    seen.add(name);
  }
  return names;
}

export function parseSignature(value: string, code: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError'): string {
  if (!/^[0-9a-f]{64}$/.test(value)) {
    throw new S3Error(code, `The signature "${value}" is malformed: it must be 64 lowercase hexadecimal digits.`);
  }
  return value;
}
