import { S3Error, type S3ErrorCode } from '../errors';

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses the ISO 8601 basic format SigV4 signs (`20130524T000000Z`); undefined when malformed. */
export function parseAmzDate(value: string): Date | undefined {
  // Requests signed within the same second carry the same value: reuse its parse (the Date is never mutated).
  if (value === lastAmzDate.value) return new Date(lastAmzDate.ms);
  const t = parseAmzDateUncached(value);
  if (t !== undefined) lastAmzDate = { value, ms: t.getTime() };
  return t;
}

let lastAmzDate = { value: '', ms: 0 };

function parseAmzDateUncached(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Reject rollovers such as month 13 or 31 February.
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return t;
}

export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Parses an HTTP `Date` header (RFC 7231 IMF-fixdate and the obsolete forms Date.parse knows). */
export function parseHttpDate(value: string): Date | undefined {
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/**
 * The time a header-signed request was made: `x-amz-date`, else `Date`. Returns it in the form the string
 * to sign uses. Missing or unreadable → AccessDenied, as AWS answers.
 */
export function requestDateTime(amzDate: string | undefined, httpDate: string | undefined): { date: Date; datetime: string } {
  if (amzDate !== undefined) {
    const datetime = amzDate.trim();
    const date = parseAmzDate(datetime);
    if (date === undefined) throw new S3Error('AccessDenied', `AWS authentication requires a valid Date or x-amz-date header; "${amzDate}" is not in the form YYYYMMDD'T'HHMMSS'Z'.`);
    // parseAmzDate accepts only the exact basic format, so the value is already its canonical form.
    return { date, datetime };
  }
  if (httpDate !== undefined) {
    const date = parseHttpDate(httpDate);
    if (date === undefined) throw new S3Error('AccessDenied', `AWS authentication requires a valid Date or x-amz-date header; "${httpDate}" is not a date.`);
    return { date, datetime: formatAmzDate(date) };
  }
  throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
}

/** A header-signed request must be within `maxSkewMs` of the server clock, either way. */
export function checkSkew(requestTime: Date, now: Date, maxSkewMs: number): void {
  if (Math.abs(now.getTime() - requestTime.getTime()) > maxSkewMs) throw tooSkewed(requestTime, now, maxSkewMs);
}

/** A presigned request may not start beyond the skew window and expires `expiresSeconds` after its date. */
export function checkPresignedTime(requestTime: Date, expiresSeconds: number, now: Date, maxSkewMs: number): void {
  if (requestTime.getTime() - now.getTime() > maxSkewMs) throw tooSkewed(requestTime, now, maxSkewMs);
  const expires = new Date(requestTime.getTime() + expiresSeconds * 1000);
  if (now.getTime() > expires.getTime()) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': String(expiresSeconds),
      Expires: expires.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }
}

/** The credential scope's day must be the request's day. */
export function checkScopeDate(scopeDate: string, datetime: string, code: S3ErrorCode): void {
  if (scopeDate !== datetime.slice(0, 8)) {
    throw new S3Error(code, `Invalid credential date "${scopeDate}". This date is not the same as X-Amz-Date: "${datetime.slice(0, 8)}".`);
  }
}

function tooSkewed(requestTime: Date, now: Date, maxSkewMs: number): S3Error {
  return new S3Error('RequestTimeTooSkewed', undefined, {
    RequestTime: formatAmzDate(requestTime),
    ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    MaxAllowedSkewMilliseconds: String(maxSkewMs),
  });
}
