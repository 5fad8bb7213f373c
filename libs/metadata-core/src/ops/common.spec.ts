import { checkConditions, bareEtag } from './common';
import type { ObjectRecord } from '../model/records';

const cur: ObjectRecord = { versionId: 'v', size: 1, etag: 'abc', lastModified: 0 };

describe('checkConditions', () => {
  it.each([
    [{ ifMatch: '"abc"' }, cur, undefined],
    [{ ifMatch: 'abc' }, cur, undefined],
    [{ ifMatch: '*' }, cur, undefined],
    [{ ifMatch: '"x", "abc"' }, cur, undefined],
    [{ ifMatch: '"other"' }, cur, 'PreconditionFailed'],
    [{ ifMatch: '"abc"' }, undefined, 'NoSuchKey'],
    [{ ifMatch: '*' }, undefined, 'NoSuchKey'],
    [{ ifNoneMatch: '*' }, cur, 'PreconditionFailed'],
    [{ ifNoneMatch: '*' }, undefined, undefined],
    [{ ifNoneMatch: '"abc"' }, cur, 'PreconditionFailed'],
    [{ ifNoneMatch: '"zzz"' }, cur, undefined],
    [{ ifNoneMatch: '"abc"' }, undefined, undefined],
  ])('%j on %j → %s', (cond, current, code) => {
    let got: string | undefined;
    try {
      checkConditions(current, cond, 'k');
    } catch (e) {
      got = (e as { code: string }).code;
    }
    expect(got).toBe(code);
  });

  it('normalises etags', () => {
    expect(bareEtag(' "abc-2" ')).toBe('abc-2');
    expect(bareEtag('W/"abc"')).toBe('abc');
  });
});
