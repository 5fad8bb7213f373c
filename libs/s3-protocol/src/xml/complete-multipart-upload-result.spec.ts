import { buildCompleteMultipartUploadResult } from './complete-multipart-upload-result';
import { childNames, parseBack } from './testing/xml-assert';

describe('buildCompleteMultipartUploadResult', () => {
  const base = { Location: 'http://example-bucket.s3.amazonaws.com/a%20b', Bucket: 'example-bucket', Key: 'a b', ETag: '3858f62230ac3c915f300c664312c11f-9' };

  it('writes Location, Bucket, Key and a quoted ETag', () => {
    const xml = buildCompleteMultipartUploadResult(base);
    expect(xml).toMatchSnapshot();
    expect(childNames(xml)).toEqual(['Location', 'Bucket', 'Key', 'ETag']);
    expect(xml).toContain('<ETag>&quot;3858f62230ac3c915f300c664312c11f-9&quot;</ETag>');
    expect(parseBack(xml).CompleteMultipartUploadResult.ETag).toBe('"3858f62230ac3c915f300c664312c11f-9"');
  });

  it('does not double-quote an ETag that is already quoted', () => {
    expect(buildCompleteMultipartUploadResult({ ...base, ETag: '"abc-2"' })).toContain('<ETag>&quot;abc-2&quot;</ETag>');
  });

  it('writes the checksums in AWS order, then ChecksumType', () => {
    const xml = buildCompleteMultipartUploadResult({
      ...base,
      ChecksumType: 'COMPOSITE',
      ChecksumSHA256: 'sha256==-2',
      ChecksumCRC32: 'crc32==-2',
      ChecksumCRC64NVME: 'crc64==',
    });
    expect(childNames(xml)).toEqual(['Location', 'Bucket', 'Key', 'ETag', 'ChecksumCRC32', 'ChecksumCRC64NVME', 'ChecksumSHA256', 'ChecksumType']);
    expect(xml).toMatchSnapshot();
  });
});
