import type { IncomingHttpHeaders } from 'node:http';
import type { CallCtx, ObjectHeaders, ObjectLock, ObjectLockMode } from '@massive/contracts';
import { assertRetainUntilDateInFuture, parseRetainUntilDate, S3Error, type DefaultRetention } from '@massive/s3-protocol';
import type { S3ApiDeps, S3Request } from '../types';
import type { WriteDefaults } from './bucket-write-defaults';
import { header } from './object-headers';
import { hasIntegrityHeader } from './small-body';

/**
 * S3 Object Lock as the handlers see it. A version's retention and legal hold ride in `headers.lock`;
 * metadata enforces them where versions are removed (ops/object-lock.ts there). Here: what a new object
 * gets (its request's `x-amz-object-lock-*` headers, else its bucket's default retention) and who may
 * bypass a GOVERNANCE retention. GET and HEAD answer a version's lock in object-headers.ts.
 */
export const LOCK_MODE_HEADER = 'x-amz-object-lock-mode';
export const LOCK_UNTIL_HEADER = 'x-amz-object-lock-retain-until-date';
export const LEGAL_HOLD_HEADER = 'x-amz-object-lock-legal-hold';
export const BYPASS_HEADER = 'x-amz-bypass-governance-retention';

/** S3's messages, word for word (s3-protocol's xml/object-lock.ts gives the sources). */
const BOTH_NEEDED = 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied';
const NO_LOCK_ON_BUCKET = 'Bucket is missing ObjectLockConfiguration';
const INTEGRITY_NEEDED = 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters';
const PART_INTEGRITY_NEEDED = 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Part requests with Object Lock parameters';

const DAY_MS = 24 * 3600 * 1000;

/** The lock headers a write request sent, checked as S3 checks them before it looks at the bucket. */
interface AskedLock {
  readonly mode?: ObjectLockMode;
  readonly retainUntil?: number;
  readonly legalHold?: boolean;
}

function askedLock(h: IncomingHttpHeaders, now: number): AskedLock | undefined {
  const modeText = header(h, LOCK_MODE_HEADER);
  const untilText = header(h, LOCK_UNTIL_HEADER);
  const holdText = header(h, LEGAL_HOLD_HEADER);
  if (modeText === undefined && untilText === undefined && holdText === undefined) return undefined;
  if (modeText !== undefined && modeText !== 'GOVERNANCE' && modeText !== 'COMPLIANCE') {
    throw new S3Error('InvalidArgument', 'Unknown wormMode directive.', { ArgumentName: LOCK_MODE_HEADER, ArgumentValue: modeText });
  }
  if ((modeText === undefined) !== (untilText === undefined)) {
    throw new S3Error('InvalidArgument', BOTH_NEEDED, {
      ArgumentName: modeText === undefined ? LOCK_MODE_HEADER : LOCK_UNTIL_HEADER,
    });
  }
  const retainUntil = untilText === undefined ? undefined : parseRetainUntilDate(untilText);
  if (holdText !== undefined && holdText !== 'ON' && holdText !== 'OFF') {
    throw new S3Error('InvalidArgument', "Legal Hold must be either of 'ON' or 'OFF'", { ArgumentName: LEGAL_HOLD_HEADER, ArgumentValue: holdText });
  }
  if (retainUntil !== undefined) assertRetainUntilDateInFuture(retainUntil, now, untilText);
  return {
    ...(modeText !== undefined && { mode: modeText }),
    ...(retainUntil !== undefined && { retainUntil }),
    ...(holdText !== undefined && { legalHold: holdText === 'ON' }),
  };
}

/**
 * The lock a new object (PutObject, CopyObject, CreateMultipartUpload) gets: the retention its request
 * names, else its bucket's default retention counted from `now` (the object's creation); the legal hold
 * its request names. Lock headers on a bucket without Object Lock are InvalidRequest. Undefined: none.
 * `body`: the request carries the object (PutObject), which must then come with Content-MD5 or a checksum
 * whenever a retention or legal hold applies (S3's rule, for the default retention too).
 */
export async function writeLock(
  req: Pick<S3Request, 'headers' | 'body'>,
  bucket: string,
  deps: S3ApiDeps,
  ctx: CallCtx,
  opts: { readonly body: boolean; readonly now?: number },
): Promise<ObjectLock | undefined> {
  const now = opts.now ?? Date.now();
  const asked = askedLock(req.headers, now);
  const defaults = await writeDefaultsOf(bucket, deps, ctx);
  if (!defaults.objectLock) {
    if (asked) throw new S3Error('InvalidRequest', NO_LOCK_ON_BUCKET);
    return undefined;
  }
  const byDefault = defaults.objectLock.retention;
  const lock: ObjectLock = {
    ...(asked?.mode !== undefined
      ? { mode: asked.mode, retainUntil: asked.retainUntil }
      : byDefault && { mode: byDefault.Mode, retainUntil: defaultRetainUntil(byDefault, now) }),
    ...(asked?.legalHold !== undefined && { legalHold: asked.legalHold }),
  };
  if (lock.mode === undefined && lock.legalHold === undefined) return undefined;
  if (opts.body && !hasIntegrityHeader(req)) throw new S3Error('InvalidRequest', INTEGRITY_NEEDED);
  return lock;
}

/** A part of an upload under Object Lock must come with Content-MD5 or a checksum, as a PutObject would. */
export function checkPartIntegrity(req: Pick<S3Request, 'headers' | 'body'>, uploadHeaders: ObjectHeaders): void {
  const lock = uploadHeaders.lock;
  if (!lock || (lock.mode === undefined && lock.legalHold === undefined)) return;
  if (!hasIntegrityHeader(req)) throw new S3Error('InvalidRequest', PART_INTEGRITY_NEEDED);
}

/** Days count in whole days; years in calendar years (UTC), as MinIO and Ceph count them. */
export function defaultRetainUntil(r: DefaultRetention, now: number): number {
  if (r.Days !== undefined) return now + r.Days * DAY_MS;
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() + (r.Years ?? 0));
  return d.getTime();
}

/** `headers` with `lock` (or without any, where a copy's source had one). */
export function withLock(headers: ObjectHeaders, lock: ObjectLock | undefined): ObjectHeaders {
  if (lock) return { ...headers, lock };
  if (!headers.lock) return headers;
  const { lock: _dropped, ...rest } = headers;
  return rest;
}

/** Whether the request asks to bypass GOVERNANCE retention (`x-amz-bypass-governance-retention: true`). */
export function asksToBypass(h: IncomingHttpHeaders): boolean {
  return header(h, BYPASS_HEADER)?.trim().toLowerCase() === 'true';
}

/**
 * Whether the request may bypass GOVERNANCE retention on `key` (it asked, and holds s3:BypassGovernanceRetention):
 * a bucket policy's Deny refuses it to everyone, its Allow grants it; otherwise the root key and keys
 * holding the bucket's `owner` grant may, as the bucket owner's account may in S3. Asking without the
 * permission is not an error in itself: the delete or change then meets the retention (AccessDenied).
 */
export function mayBypass(req: S3Request, bucket: string, key: string): boolean {
  if (!asksToBypass(req.headers)) return false;
  const policy = req.bypassPolicy?.(key) ?? 'none';
  if (policy === 'deny') return false;
  if (policy === 'allow') return true;
  if (req.anonymous) return false;
  return req.scope === undefined || req.scope.permissions(bucket).owner;
}

/** Retention and legal hold requests, and the bypass header on deletes, need a bucket with Object Lock. */
export async function requireObjectLock(bucket: string, deps: S3ApiDeps, ctx: CallCtx): Promise<void> {
  if (!(await writeDefaultsOf(bucket, deps, ctx)).objectLock) throw new S3Error('InvalidRequest', 'Bucket is missing Object Lock Configuration');
}

/** S3's answer to the bypass header on a delete in a bucket without Object Lock. */
export async function checkBypassApplies(h: IncomingHttpHeaders, bucket: string, deps: S3ApiDeps, ctx: CallCtx): Promise<void> {
  if (!asksToBypass(h)) return;
  if (!(await writeDefaultsOf(bucket, deps, ctx)).objectLock) {
    throw new S3Error('InvalidArgument', 'x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.', { ArgumentName: BYPASS_HEADER });
  }
}

/** The bucket's write defaults (Object Lock among them) from the gateway's cache; none without one (tests). */
function writeDefaultsOf(bucket: string, deps: S3ApiDeps, ctx: CallCtx): Promise<WriteDefaults> | WriteDefaults {
  return deps.writeDefaults ? deps.writeDefaults.get(bucket, ctx) : {};
}
