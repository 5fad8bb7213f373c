import type { LifecycleFilter, LifecycleRule, LifecycleTag } from './lifecycle-rules';

/**
 * How S3 applies lifecycle rules, as pure functions of (rules, what we know of a version, time). The
 * metadata worker asks them what to do; the gateway asks them for `x-amz-expiration`.
 *
 * Time: "N days after T" is T + N days rounded UP to the next midnight UTC (S3's rule: an object created
 * 2014-01-15 10:30 UTC with Days 3 expires 2014-01-19 00:00 UTC). A `Date` expiration applies from that
 * midnight on, to every matching object whatever its age.
 */
export const DAY_MS = 86_400_000;

export function dueAfterDays(fromMs: number, days: number): number {
  return Math.ceil((fromMs + days * DAY_MS) / DAY_MS) * DAY_MS;
}

/** What a filter can look at: the key, the size and the version's tags. */
export interface LifecycleSubject {
  readonly key: string;
  readonly size: number;
  readonly tags?: readonly LifecycleTag[];
}

const hasTag = (tags: readonly LifecycleTag[] | undefined, t: LifecycleTag): boolean =>
  (tags ?? []).some((x) => x.key === t.key && x.value === t.value);

/** Whether `filter` selects an object version. */
export function filterMatches(filter: LifecycleFilter, o: LifecycleSubject): boolean {
  switch (filter.kind) {
    case 'all':
      return true;
    case 'legacy':
    case 'prefix':
      return o.key.startsWith(filter.prefix);
    case 'tag':
      return hasTag(o.tags, filter.tag);
    case 'sizeGreaterThan':
      return o.size > filter.size;
    case 'sizeLessThan':
      return o.size < filter.size;
    case 'and':
      return (
        (filter.prefix === undefined || o.key.startsWith(filter.prefix)) &&
        filter.tags.every((t) => hasTag(o.tags, t)) &&
        (filter.sizeGreaterThan === undefined || o.size > filter.sizeGreaterThan) &&
        (filter.sizeLessThan === undefined || o.size < filter.sizeLessThan)
      );
  }
}

/**
 * Whether `filter` selects a delete marker or an upload of `key`: these have no tags (a Tag filter never
 * selects them, which is why S3 refuses ExpiredObjectDeleteMarker and AbortIncompleteMultipartUpload
 * with Tag filters) and no size of their own, so only the prefix counts.
 */
export function filterMatchesKey(filter: LifecycleFilter, key: string): boolean {
  switch (filter.kind) {
    case 'all':
    case 'sizeGreaterThan':
    case 'sizeLessThan':
      return true;
    case 'legacy':
    case 'prefix':
      return key.startsWith(filter.prefix);
    case 'tag':
      return false;
    case 'and':
      return filter.tags.length === 0 && (filter.prefix === undefined || key.startsWith(filter.prefix));
  }
}

/** The prefix every key a rule selects starts with ('' when it may select any key). */
export function rulePrefix(rule: LifecycleRule): string {
  const f = rule.filter;
  return f.kind === 'legacy' || f.kind === 'prefix' ? f.prefix : f.kind === 'and' ? (f.prefix ?? '') : '';
}

const enabled = (rules: readonly LifecycleRule[]): LifecycleRule[] => rules.filter((r) => r.status === 'Enabled');

/**
 * When the current version `o` (created at `createdMs`, not a delete marker) expires, and by which rule:
 * the earliest of the enabled matching rules with an Expiration Days or Date. Undefined: never.
 */
export function currentVersionExpiry(
  rules: readonly LifecycleRule[],
  o: LifecycleSubject,
  createdMs: number,
): { readonly at: number; readonly ruleId: string } | undefined {
  let best: { at: number; ruleId: string } | undefined;
  for (const r of enabled(rules)) {
    const e = r.expiration;
    if (!e || (e.days === undefined && e.date === undefined) || !filterMatches(r.filter, o)) continue;
    const at = e.days !== undefined ? dueAfterDays(createdMs, e.days) : (e.date as number);
    if (!best || at < best.at) best = { at, ruleId: r.id };
  }
  return best;
}

/**
 * Whether a delete marker that is the only version left of `key` (an "expired object delete marker")
 * goes now: a matching enabled rule says ExpiredObjectDeleteMarker, or has Expiration Days and the
 * marker is that old (S3 cleans such markers as part of a Days expiration).
 */
export function expiredMarkerDue(rules: readonly LifecycleRule[], key: string, markerCreatedMs: number, now: number): boolean {
  return enabled(rules).some((r) => {
    const e = r.expiration;
    if (!e || !filterMatchesKey(r.filter, key)) return false;
    if (e.expiredObjectDeleteMarker === true) return true;
    return e.days !== undefined && dueAfterDays(markerCreatedMs, e.days) <= now;
  });
}

/**
 * Whether a noncurrent version goes now: noncurrent since `noncurrentSinceMs` (when its successor was
 * created), with `newerNoncurrent` noncurrent versions of the key newer than it. A rule with
 * NewerNoncurrentVersions N keeps the N newest noncurrent versions whatever their age. Delete markers
 * (`marker`) are matched on their key only.
 */
export function noncurrentVersionDue(
  rules: readonly LifecycleRule[],
  o: LifecycleSubject & { readonly marker?: boolean },
  noncurrentSinceMs: number,
  newerNoncurrent: number,
  now: number,
): boolean {
  return enabled(rules).some((r) => {
    const n = r.noncurrentVersionExpiration;
    if (!n) return false;
    if (!(o.marker ? filterMatchesKey(r.filter, o.key) : filterMatches(r.filter, o))) return false;
    return newerNoncurrent >= (n.newerNoncurrentVersions ?? 0) && dueAfterDays(noncurrentSinceMs, n.noncurrentDays) <= now;
  });
}

/** Whether an incomplete multipart upload of `key`, initiated at `initiatedMs`, is aborted now. */
export function abortUploadDue(rules: readonly LifecycleRule[], key: string, initiatedMs: number, now: number): boolean {
  return enabled(rules).some((r) => {
    const a = r.abortIncompleteMultipartUpload;
    return a !== undefined && filterMatchesKey(r.filter, key) && dueAfterDays(initiatedMs, a.daysAfterInitiation) <= now;
  });
}

/**
 * `x-amz-expiration`'s value: `expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="id"`. The rule id
 * is URL-encoded (as S3 does), so any id fits an ASCII header and cannot break out of its quotes.
 */
export function expirationHeader(expiry: { readonly at: number; readonly ruleId: string }): string {
  return `expiry-date="${new Date(expiry.at).toUTCString()}", rule-id="${encodeURIComponent(expiry.ruleId)}"`;
}
