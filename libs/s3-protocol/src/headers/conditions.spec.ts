import { S3Error } from '../errors';
import { checkCopySourceConditions, checkReadConditions, etagListMatches, formatHttpDate, type ConditionHeaders } from './conditions';

const etag = 'abc';
const lm = Date.parse('2024-01-02T03:04:05.678Z');
const before = 'Mon, 01 Jan 2024 00:00:00 GMT';
const same = 'Tue, 02 Jan 2024 03:04:05 GMT';
const after = 'Wed, 03 Jan 2024 00:00:00 GMT';

function outcome(h: ConditionHeaders, fn = checkReadConditions): string {
  try {
    fn(h, etag, lm);
    return 'ok';
  } catch (e) {
    return (e as S3Error).code;
  }
}

describe('read conditions', () => {
  it.each<[ConditionHeaders, string]>([
    [{}, 'ok'],
    [{ ifMatch: '"abc"' }, 'ok'],
    [{ ifMatch: 'abc' }, 'ok'],
    [{ ifMatch: '*' }, 'ok'],
    [{ ifMatch: '"x", "abc"' }, 'ok'],
    [{ ifMatch: '"x"' }, 'PreconditionFailed'],
    [{ ifUnmodifiedSince: after }, 'ok'],
    [{ ifUnmodifiedSince: same }, 'ok'],
    [{ ifUnmodifiedSince: before }, 'PreconditionFailed'],
    [{ ifMatch: '"abc"', ifUnmodifiedSince: before }, 'ok'],
    [{ ifNoneMatch: '"abc"' }, 'NotModified'],
    [{ ifNoneMatch: '*' }, 'NotModified'],
    [{ ifNoneMatch: '"x"' }, 'ok'],
    [{ ifModifiedSince: before }, 'ok'],
    [{ ifModifiedSince: same }, 'NotModified'],
    [{ ifModifiedSince: after }, 'NotModified'],
    [{ ifModifiedSince: 'garbage' }, 'ok'],
    [{ ifNoneMatch: '"x"', ifModifiedSince: after }, 'ok'],
    [{ ifNoneMatch: '"abc"', ifModifiedSince: before }, 'NotModified'],
    [{ ifMatch: '"x"', ifNoneMatch: '"abc"' }, 'PreconditionFailed'],
  ])('%j → %s', (h, want) => {
    expect(outcome(h)).toBe(want);
  });

  it('copy-source conditions never answer 304', () => {
    expect(outcome({ ifNoneMatch: '"abc"' }, checkCopySourceConditions)).toBe('PreconditionFailed');
    expect(outcome({ ifModifiedSince: after }, checkCopySourceConditions)).toBe('PreconditionFailed');
    expect(outcome({ ifMatch: 'abc' }, checkCopySourceConditions)).toBe('ok');
  });

  it('matches weak and quoted etags', () => {
    expect(etagListMatches('W/"abc"', 'abc')).toBe(true);
  });
});

describe('formatHttpDate', () => {
  it('formats to the second, the same for every millisecond of it, and moves on with the clock', () => {
    const t = Date.UTC(2026, 11, 3, 12, 0, 5);
    expect(formatHttpDate(t)).toBe('Thu, 03 Dec 2026 12:00:05 GMT');
    expect(formatHttpDate(t + 999)).toBe('Thu, 03 Dec 2026 12:00:05 GMT');
    expect(formatHttpDate(t + 1000)).toBe('Thu, 03 Dec 2026 12:00:06 GMT');
    expect(formatHttpDate(t)).toBe('Thu, 03 Dec 2026 12:00:05 GMT');
    expect(formatHttpDate(0)).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
  });

  it('stays right for every second while many seconds alternate, past what it remembers', () => {
    const t = Date.UTC(2026, 11, 3, 12, 0, 0);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2000; i += 7) expect(formatHttpDate(t + i * 1000 + round * 333)).toBe(new Date(t + i * 1000).toUTCString());
    }
  });
});
