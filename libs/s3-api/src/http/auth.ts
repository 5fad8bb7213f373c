import type { IncomingMessage } from 'node:http';
import type { Owner } from '@massive/contracts';
import { S3Error, SigningKeyCache, verifySigV4, type SignedAuth } from '@massive/s3-protocol';
import type { S3ApiDeps } from '../types';

export interface Authenticated {
  readonly owner: Owner;
  readonly sigv4: SignedAuth;
}

/** One signing-key cache per deps object (per gateway), never a module global. */
const caches = new WeakMap<S3ApiDeps, SigningKeyCache>();

/**
 * SigV4 (header or presigned). Every endpoint needs a signed request: there are no public buckets,
 * so an anonymous request is AccessDenied.
 */
export function authenticate(req: IncomingMessage, rawPath: string, rawQuery: string, deps: S3ApiDeps): Authenticated {
  let keyCache = caches.get(deps);
  if (!keyCache) caches.set(deps, (keyCache = new SigningKeyCache()));
  const lookup = { lookup: (akid: string) => deps.credentials.lookup(akid)?.secretKey };
  const auth = verifySigV4({ method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headersDistinct }, lookup, {
    region: deps.config.region,
    maxSkewMs: deps.config.maxSkewMs,
    keyCache,
  });
  if (auth.kind === 'anonymous') throw new S3Error('AccessDenied');
  const cred = deps.credentials.lookup(auth.accessKeyId);
  if (!cred) throw new S3Error('InvalidAccessKeyId');
  return { owner: cred.owner, sigv4: auth };
}
