import { buildCopyObjectResult } from './copy-object-result';
import { T0, childNames, parseBack } from './testing/xml-assert';

describe('buildCopyObjectResult', () => {
  it('writes LastModified and a quoted ETag', () => {
    const xml = buildCopyObjectResult({ ETag: '9b2cf535f27731c974343645a3985328', LastModified: T0 });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag></CopyObjectResult>',
    );
    parseBack(xml);
  });

  it('adds ChecksumType and the checksum of the copy', () => {
    const xml = buildCopyObjectResult({ ETag: 'e', LastModified: T0, ChecksumType: 'FULL_OBJECT', ChecksumCRC32C: 'yZRlqg==' });
    expect(childNames(xml)).toEqual(['LastModified', 'ETag', 'ChecksumType', 'ChecksumCRC32C']);
    expect(xml).toMatchSnapshot();
  });
});
