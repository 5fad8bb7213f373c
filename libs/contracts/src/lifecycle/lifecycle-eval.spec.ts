import {
  abortUploadDue,
  currentVersionExpiry,
  dueAfterDays,
  expirationHeader,
  expiredMarkerDue,
  filterMatches,
  noncurrentVersionDue,
} from './lifecycle-eval';
import { decodeLifecycleConfiguration, encodeLifecycleConfiguration, type LifecycleRule } from './lifecycle-rules';

const DAY = 86_400_000;
const T0 = Date.UTC(2014, 0, 15, 10, 30);

describe('lifecycle evaluation', () => {
  it('rounds creation + N days up to the next midnight UTC (S3\'s documented example)', () => {
    expect(dueAfterDays(T0, 3)).toBe(Date.UTC(2014, 0, 19));
    expect(dueAfterDays(Date.UTC(2014, 0, 15), 1)).toBe(Date.UTC(2014, 0, 16)); // already midnight
  });

  it.each([
    [{ kind: 'all' }, { key: 'x', size: 0 }, true],
    [{ kind: 'prefix', prefix: 'a/' }, { key: 'a/b', size: 0 }, true],
    [{ kind: 'prefix', prefix: 'a/' }, { key: 'b/a/', size: 0 }, false],
    [{ kind: 'tag', tag: { key: 'k', value: 'v' } }, { key: 'x', size: 0, tags: [{ key: 'k', value: 'v' }] }, true],
    [{ kind: 'tag', tag: { key: 'k', value: 'v' } }, { key: 'x', size: 0, tags: [{ key: 'k', value: 'w' }] }, false],
    [{ kind: 'tag', tag: { key: 'k', value: 'v' } }, { key: 'x', size: 0 }, false],
    [{ kind: 'sizeGreaterThan', size: 10 }, { key: 'x', size: 10 }, false],
    [{ kind: 'sizeLessThan', size: 10 }, { key: 'x', size: 9 }, true],
    [{ kind: 'and', prefix: 'a', tags: [{ key: 'k', value: 'v' }], sizeLessThan: 5 }, { key: 'ab', size: 4, tags: [{ key: 'k', value: 'v' }] }, true],
    [{ kind: 'and', prefix: 'a', tags: [{ key: 'k', value: 'v' }], sizeLessThan: 5 }, { key: 'ab', size: 5, tags: [{ key: 'k', value: 'v' }] }, false],
  ] as const)('filter %j on %j → %s', (filter, subject, expected) => {
    expect(filterMatches(filter, subject)).toBe(expected);
  });

  const rules: LifecycleRule[] = [
    { id: 'late', status: 'Enabled', filter: { kind: 'all' }, expiration: { days: 30 } },
    { id: 'soon', status: 'Enabled', filter: { kind: 'prefix', prefix: 'tmp/' }, expiration: { days: 1 } },
    { id: 'off', status: 'Disabled', filter: { kind: 'all' }, expiration: { days: 1 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
    { id: 'nc', status: 'Enabled', filter: { kind: 'all' }, noncurrentVersionExpiration: { noncurrentDays: 2, newerNoncurrentVersions: 2 } },
  ];

  it('picks the earliest enabled matching expiration', () => {
    expect(currentVersionExpiry(rules, { key: 'tmp/x', size: 1 }, T0)).toEqual({ at: Date.UTC(2014, 0, 17), ruleId: 'soon' });
    expect(currentVersionExpiry(rules, { key: 'x', size: 1 }, T0)).toEqual({ at: Date.UTC(2014, 1, 15), ruleId: 'late' });
    expect(currentVersionExpiry([rules[2]], { key: 'x', size: 1 }, T0)).toBeUndefined();
  });

  it('noncurrent versions: age since the successor and the count of newer noncurrent ones', () => {
    const since = T0;
    const due = Date.UTC(2014, 0, 18);
    expect(noncurrentVersionDue(rules, { key: 'x', size: 1 }, since, 2, due)).toBe(true);
    expect(noncurrentVersionDue(rules, { key: 'x', size: 1 }, since, 1, due + 100 * DAY)).toBe(false); // kept: one of the 2 newest
    expect(noncurrentVersionDue(rules, { key: 'x', size: 1 }, since, 2, due - 1)).toBe(false);
  });

  it('expired delete markers: ExpiredObjectDeleteMarker at once, Days once old enough; Tag filters never', () => {
    const eodm: LifecycleRule = { id: 'm', status: 'Enabled', filter: { kind: 'prefix', prefix: 'a' }, expiration: { expiredObjectDeleteMarker: true } };
    expect(expiredMarkerDue([eodm], 'ab', T0, T0)).toBe(true);
    expect(expiredMarkerDue([eodm], 'b', T0, T0)).toBe(false);
    expect(expiredMarkerDue([rules[1]], 'tmp/x', T0, Date.UTC(2014, 0, 17) - 1)).toBe(false);
    expect(expiredMarkerDue([rules[1]], 'tmp/x', T0, Date.UTC(2014, 0, 17))).toBe(true);
    const tagged: LifecycleRule = { id: 't', status: 'Enabled', filter: { kind: 'tag', tag: { key: 'k', value: 'v' } }, expiration: { days: 1 } };
    expect(expiredMarkerDue([tagged], 'x', T0, T0 + 10 * DAY)).toBe(false);
  });

  it('stale uploads: enabled rules only', () => {
    expect(abortUploadDue(rules, 'x', T0, T0 + 10 * DAY)).toBe(false);
    expect(abortUploadDue([{ ...rules[2], status: 'Enabled' }], 'x', T0, Date.UTC(2014, 0, 17))).toBe(true);
  });

  it('formats x-amz-expiration as S3 does, the rule id URL-encoded', () => {
    expect(expirationHeader({ at: Date.UTC(2012, 11, 23), ruleId: 'picture-deletion-rule' })).toBe('expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="picture-deletion-rule"');
    expect(expirationHeader({ at: 0, ruleId: 'a "b"' })).toContain('rule-id="a%20%22b%22"');
  });

  it('stores canonical JSON and reads it back', () => {
    const doc = encodeLifecycleConfiguration({ rules });
    expect(decodeLifecycleConfiguration(doc)).toEqual({ rules });
    expect(encodeLifecycleConfiguration(decodeLifecycleConfiguration(doc))).toBe(doc);
    expect(() => decodeLifecycleConfiguration('{"v":2,"rules":[]}')).toThrow();
  });
});
