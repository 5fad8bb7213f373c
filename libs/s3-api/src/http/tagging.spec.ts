import { S3Error } from '@massive/s3-protocol';
import { copyTags, decodeBucketTags, encodeBucketTags, requestTags, withTags } from './tagging';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof S3Error) return e.code;
    throw e;
  }
  return 'none';
}

describe('gateway tagging helpers', () => {
  const src = [{ key: 's', value: '1' }];

  it('requestTags: absent header → undefined; present → the parsed set', () => {
    expect(requestTags({})).toBeUndefined();
    expect(requestTags({ 'x-amz-tagging': 'a=1&b=' })).toEqual([{ key: 'a', value: '1' }, { key: 'b', value: '' }]);
    expect(requestTags({ 'x-amz-tagging': '' })).toEqual([]);
  });

  it('withTags sets, replaces or drops the tags field and keeps every other header', () => {
    const base = { userMetadata: { m: 'x' }, acl: 'doc', tags: src };
    expect(withTags(base, [{ key: 'n', value: '2' }])).toEqual({ userMetadata: { m: 'x' }, acl: 'doc', tags: [{ key: 'n', value: '2' }] });
    expect(withTags(base, [])).toEqual({ userMetadata: { m: 'x' }, acl: 'doc' });
    expect(withTags(base, undefined)).toEqual({ userMetadata: { m: 'x' }, acl: 'doc' });
  });

  it('copyTags: COPY (default, any case) keeps the source set and ignores x-amz-tagging; REPLACE takes it', () => {
    expect(copyTags({ 'x-amz-tagging': 'a=1' }, src)).toBe(src);
    expect(copyTags({ 'x-amz-tagging-directive': 'copy', 'x-amz-tagging': 'a=1' }, src)).toBe(src);
    expect(copyTags({ 'x-amz-tagging-directive': 'REPLACE', 'x-amz-tagging': 'a=1' }, src)).toEqual([{ key: 'a', value: '1' }]);
    expect(copyTags({ 'x-amz-tagging-directive': 'REPLACE' }, src)).toBeUndefined();
    expect(codeOf(() => copyTags({ 'x-amz-tagging-directive': 'MERGE' }, src))).toBe('InvalidArgument');
  });

  it('bucket tag documents: canonical versioned JSON, validated as a bucket set (50 tags)', () => {
    const set = [{ Key: 'env', Value: 'prod' }, { Key: 'k', Value: '' }];
    const doc = encodeBucketTags(set);
    expect(JSON.parse(doc)).toEqual({ v: 1, tags: [{ key: 'env', value: 'prod' }, { key: 'k', value: '' }] });
    expect(decodeBucketTags(doc)).toEqual(set);
    expect(codeOf(() => encodeBucketTags(Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: '' }))))).toBe('InvalidTag');
    expect(() => decodeBucketTags('{"v":2,"tags":[]}')).toThrow(/unknown format/);
    expect(() => decodeBucketTags('{"v":1,"tags":[{"key":1}]}')).toThrow(/unknown format/);
  });
});
