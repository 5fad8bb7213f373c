import { buildCopyPartResult } from './copy-part-result';
import { T1, childNames, parseBack } from './testing/xml-assert';

describe('buildCopyPartResult', () => {
  it('writes LastModified, ETag and optional checksums', () => {
    const plain = buildCopyPartResult({ ETag: '"b0c6f0e7e054ab8fa2536a2677f8734d"', LastModified: T1 });
    expect(plain).toMatchSnapshot();
    expect(childNames(plain)).toEqual(['LastModified', 'ETag']);
    const withSum = buildCopyPartResult({ ETag: 'x', LastModified: T1, ChecksumSHA1: 'sha1=' });
    expect(childNames(withSum)).toEqual(['LastModified', 'ETag', 'ChecksumSHA1']);
    expect(parseBack(withSum).CopyPartResult.ETag).toBe('"x"');
  });
});
