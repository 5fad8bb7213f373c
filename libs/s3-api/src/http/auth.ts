import type { IncomingMessage } from 'node:http';
import type { CallCtx, Owner } from '@massive/contracts';
import { isSigV2, parsePayloadMode, S3Error, SigningKeyCache, verifySigV2, verifySigV4, virtualHostBucket, type SignedAuth } from '@massive/s3-protocol';
import type { KeyScope, S3ApiDeps } from '../types';
import { header } from './object-headers';

/** What the request body reader needs to know about how the payload is authenticated. */
export type PayloadAuth = Pick<SignedAuth, 'payloadMode' | 'payloadSha256' | 'decodedContentLength' | 'trailers' | 'signing'>;

export interface Authenticated {
  readonly kind: 'signed';
  readonly owner: Owner;
  readonly sigv4: SignedAuth;
  /** A non-root key's grants (absent: the root key). */
  readonly scope?: KeyScope;
}

/** An unsigned request: who may do what then is `authorize`'s call (ACLs, Block Public Access). */
export interface Anonymous {
  readonly kind: 'anonymous';
  readonly sigv4: PayloadAuth;
}

export type Principal = Authenticated | Anonymous;

/** One signing-key cache per deps object (per gateway), never a module global. */
const caches = new WeakMap<S3ApiDeps, SigningKeyCache>();

/** Never used: an anonymous payload has no chunk signatures to check. */
const NO_SIGNING = { signingKey: Buffer.alloc(0), seedSignature: '', scope: '', datetime: '' };

/**
 * SigV4 (header or presigned), SigV2 (header or query string, unless the gateway refuses it), or an
 * anonymous principal for a request that carries no signature at all. Whether the anonymous request
 * may go on is decided next, by `authorize`.
 */
export function authenticate(req: IncomingMessage, rawPath: string, rawQuery: string, deps: S3ApiDeps): Principal {
  const lookup = { lookup: (akid: string) => deps.credentials.lookup(akid)?.secretKey };
  const request = { method: req.method ?? 'GET', rawPath, rawQuery, headers: req.rawHeaders };
  let auth: ReturnType<typeof verifySigV4>;
  if (isSigV2(req.headers.authorization, rawQuery)) {
    if (!deps.config.sigV2) throw new S3Error('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    auth = verifySigV2(request, lookup, { maxSkewMs: deps.config.maxSkewMs, hostBucket: virtualHostBucket(req.headers.host, deps.config.vhostDomains) });
  } else {
    let keyCache = caches.get(deps);
    if (!keyCache) caches.set(deps, (keyCache = new SigningKeyCache()));
    auth = verifySigV4(request, lookup, { region: deps.config.region, maxSkewMs: deps.config.maxSkewMs, keyCache });
  }
  if (auth.kind === 'anonymous') return { kind: 'anonymous', sigv4: anonymousPayload(req) };
  const cred = deps.credentials.lookup(auth.accessKeyId);
  if (!cred) throw new S3Error('InvalidAccessKeyId');
  return { kind: 'signed', owner: cred.owner, sigv4: auth, ...(cred.scope && { scope: cred.scope }) };
}

const CREDENTIAL_IN_HEADER = /Credential=([^/,\s]+)\//;
const CREDENTIAL_IN_QUERY = /(?:^|&)X-Amz-Credential=([^&]+)/;
const SIGV2_KEY_IN_HEADER = /^AWS ([^:\s]+):/;
const SIGV2_KEY_IN_QUERY = /(?:^|&)AWSAccessKeyId=([^&]+)/;

/**
 * The access key id a request names (Authorization header or presigned query), read without parsing the
 * rest: enough to load the key before SigV4 runs. Undefined when it names none (SigV4 then decides).
 */
export function requestAccessKeyId(authorization: string | undefined, rawQuery: string): string | undefined {
  if (authorization !== undefined) return (CREDENTIAL_IN_HEADER.exec(authorization) ?? SIGV2_KEY_IN_HEADER.exec(authorization))?.[1];
  if (rawQuery === '') return undefined;
  const m = rawQuery.includes('X-Amz-Credential=') ? CREDENTIAL_IN_QUERY.exec(rawQuery) : rawQuery.includes('AWSAccessKeyId=') ? SIGV2_KEY_IN_QUERY.exec(rawQuery) : null;
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]).split('/')[0];
  } catch {
    return undefined;
  }
}

/**
 * Makes sure `deps.credentials.lookup` can answer for the key a request names (a non-root key not in the
 * gateway's cache is read from metadata): undefined, with nothing to wait for, on the hot path.
 */
export function prepareCredentials(req: IncomingMessage, rawQuery: string, deps: S3ApiDeps, ctx: CallCtx): Promise<void> | undefined {
  if (!deps.credentials.prepare) return undefined;
  const id = requestAccessKeyId(req.headers.authorization, rawQuery);
  return id === undefined ? undefined : deps.credentials.prepare(id, ctx);
}

/**
 * An anonymous body is plain bytes, checked against `x-amz-content-sha256` when it is a hash. aws-chunked
 * bodies need a signature (or, unsigned with trailers, a signed request) to be framed: refused.
 */
function anonymousPayload(req: IncomingMessage): PayloadAuth {
  const value = header(req.headers, 'x-amz-content-sha256');
  const parsed = value === undefined ? { mode: 'unsigned' as const } : parsePayloadMode(value.trim());
  if (parsed.mode !== 'unsigned' && parsed.mode !== 'sha256') throw new S3Error('AccessDenied');
  return { payloadMode: parsed.mode, ...(parsed.sha256 !== undefined && { payloadSha256: parsed.sha256 }), signing: NO_SIGNING };
}
