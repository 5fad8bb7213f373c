import { buildListPartsResult, type ListPartsResultInput } from './list-parts-result';
import { T0, T1, childNames, parseBack } from './testing/xml-assert';

const base: ListPartsResultInput = {
  Bucket: 'example-bucket',
  Key: 'example-object',
  UploadId: 'XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA',
  Initiator: { ID: 'arn:aws:iam::111122223333:user/some-user', DisplayName: 'umat-user' },
  Owner: { ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a', DisplayName: 'someName' },
  StorageClass: 'STANDARD',
  PartNumberMarker: 1,
  NextPartNumberMarker: 3,
  MaxParts: 2,
  IsTruncated: true,
  Part: [
    { PartNumber: 2, LastModified: T0, ETag: '7778aef83f66abc1fa1e8477f296d394', Size: 10485760 },
    { PartNumber: 3, LastModified: T1, ETag: '"aaaa18db4cc2f85cedef654fccc4a4x8"', Size: 10485760 },
  ],
};

describe('buildListPartsResult', () => {
  it('matches the AWS example layout', () => {
    const xml = buildListPartsResult(base);
    expect(xml).toMatchSnapshot();
    expect(childNames(xml)).toEqual([
      'Bucket', 'Key', 'UploadId', 'Initiator', 'Owner', 'StorageClass', 'PartNumberMarker', 'NextPartNumberMarker', 'MaxParts', 'IsTruncated', 'Part', 'Part',
    ]);
    expect(childNames(xml, 'Part')).toEqual(['PartNumber', 'LastModified', 'ETag', 'Size']);
    const doc = parseBack(xml).ListPartsResult;
    expect(doc.Part.map((p: any) => p.ETag)).toEqual(['"7778aef83f66abc1fa1e8477f296d394"', '"aaaa18db4cc2f85cedef654fccc4a4x8"']);
    expect(doc.Initiator).toEqual({ ID: 'arn:aws:iam::111122223333:user/some-user', DisplayName: 'umat-user' });
  });

  it('writes part checksums and the upload checksum algorithm and type', () => {
    const xml = buildListPartsResult({
      ...base,
      IsTruncated: false,
      Part: [{ PartNumber: 1, LastModified: T0, ETag: 'e', Size: 5, ChecksumCRC32: 'AAAAAA==' }],
      ChecksumAlgorithm: 'CRC32',
      ChecksumType: 'COMPOSITE',
    });
    expect(xml).toMatchSnapshot();
    expect(childNames(xml, 'Part')).toEqual(['PartNumber', 'LastModified', 'ETag', 'Size', 'ChecksumCRC32']);
    expect(childNames(xml).slice(-2)).toEqual(['ChecksumAlgorithm', 'ChecksumType']);
  });

  it('writes markers of 0 and no Part for an empty upload', () => {
    const xml = buildListPartsResult({ ...base, PartNumberMarker: 0, NextPartNumberMarker: 0, IsTruncated: false, Part: [], Owner: { ID: 'o' } });
    expect(xml).toContain('<Owner><ID>o</ID></Owner><StorageClass>STANDARD</StorageClass><PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>0</NextPartNumberMarker>');
    expect(childNames(xml)).not.toContain('Part');
    parseBack(xml);
  });
});
