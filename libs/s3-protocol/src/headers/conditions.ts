import { S3Error } from '../errors';

export interface ConditionHeaders {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: string;
  readonly ifUnmodifiedSince?: string;
}

/** Parses an HTTP date (IMF-fixdate, RFC 850, asctime; ISO 8601 also accepted). undefined if invalid. */
export function parseConditionDate(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Dates formatted lately, by second (GETs' Last-Modified, responses' Date): objects written together
 * share a second, and a workload reading many of them alternates between a few. Cleared when full.
 */
const httpDates = new Map<number, string>();
const HTTP_DATES = 512;

/** IMF-fixdate of `ms` (to the second, as HTTP dates are). */
export function formatHttpDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  let text = httpDates.get(second);
  if (text === undefined) {
    text = new Date(second * 1000).toUTCString();
    if (httpDates.size >= HTTP_DATES) httpDates.clear();
    httpDates.set(second, text);
  }
  return text;
}

export function stripQuotes(etag: string): string {
  const t = etag.trim();
  const weak = t.startsWith('W/') ? t.slice(2) : t;
  return weak.length >= 2 && weak.startsWith('"') && weak.endsWith('"') ? weak.slice(1, -1) : weak;
}

/** Whether an If-Match / If-None-Match list (`"a", "b"` or `*`) names this etag. */
export function etagListMatches(list: string, etag: string): boolean {
  return list.split(',').some((item) => {
    const t = item.trim();
    return t === '*' || stripQuotes(t) === etag;
  });
}

/**
 * Evaluates GET/HEAD conditions in S3's order: If-Match (412) wins over If-Unmodified-Since;
 * If-None-Match (304) wins over If-Modified-Since. Dates compare at one-second resolution.
 * `notModified` is the S3 error code used for 304 (rendered without a body).
 */
export function checkReadConditions(h: ConditionHeaders, etag: string, lastModified: number): void {
  const lm = Math.floor(lastModified / 1000) * 1000;
  if (h.ifMatch !== undefined) {
    if (!etagListMatches(h.ifMatch, etag)) throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
  } else {
    const ius = parseConditionDate(h.ifUnmodifiedSince);
    if (ius !== undefined && lm > ius) throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Unmodified-Since' });
  }
  if (h.ifNoneMatch !== undefined) {
    if (etagListMatches(h.ifNoneMatch, etag)) throw new S3Error('NotModified');
  } else {
    const ims = parseConditionDate(h.ifModifiedSince);
    if (ims !== undefined && lm <= ims) throw new S3Error('NotModified');
  }
}

/**
 * Copy-source conditions (x-amz-copy-source-if-*): same rules, but every failure is 412
 * PreconditionFailed (copying never answers 304).
 */
export function checkCopySourceConditions(h: ConditionHeaders, etag: string, lastModified: number): void {
  try {
    checkReadConditions(h, etag, lastModified);
  } catch (e) {
    if (e instanceof S3Error && e.code === 'NotModified') throw new S3Error('PreconditionFailed', undefined, { Condition: 'x-amz-copy-source-If-None-Match' });
    throw e;
  }
}
