import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Endpoint } from '@massive/s3-protocol';
import { parseTaggingHeader } from '@massive/s3-protocol';
import type { Owner } from '@massive/contracts';

/** Who asks, as far as a policy cares (a `Principal` is one). */
export type PolicySubject = { readonly kind: 'signed'; readonly owner: Owner; readonly sigv4?: { readonly kind: 'header' | 'presigned' | 'post'; readonly signatureVersion?: 'AWS' } } | { readonly kind: 'anonymous' };

/** What a policy condition may look at in the HTTP request (given by the server to `authorize`). */
export interface RequestFacts {
  readonly req: Pick<IncomingMessage, 'headers' | 'socket'>;
  readonly query: URLSearchParams;
}

/** Endpoints where `s3:prefix`, `s3:delimiter` and `s3:max-keys` are set (ListBucket, ListBucketVersions). */
const LISTINGS = new Set(['ListObjects', 'ListObjectsV2', 'ListObjectVersions']);
/**
 * Endpoints that write a new object: their `x-amz-tagging` gives `s3:RequestObjectTag/<key>`, their
 * `x-amz-object-lock-*` headers the Object Lock keys (`lockConditionKeys`).
 */
const OBJECT_WRITES = new Set(['PutObject', 'CopyObject', 'CreateMultipartUpload']);
/** Request headers S3 exposes as `s3:<header>` condition keys. */
const HEADER_KEYS = [
  'x-amz-acl', 'x-amz-copy-source', 'x-amz-metadata-directive', 'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id', 'x-amz-server-side-encryption-customer-algorithm', 'x-amz-storage-class', 'x-amz-content-sha256',
  'x-amz-grant-full-control', 'x-amz-grant-read', 'x-amz-grant-read-acp', 'x-amz-grant-write', 'x-amz-grant-write-acp',
  'x-amz-website-redirect-location', 'x-amz-object-ownership', 'if-match', 'if-none-match',
];

/**
 * The request context a bucket policy's conditions read: IAM's global keys (`aws:SourceIp`,
 * `aws:SecureTransport`, `aws:UserAgent`, `aws:Referer`, `aws:CurrentTime`, `aws:EpochTime`, `aws:userid`,
 * `aws:username`, `aws:PrincipalType`) and S3's keys for this operation. Keys are lower case (see
 * normaliseConditionKey). `aws:SourceIp` is the TCP peer: a proxy in front must not be trusted blindly.
 */
export function requestContext(principal: PolicySubject, ep: Endpoint, facts: RequestFacts, now = new Date()): Map<string, string[]> {
  const ctx = new Map<string, string[]>();
  const set = (k: string, v: string | undefined): void => {
    if (v !== undefined) ctx.set(k, [v]);
  };
  const { headers, socket } = facts.req;
  set('aws:sourceip', sourceIp(socket.remoteAddress));
  set('aws:securetransport', (socket as { encrypted?: boolean }).encrypted === true ? 'true' : 'false');
  set('aws:useragent', first(headers, 'user-agent'));
  set('aws:referer', first(headers, 'referer'));
  set('aws:currenttime', now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  set('aws:epochtime', String(Math.floor(now.getTime() / 1000)));
  if (principal.kind === 'signed') {
    set('aws:principaltype', 'Account');
    set('aws:userid', principal.owner.id);
    set('aws:username', principal.owner.displayName);
    set('s3:authtype', principal.sigv4?.kind === 'post' ? 'POST' : principal.sigv4?.kind === 'presigned' ? 'REST-QUERY-STRING' : 'REST-HEADER');
    set('s3:signatureversion', principal.sigv4?.signatureVersion ?? 'AWS4-HMAC-SHA256');
  } else {
    set('aws:principaltype', 'Anonymous');
    set('aws:userid', 'anonymous');
  }
  if (LISTINGS.has(ep.name)) {
    set('s3:prefix', facts.query.get('prefix') ?? undefined);
    set('s3:delimiter', facts.query.get('delimiter') ?? undefined);
    set('s3:max-keys', facts.query.get('max-keys') ?? undefined);
  }
  set('s3:versionid', facts.query.get('versionId') ?? undefined);
  for (const h of HEADER_KEYS) set(`s3:${h}`, first(headers, h));
  if (OBJECT_WRITES.has(ep.name)) {
    const mode = first(headers, 'x-amz-object-lock-mode');
    const until = first(headers, 'x-amz-object-lock-retain-until-date');
    const hold = first(headers, 'x-amz-object-lock-legal-hold');
    if (mode !== undefined || until !== undefined || hold !== undefined) {
      for (const [k, v] of lockConditionKeys({ mode, retainUntil: until === undefined ? undefined : Date.parse(until), legalHold: hold }, now.getTime())) ctx.set(k, v);
    }
  }
  const tagging = first(headers, 'x-amz-tagging');
  if (tagging !== undefined && OBJECT_WRITES.has(ep.name)) {
    try {
      const tags = parseTaggingHeader(tagging);
      for (const t of tags) set(`s3:requestobjecttag/${t.Key}`, t.Value);
      ctx.set('s3:requestobjecttagkeys', tags.map((t) => t.Key));
    } catch {
      // The handler answers a malformed header with its own error.
    }
  }
  return ctx;
}

/** What a request asks of Object Lock: from a write's `x-amz-object-lock-*` headers or a retention / legal hold body. */
export interface LockRequestValues {
  readonly mode?: string;
  /** ms since the epoch (NaN for a date that does not parse: the handler refuses it). */
  readonly retainUntil?: number;
  readonly legalHold?: string;
}

/**
 * S3's Object Lock condition keys for what a request asks: `s3:object-lock-mode`,
 * `s3:object-lock-retain-until-date`, `s3:object-lock-remaining-retention-days` (whole days from now,
 * rounded up: how AWS's examples cap a retention) and `s3:object-lock-legal-hold`.
 */
export function lockConditionKeys(v: LockRequestValues, now: number): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (v.mode !== undefined) out.set('s3:object-lock-mode', [v.mode]);
  if (v.retainUntil !== undefined && Number.isFinite(v.retainUntil)) {
    out.set('s3:object-lock-retain-until-date', [new Date(v.retainUntil).toISOString()]);
    out.set('s3:object-lock-remaining-retention-days', [String(Math.max(0, Math.ceil((v.retainUntil - now) / 86_400_000)))]);
  }
  if (v.legalHold !== undefined) out.set('s3:object-lock-legal-hold', [v.legalHold]);
  return out;
}

/** `::ffff:127.0.0.1` → `127.0.0.1`. */
function sourceIp(addr: string | undefined): string | undefined {
  return addr?.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

function first(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

