import type { IncomingHttpHeaders } from 'node:http';
import { isS3Error, type PolicyDecision } from '@massive/s3-protocol';
import type { KeyScope, S3ApiDeps, S3Request } from '../types';
import type { WriteDefaults } from './bucket-write-defaults';
import { checkBypassApplies, checkPartIntegrity, defaultRetainUntil, mayBypass, requireObjectLock, writeLock, withLock } from './object-lock';

const ctx = { requestId: 'r' };
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0, 250);
const DAY = 86_400_000;

function depsWith(defaults: WriteDefaults): S3ApiDeps {
  return { writeDefaults: { get: async () => defaults } } as unknown as S3ApiDeps;
}
const LOCKED = depsWith({ objectLock: {} });
const PLAIN = depsWith({});

function req(headers: IncomingHttpHeaders, trailerChecksum?: string): Pick<S3Request, 'headers' | 'body'> {
  return { headers, body: { trailerChecksum } as S3Request['body'] };
}

async function s3Code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (isS3Error(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'ok';
}

const until = new Date(NOW + DAY).toISOString();
const MD5 = { 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' };

describe('writeLock: what a new object gets', () => {
  it('takes the request\'s retention and legal hold on a bucket with Object Lock', async () => {
    const h = { ...MD5, 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': until, 'x-amz-object-lock-legal-hold': 'OFF' };
    expect(await writeLock(req(h), 'b', LOCKED, ctx, { body: true, now: NOW })).toEqual({ mode: 'GOVERNANCE', retainUntil: NOW + DAY, legalHold: false });
    expect(await writeLock(req({ ...MD5, 'x-amz-object-lock-legal-hold': 'ON' }), 'b', LOCKED, ctx, { body: true, now: NOW })).toEqual({ legalHold: true });
  });

  it('falls back to the bucket\'s default retention, counted from now; the request\'s own wins', async () => {
    const days = depsWith({ objectLock: { retention: { Mode: 'COMPLIANCE', Days: 3 } } });
    expect(await writeLock(req(MD5), 'b', days, ctx, { body: true, now: NOW })).toEqual({ mode: 'COMPLIANCE', retainUntil: NOW + 3 * DAY });
    const h = { ...MD5, 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': until };
    expect(await writeLock(req(h), 'b', days, ctx, { body: true, now: NOW })).toEqual({ mode: 'GOVERNANCE', retainUntil: NOW + DAY });
    // A legal hold alone keeps the default retention beside it.
    expect(await writeLock(req({ ...MD5, 'x-amz-object-lock-legal-hold': 'ON' }), 'b', days, ctx, { body: true, now: NOW })).toEqual({
      mode: 'COMPLIANCE',
      retainUntil: NOW + 3 * DAY,
      legalHold: true,
    });
  });

  it('nothing on a bucket without Object Lock, or on one without a default and no headers', async () => {
    expect(await writeLock(req({}), 'b', PLAIN, ctx, { body: true, now: NOW })).toBeUndefined();
    expect(await writeLock(req({}), 'b', LOCKED, ctx, { body: true, now: NOW })).toBeUndefined();
  });

  it.each([
    [{ 'x-amz-object-lock-mode': 'GOVERNANCE' }, 'InvalidArgument: x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied'],
    [{ 'x-amz-object-lock-retain-until-date': until }, 'InvalidArgument: x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied'],
    [{ 'x-amz-object-lock-mode': 'governance', 'x-amz-object-lock-retain-until-date': until }, 'InvalidArgument: Unknown wormMode directive.'],
    [{ 'x-amz-object-lock-mode': 'COMPLIANCE', 'x-amz-object-lock-retain-until-date': 'tomorrow' }, 'InvalidArgument: The retain until date must be provided in ISO 8601 format'],
    [{ 'x-amz-object-lock-mode': 'COMPLIANCE', 'x-amz-object-lock-retain-until-date': new Date(NOW - 1).toISOString() }, 'InvalidArgument: The retain until date must be in the future!'],
    [{ 'x-amz-object-lock-legal-hold': 'on' }, "InvalidArgument: Legal Hold must be either of 'ON' or 'OFF'"],
  ])('refuses %j before looking at the bucket', async (h, expected) => {
    expect(await s3Code(writeLock(req({ ...MD5, ...h }), 'b', PLAIN, ctx, { body: true, now: NOW }))).toBe(expected);
  });

  it('lock headers on a bucket without Object Lock are InvalidRequest', async () => {
    const h = { 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': until };
    expect(await s3Code(writeLock(req(h), 'b', PLAIN, ctx, { body: false, now: NOW }))).toBe('InvalidRequest: Bucket is missing ObjectLockConfiguration');
  });

  it('a body under a retention or legal hold needs Content-MD5 or a checksum (header or trailer); a copy or an upload\'s start does not', async () => {
    const h = { 'x-amz-object-lock-legal-hold': 'ON' };
    const missing = 'InvalidRequest: Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters';
    expect(await s3Code(writeLock(req(h), 'b', LOCKED, ctx, { body: true, now: NOW }))).toBe(missing);
    const byDefault = depsWith({ objectLock: { retention: { Mode: 'GOVERNANCE', Years: 1 } } });
    expect(await s3Code(writeLock(req({}), 'b', byDefault, ctx, { body: true, now: NOW }))).toBe(missing);
    expect(await s3Code(writeLock(req({ ...h, 'x-amz-checksum-crc32': 'AAAAAA==' }), 'b', LOCKED, ctx, { body: true, now: NOW }))).toBe('ok');
    expect(await s3Code(writeLock(req(h, 'CRC32'), 'b', LOCKED, ctx, { body: true, now: NOW }))).toBe('ok');
    expect(await s3Code(writeLock(req(h), 'b', LOCKED, ctx, { body: false, now: NOW }))).toBe('ok');
    // The SigV4 payload hash is not an integrity header (as S3 answers).
    expect(await s3Code(writeLock(req({ ...h, 'x-amz-content-sha256': 'ab'.repeat(32) }), 'b', LOCKED, ctx, { body: true, now: NOW }))).toBe(missing);
  });

  it('parts of an upload under a lock need the same', () => {
    const missing = 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Part requests with Object Lock parameters';
    const locked = { userMetadata: {}, lock: { mode: 'COMPLIANCE' as const, retainUntil: NOW + DAY } };
    expect(() => checkPartIntegrity(req({}), locked)).toThrow(missing);
    expect(() => checkPartIntegrity(req(MD5), locked)).not.toThrow();
    expect(() => checkPartIntegrity(req({}), { userMetadata: {} })).not.toThrow();
  });
});

describe('defaultRetainUntil', () => {
  it('counts days in whole days and years in calendar years (UTC)', () => {
    expect(defaultRetainUntil({ Mode: 'GOVERNANCE', Days: 2 }, NOW)).toBe(NOW + 2 * DAY);
    expect(new Date(defaultRetainUntil({ Mode: 'GOVERNANCE', Years: 1 }, NOW)).toISOString()).toBe('2027-12-06T12:00:00.250Z');
    const leap = Date.UTC(2028, 1, 29);
    expect(new Date(defaultRetainUntil({ Mode: 'GOVERNANCE', Years: 1 }, leap)).toISOString()).toBe('2029-03-01T00:00:00.000Z');
  });
});

describe('withLock', () => {
  it('sets the new lock, or drops one a copy\'s source had', () => {
    const lock = { legalHold: true };
    expect(withLock({ userMetadata: {} }, lock)).toEqual({ userMetadata: {}, lock });
    expect(withLock({ userMetadata: {}, lock }, undefined)).toEqual({ userMetadata: {} });
  });
});

describe('mayBypass', () => {
  const scope = (owner: boolean): KeyScope => ({ permissions: () => ({ read: true, write: true, owner }) }) as unknown as KeyScope;
  const r = (o: { ask?: boolean; scope?: KeyScope; anonymous?: boolean; policy?: PolicyDecision }): S3Request =>
    ({
      headers: o.ask === false ? {} : { 'x-amz-bypass-governance-retention': 'True' },
      scope: o.scope,
      anonymous: o.anonymous,
      bypassPolicy: o.policy && (() => o.policy),
    }) as unknown as S3Request;

  it('the root key and keys owning the bucket may, when they ask', () => {
    expect(mayBypass(r({}), 'b', 'k')).toBe(true);
    expect(mayBypass(r({ ask: false }), 'b', 'k')).toBe(false);
    expect(mayBypass(r({ scope: scope(true) }), 'b', 'k')).toBe(true);
    expect(mayBypass(r({ scope: scope(false) }), 'b', 'k')).toBe(false);
    expect(mayBypass(r({ anonymous: true }), 'b', 'k')).toBe(false);
  });

  it('a bucket policy\'s Deny refuses it to everyone, its Allow grants it', () => {
    expect(mayBypass(r({ policy: 'deny' }), 'b', 'k')).toBe(false);
    expect(mayBypass(r({ scope: scope(true), policy: 'deny' }), 'b', 'k')).toBe(false);
    expect(mayBypass(r({ scope: scope(false), policy: 'allow' }), 'b', 'k')).toBe(true);
    expect(mayBypass(r({ scope: scope(false), policy: 'none' }), 'b', 'k')).toBe(false);
  });
});

describe('bucket checks', () => {
  it('retention requests need Object Lock; the bypass header on a delete too', async () => {
    expect(await s3Code(requireObjectLock('b', PLAIN, ctx))).toBe('InvalidRequest: Bucket is missing Object Lock Configuration');
    expect(await s3Code(requireObjectLock('b', LOCKED, ctx))).toBe('ok');
    const bypass = { 'x-amz-bypass-governance-retention': 'true' };
    expect(await s3Code(checkBypassApplies(bypass, 'b', PLAIN, ctx))).toBe(
      'InvalidArgument: x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.',
    );
    expect(await s3Code(checkBypassApplies(bypass, 'b', LOCKED, ctx))).toBe('ok');
    expect(await s3Code(checkBypassApplies({}, 'b', PLAIN, ctx))).toBe('ok');
  });
});
