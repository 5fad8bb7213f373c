import {
  buildListMultipartUploadsResult,
  type ListMultipartUploadsResultInput,
  type ListedUpload,
  urlEncodeListMultipartUploadsResult,
} from './list-multipart-uploads-result';
import { T0, T1, childNames, parseBack } from './testing/xml-assert';

const upload: ListedUpload = {
  Key: 'my-divisor',
  UploadId: 'XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw',
  Initiator: { ID: 'arn:aws:iam::111122223333:user/user1', DisplayName: 'user1' },
  Owner: { ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a', DisplayName: 'OwnerDisplayName' },
  StorageClass: 'REDUCED_REDUNDANCY',
  Initiated: T0,
};
const base: ListMultipartUploadsResultInput = {
  Bucket: 'bucket',
  KeyMarker: '',
  UploadIdMarker: '',
  NextKeyMarker: 'my-movie.m2ts',
  NextUploadIdMarker: 'YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ',
  MaxUploads: 3,
  IsTruncated: true,
  Upload: [upload, { ...upload, Key: 'my-movie.m2ts', Initiated: T1, StorageClass: 'STANDARD' }],
  CommonPrefixes: [],
};

describe('buildListMultipartUploadsResult', () => {
  it('matches the AWS example layout', () => {
    const xml = buildListMultipartUploadsResult(base);
    expect(xml).toMatchSnapshot();
    expect(childNames(xml)).toEqual(['Bucket', 'KeyMarker', 'UploadIdMarker', 'NextKeyMarker', 'NextUploadIdMarker', 'MaxUploads', 'IsTruncated', 'Upload', 'Upload']);
    expect(childNames(xml, 'Upload')).toEqual(['Key', 'UploadId', 'Initiator', 'Owner', 'StorageClass', 'Initiated']);
    const doc = parseBack(xml).ListMultipartUploadsResult;
    expect(doc.KeyMarker).toBe('');
    expect(doc.Upload[1].Initiated).toBe('2024-02-29T23:59:59.123Z');
  });

  it('writes delimiter, prefix, common prefixes, checksums and EncodingType in order', () => {
    const xml = buildListMultipartUploadsResult({
      ...base,
      Delimiter: '/',
      Prefix: '',
      IsTruncated: false,
      NextKeyMarker: undefined,
      NextUploadIdMarker: undefined,
      Upload: [{ ...upload, ChecksumAlgorithm: 'SHA256', ChecksumType: 'COMPOSITE' }],
      CommonPrefixes: ['photos/', 'videos/'],
      EncodingType: 'url',
    });
    expect(xml).toMatchSnapshot();
    expect(childNames(xml)).toEqual([
      'Bucket', 'KeyMarker', 'UploadIdMarker', 'Delimiter', 'Prefix', 'MaxUploads', 'IsTruncated', 'Upload', 'CommonPrefixes', 'CommonPrefixes', 'EncodingType',
    ]);
    expect(childNames(xml, 'Upload').slice(-2)).toEqual(['ChecksumAlgorithm', 'ChecksumType']);
  });

  it('urlEncode… encodes markers, prefix, delimiter, keys and common prefixes but not upload ids', () => {
    const input = urlEncodeListMultipartUploadsResult({ ...base, KeyMarker: 'a b', UploadIdMarker: 'u+1', Prefix: 'p q', Delimiter: ' ', CommonPrefixes: ['p q '] });
    expect(input).toMatchObject({ KeyMarker: 'a%20b', UploadIdMarker: 'u+1', NextKeyMarker: 'my-movie.m2ts', Prefix: 'p%20q', Delimiter: '%20', EncodingType: 'url', CommonPrefixes: ['p%20q%20'] });
    expect(input.Upload.map((u) => u.Key)).toEqual(['my-divisor', 'my-movie.m2ts']);
    parseBack(buildListMultipartUploadsResult(input));
  });
});
