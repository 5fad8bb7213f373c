import { buildListVersionsResult, type ListVersionsResultInput, urlEncodeListVersionsResult } from './list-versions-result';
import { T0, T1, childNames, parseBack } from './testing/xml-assert';

const owner = { ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a', DisplayName: 'mtd@amazon.com' };
const base: ListVersionsResultInput = {
  Name: 'bucket',
  Prefix: 'my',
  KeyMarker: '',
  VersionIdMarker: '',
  MaxKeys: 5,
  IsTruncated: false,
  Entries: [
    { kind: 'Version', Key: 'my-image.jpg', VersionId: '3/L4kqtJl40Nr8X8gdRQBpUMLUo', IsLatest: true, LastModified: T0, ETag: 'fba9dede5f27731c9771645a39863328', Size: 434234, Owner: owner, StorageClass: 'STANDARD' },
    { kind: 'DeleteMarker', Key: 'my-second-image.jpg', VersionId: '03jpff543dhffds434rfdsFDN943fdsFkdmqnh892', IsLatest: true, LastModified: T1, Owner: owner },
    { kind: 'Version', Key: 'my-second-image.jpg', VersionId: 'QUpfdndhfd8438MNFDN93jdnJFkdmqnh893', IsLatest: false, LastModified: T0, ETag: '"9b2cf535f27731c974343645a3985328"', Size: 166434, Owner: owner, StorageClass: 'STANDARD' },
  ],
  CommonPrefixes: [],
};

describe('buildListVersionsResult (ListObjectVersions)', () => {
  it('matches the AWS example: versions and markers interleaved in listing order', () => {
    const xml = buildListVersionsResult(base);
    expect(xml).toMatchSnapshot();
    expect(childNames(xml)).toEqual(['Name', 'Prefix', 'KeyMarker', 'VersionIdMarker', 'MaxKeys', 'IsTruncated', 'Version', 'DeleteMarker', 'Version']);
    expect(childNames(xml, 'Version')).toEqual(['Key', 'VersionId', 'IsLatest', 'LastModified', 'ETag', 'Size', 'Owner', 'StorageClass']);
    expect(childNames(xml, 'DeleteMarker')).toEqual(['Key', 'VersionId', 'IsLatest', 'LastModified', 'Owner']);
    const doc = parseBack(xml).ListVersionsResult;
    expect(doc.DeleteMarker.IsLatest).toBe('true');
    expect(doc.Version[1].ETag).toBe('"9b2cf535f27731c974343645a3985328"');
  });

  it('writes the next markers, delimiter and common prefixes in AWS order', () => {
    const xml = buildListVersionsResult({
      ...base,
      KeyMarker: 'a',
      VersionIdMarker: 'null',
      NextKeyMarker: 'my-second-image.jpg',
      NextVersionIdMarker: 'QUpfdndhfd8438MNFDN93jdnJFkdmqnh893',
      Delimiter: '/',
      IsTruncated: true,
      CommonPrefixes: ['my/'],
    });
    expect(childNames(xml)).toEqual([
      'Name', 'Prefix', 'KeyMarker', 'VersionIdMarker', 'NextKeyMarker', 'NextVersionIdMarker', 'MaxKeys', 'Delimiter', 'IsTruncated',
      'Version', 'DeleteMarker', 'Version', 'CommonPrefixes',
    ]);
  });

  it('url-encodes keys, markers, prefix, delimiter and common prefixes for encoding-type=url', () => {
    const enc = urlEncodeListVersionsResult({ ...base, Prefix: 'a b', KeyMarker: 'k+1', NextKeyMarker: 'ü', Delimiter: ' ', CommonPrefixes: ['a b/'] });
    expect(enc).toMatchObject({ Prefix: 'a%20b', KeyMarker: 'k%2B1', NextKeyMarker: '%C3%BC', Delimiter: '%20', EncodingType: 'url', CommonPrefixes: ['a%20b/'] });
    expect(enc.Entries[0].Key).toBe('my-image.jpg');
    expect(enc.Entries[1].VersionId).toBe(base.Entries[1].VersionId);
    expect(buildListVersionsResult(enc)).toContain('<EncodingType>url</EncodingType>');
  });
});
