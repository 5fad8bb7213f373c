import type { IncomingMessage } from 'node:http';
import type { CallCtx, Owner } from '@massive/contracts';
import { isSigV2, parsePayloadMode, S3Error, SigningKeyCache, verifySigV2, verifySigV4, virtualHostBucket, type SignedAuth } from '@massive/s3-protocol';
import type { KeyScope, S3ApiDeps } from '../types';
import { sessionLookup, type SessionClaims } from '../identity/session-tokens';
import { header } from './object-headers';

/** What the request body reader needs to know about how the payload is authenticated. */
export type PayloadAuth = Pick<SignedAuth, 'payloadMode' | 'payloadSha256' | 'decodedContentLength' | 'trailers' | 'signing'>;

export interface Authenticated {
  readonly kind: 'signed';
  readonly owner: Owner;
  readonly sigv4: SignedAuth;
  /** A non-root key's grants (absent: the root key). */
  readonly scope?: KeyScope;
  /** Temporary credentials (STS): the session, which acts as its parent key (`owner` and `scope` are the parent's). */
  readonly session?: SessionClaims;
}

/** An unsigned request: who may do what then is `authorize`'s call (ACLs, Block Public Access). */
export interface Anonymous {
  readonly kind: 'anonymous';
  readonly sigv4: PayloadAuth;
}

export type Principal = Authenticated | Anonymous;

/** One signing-key cache per deps object (per gateway), never a module global. */
const caches = new WeakMap<S3ApiDeps, SigningKeyCache>();

function signingKeys(deps: S3ApiDeps): SigningKeyCache {
  let keys = caches.get(deps);
  if (!keys) caches.set(deps, (keys = new SigningKeyCache()));
  return keys;
}

/** Never used: an anonymous payload has no chunk signatures to check. */
const NO_SIGNING = { signingKey: Buffer.alloc(0), seedSignature: '', scope: '', datetime: '' };

/**
 * SigV4 (header or presigned), SigV2 (header or query string, unless the gateway refuses it), or an
 * anonymous principal for a request that carries no signature at all. Whether the anonymous request
 * may go on is decided next, by `authorize`.
 */
export function authenticate(req: IncomingMessage, rawPath: string, rawQuery: string, deps: S3ApiDeps): Principal {
  const token = sessionTokenOf(req.headers['x-amz-security-token'], rawQuery);
  if (token !== undefined) return authenticateSession(req, rawPath, rawQuery, token, deps);
  const lookup = { lookup: (akid: string) => deps.credentials.lookup(akid)?.secretKey };
  const request = { method: req.method ?? 'GET', rawPath, rawQuery, headers: req.rawHeaders };
  let auth: ReturnType<typeof verifySigV4>;
  if (isSigV2(req.headers.authorization, rawQuery)) {
    if (!deps.config.sigV2) throw new S3Error('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    auth = verifySigV2(request, lookup, { maxSkewMs: deps.config.maxSkewMs, hostBucket: virtualHostBucket(req.headers.host, deps.config.vhostDomains) });
  } else {
    auth = verifySigV4(request, lookup, { region: deps.config.region, maxSkewMs: deps.config.maxSkewMs, keyCache: signingKeys(deps) });
  }
  if (auth.kind === 'anonymous') return { kind: 'anonymous', sigv4: anonymousPayload(req) };
  const cred = deps.credentials.lookup(auth.accessKeyId);
  if (!cred) throw new S3Error('InvalidAccessKeyId');
  return { kind: 'signed', owner: cred.owner, sigv4: auth, ...(cred.scope && { scope: cred.scope }) };
}

/** SigV4 presigned URLs carry `X-Amz-Security-Token`, SigV2 ones (botocore) `x-amz-security-token`. */
const TOKEN_IN_QUERY = /(?:^|&)x-amz-security-token=([^&]*)/i;

/**
 * The session token a request carries (`x-amz-security-token`, or `X-Amz-Security-Token` in a presigned
 * URL), or undefined: requests signed with temporary credentials (STS) carry one.
 */
export function sessionTokenOf(headerValue: string | string[] | undefined, rawQuery: string): string | undefined {
  if (headerValue !== undefined) return Array.isArray(headerValue) ? headerValue.join(',') : headerValue;
  if (rawQuery === '' || !(rawQuery.includes('-Security-Token=') || rawQuery.includes('-security-token='))) return undefined;
  const m = TOKEN_IN_QUERY.exec(rawQuery);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return '';
  }
}

/**
 * A request signed with temporary credentials: its token must open (InvalidToken, ExpiredToken), name the
 * access key id that signed it (InvalidAccessKeyId otherwise), and the SigV4 signature must hold with the
 * session's secret. The token itself is covered by the signature (an x-amz-* header must be signed; a
 * query parameter always is). The session then acts as its parent key, read through the key cache as
 * any request's key is: a parent deleted (or stripped of its grants) takes its sessions with it.
 */
function authenticateSession(req: IncomingMessage, rawPath: string, rawQuery: string, token: string, deps: S3ApiDeps): Authenticated {
  if (!deps.sessions) throw new S3Error('InvalidToken');
  const session = deps.sessions.open(token);
  const lookup = sessionLookup(session);
  const method = req.method ?? 'GET';
  let auth: ReturnType<typeof verifySigV4>;
  if (isSigV2(req.headers.authorization, rawQuery)) {
    if (!deps.config.sigV2) throw new S3Error('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    // A SigV2 URL carries the token as a query parameter, and signed it as the x-amz header it was before
    // the client moved it there (botocore's HmacV1QueryAuth; S3's query string authentication).
    const headers = req.headers.authorization === undefined && req.headers['x-amz-security-token'] === undefined ? [...req.rawHeaders, 'x-amz-security-token', token] : req.rawHeaders;
    auth = verifySigV2({ method, rawPath, rawQuery, headers }, lookup, { maxSkewMs: deps.config.maxSkewMs, hostBucket: virtualHostBucket(req.headers.host, deps.config.vhostDomains) });
  } else {
    auth = verifySigV4({ method, rawPath, rawQuery, headers: req.rawHeaders }, lookup, { region: deps.config.region, maxSkewMs: deps.config.maxSkewMs, keyCache: signingKeys(deps) });
  }
  if (auth.kind === 'anonymous') throw new S3Error('AccessDenied', 'A session token is only taken on a signed request.');
  const parent = deps.credentials.lookup(session.parentAccessKeyId);
  if (!parent) throw new S3Error('InvalidToken');
  return { kind: 'signed', owner: parent.owner, sigv4: auth, ...(parent.scope && { scope: parent.scope }), session };
}

/** The parent key of a session token, or undefined when it does not open (authenticate then says why). */
function sessionParentOf(token: string, deps: S3ApiDeps): string | undefined {
  try {
    return deps.sessions?.open(token).parentAccessKeyId;
  } catch {
    return undefined;
  }
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
  // Temporary credentials act as their parent key: that is the key to have at hand (the ASIA id is in no store).
  const token = sessionTokenOf(req.headers['x-amz-security-token'], rawQuery);
  const id = token !== undefined ? sessionParentOf(token, deps) : requestAccessKeyId(req.headers.authorization, rawQuery);
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
