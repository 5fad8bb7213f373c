import { parseCopySource, parseCopySourceRange } from './copy-source';

describe('x-amz-copy-source', () => {
  it.each([
    ['bucket/key', { bucket: 'bucket', key: 'key' }],
    ['/bucket/key', { bucket: 'bucket', key: 'key' }],
    ['/bucket/dir/a%20b%2Bc', { bucket: 'bucket', key: 'dir/a b+c' }],
    ['bucket/%E2%9C%93?versionId=null', { bucket: 'bucket', key: '✓', versionId: 'null' }],
    ['bucket/a//b/', { bucket: 'bucket', key: 'a//b/' }],
  ])('%s', (raw, want) => expect(parseCopySource(raw)).toEqual({ versionId: undefined, ...want }));

  it.each(['', 'bucket', '/bucket/', 'bucket/%ZZ', '/'])('rejects %j with InvalidArgument', (raw) => {
    expect(() => parseCopySource(raw)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it('rejects keys over 1024 bytes', () => {
    expect(() => parseCopySource('b/' + 'k'.repeat(1025))).toThrow(expect.objectContaining({ code: 'KeyTooLongError' }));
  });
});

describe('x-amz-copy-source-range', () => {
  it('parses a range within the source', () => {
    expect(parseCopySourceRange(undefined, 10)).toBeUndefined();
    expect(parseCopySourceRange('bytes=0-9', 10)).toEqual({ start: 0, end: 9 });
    expect(parseCopySourceRange('bytes=3-3', 10)).toEqual({ start: 3, end: 3 });
  });
  it.each([
    ['bytes=5-2', 'InvalidArgument'],
    ['bytes=-3', 'InvalidArgument'],
    ['bytes=3-', 'InvalidArgument'],
    ['items=0-1', 'InvalidArgument'],
    ['bytes=0-10', 'InvalidRange'],
  ])('%s → %s', (raw, code) => {
    expect(() => parseCopySourceRange(raw, 10)).toThrow(expect.objectContaining({ code }));
  });
});
