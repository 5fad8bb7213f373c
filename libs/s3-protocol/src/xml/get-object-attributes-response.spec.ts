import { buildGetObjectAttributesResponse } from './get-object-attributes-response';
import { childNames, parseBack } from './testing/xml-assert';

describe('buildGetObjectAttributesResponse', () => {
  it('writes only what was asked, in AWS order, the ETag unquoted', () => {
    const xml = buildGetObjectAttributesResponse({ ETag: 'abc-2', StorageClass: 'STANDARD', ObjectSize: 12 });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<GetObjectAttributesResponse xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<ETag>abc-2</ETag><StorageClass>STANDARD</StorageClass><ObjectSize>12</ObjectSize></GetObjectAttributesResponse>',
    );
    parseBack(xml);
  });

  it('writes the part count alone when parts are not listed', () => {
    const xml = buildGetObjectAttributesResponse({ ObjectParts: { TotalPartsCount: 2 } });
    expect(childNames(xml, 'ObjectParts')).toEqual(['PartsCount']);
  });

  it('writes Checksum and ObjectParts with their parts', () => {
    const xml = buildGetObjectAttributesResponse({
      ETag: 'e',
      Checksum: { ChecksumCRC32C: 'yZRlqg==', ChecksumType: 'COMPOSITE' },
      ObjectParts: {
        TotalPartsCount: 3,
        PartNumberMarker: 1,
        NextPartNumberMarker: 2,
        MaxParts: 1,
        IsTruncated: true,
        Part: [{ PartNumber: 2, Size: 5, ChecksumCRC32C: 'AAAAAA==' }],
      },
      StorageClass: 'STANDARD',
      ObjectSize: 15,
    });
    expect(childNames(xml)).toEqual(['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']);
    expect(childNames(xml, 'Checksum')).toEqual(['ChecksumCRC32C', 'ChecksumType']);
    expect(childNames(xml, 'ObjectParts')).toEqual(['PartsCount', 'PartNumberMarker', 'NextPartNumberMarker', 'MaxParts', 'IsTruncated', 'Part']);
    expect(childNames(xml, 'ObjectParts', 'Part')).toEqual(['ChecksumCRC32C', 'PartNumber', 'Size']);
    expect(parseBack(xml).GetObjectAttributesResponse.ObjectParts.Part).toEqual({ ChecksumCRC32C: 'AAAAAA==', PartNumber: '2', Size: '5' });
  });
});
