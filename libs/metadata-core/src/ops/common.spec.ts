import { checkConditions, bareEtag, decodeBucket } from './common';
import { codecs, type BucketRecord, type ObjectRecord } from '../model/records';

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

describe('decodeBucket', () => {
  const rec: BucketRecord = {
    name: 'photos',
    id: '0123456789abcdef0123456789abcdef',
    region: 'us-east-1',
    owner: { id: 'owner-1', displayName: 'owner' },
    createdAt: 1,
    versioning: 'Unversioned',
    usageTracked: true,
  };

  it('answers equal bytes with the record decoded before, frozen to the bottom', () => {
    const a = decodeBucket('photos', codecs.bucket.encode(rec));
    const b = decodeBucket('photos', codecs.bucket.encode(rec)); // another read: new bytes, equal
    expect(b).toBe(a);
    expect(a).toEqual(rec);
    expect(Object.isFrozen(a) && Object.isFrozen(a.owner)).toBe(true);
    expect(() => ((a as { versioning: string }).versioning = 'Enabled')).toThrow(TypeError);
  });

  it('decodes changed bytes afresh, and never answers one bucket with another', () => {
    const before = decodeBucket('photos', codecs.bucket.encode(rec));
    const after = decodeBucket('photos', codecs.bucket.encode({ ...rec, versioning: 'Enabled' }));
    expect(after).not.toBe(before);
    expect(after.versioning).toBe('Enabled');
    expect(before.versioning).toBe('Unversioned');
    const other = decodeBucket('videos', codecs.bucket.encode({ ...rec, name: 'videos', id: 'f'.repeat(32) }));
    expect(other.name).toBe('videos');
    expect(decodeBucket('photos', codecs.bucket.encode({ ...rec, versioning: 'Enabled' }))).toBe(after);
  });

  it('keeps a bounded number of buckets', () => {
    const first = decodeBucket('b-0', codecs.bucket.encode({ ...rec, name: 'b-0' }));
    for (let i = 1; i <= 300; i++) decodeBucket(`b-${i}`, codecs.bucket.encode({ ...rec, name: `b-${i}` }));
    const again = decodeBucket('b-0', codecs.bucket.encode({ ...rec, name: 'b-0' }));
    expect(again).toEqual(first);
    expect(again).not.toBe(first); // dropped when the cache filled, decoded again
  });
});
