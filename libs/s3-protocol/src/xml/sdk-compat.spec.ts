import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  buildCompleteMultipartUploadResult,
  buildCopyObjectResult,
  buildDeleteResult,
  buildError,
  buildListAllMyBucketsResult,
  buildListBucketResult,
  buildListBucketResultV2,
  buildListMultipartUploadsResult,
  buildListPartsResult,
  buildLocationConstraint,
  urlEncodeListBucketResultV2,
} from './index';
import { stubS3Client } from './testing/sdk-stub';
import { T0, T1 } from './testing/xml-assert';

/**
 * The real client reads our documents: each builder's output is served to @aws-sdk/client-s3 through a stub
 * request handler, and the SDK's own deserializer must recover the values.
 */
function clientServing(status: number, body: string): S3Client {
  return stubS3Client(status, body).s3;
}

const send = (xml: string, command: any): Promise<any> => clientServing(200, xml).send(command);
const owner = { ID: 'owner-id', DisplayName: 'owner' };
const weirdKeys = [' a ', 'ctl\u0001\u001b', 'cr\r\n', 'a&b<c>"\'', '0012', 'ü/日本/😀', 'tab\tnl\n'];

describe('@aws-sdk/client-s3 reads our documents', () => {
  // The JS SDK reads the &#x1; references that strict XML 1.0 parsers reject, so control characters survive.
  it('ListObjectsV2, keys escaped', async () => {
    const xml = buildListBucketResultV2({
      Name: 'b', Prefix: '', MaxKeys: 1000, IsTruncated: true, NextContinuationToken: 'tok', Delimiter: '/', FetchOwner: true,
      Contents: weirdKeys.map((Key) => ({ Key, LastModified: T1, ETag: 'abc', Size: 5, Owner: owner, StorageClass: 'STANDARD', ChecksumAlgorithm: 'CRC32' as const })),
      CommonPrefixes: ['p/'],
    });
    const out = await send(xml, new ListObjectsV2Command({ Bucket: 'b' }));
    expect(out.Contents.map((c: any) => c.Key)).toEqual(weirdKeys);
    expect(out.Contents[0]).toMatchObject({ ETag: '"abc"', Size: 5, StorageClass: 'STANDARD', Owner: owner, ChecksumAlgorithm: ['CRC32'], LastModified: T1 });
    expect(out).toMatchObject({ KeyCount: weirdKeys.length + 1, MaxKeys: 1000, IsTruncated: true, NextContinuationToken: 'tok', CommonPrefixes: [{ Prefix: 'p/' }] });
  });

  it('ListObjectsV2 with encoding-type=url: keys come back through form decoding', async () => {
    const keys = ['run books/a+b.txt', 'ctl\u0001', '100%'];
    const xml = buildListBucketResultV2(urlEncodeListBucketResultV2({
      Name: 'b', Prefix: 'run books/', MaxKeys: 1000, IsTruncated: false,
      Contents: keys.map((Key) => ({ Key, LastModified: T0, ETag: 'e', Size: 0, StorageClass: 'STANDARD' })), CommonPrefixes: [],
    }));
    const out = await send(xml, new ListObjectsV2Command({ Bucket: 'b', EncodingType: 'url' }));
    expect(out.EncodingType).toBe('url');
    expect(out.Contents.map((c: any) => decodeURIComponent(c.Key.replace(/\+/g, ' ')))).toEqual(keys);
  });

  it('ListObjects v1', async () => {
    const xml = buildListBucketResult({
      Name: 'b', Prefix: 'p', Marker: 'm', NextMarker: 'n', Delimiter: '/', MaxKeys: 2, IsTruncated: true,
      Contents: [{ Key: 'k', LastModified: T0, ETag: 'e', Size: 1, Owner: owner, StorageClass: 'STANDARD' }], CommonPrefixes: ['p/'],
    });
    const out = await send(xml, new ListObjectsCommand({ Bucket: 'b' }));
    expect(out).toMatchObject({ Name: 'b', Prefix: 'p', Marker: 'm', NextMarker: 'n', Delimiter: '/', MaxKeys: 2, IsTruncated: true, Contents: [{ Key: 'k', Owner: owner }] });
  });

  it('ListBuckets and GetBucketLocation', async () => {
    const buckets = await send(buildListAllMyBucketsResult({ Owner: owner, Buckets: [{ Name: 'x', CreationDate: T0, BucketRegion: 'eu-west-1' }] }), new ListBucketsCommand({}));
    expect(buckets).toMatchObject({ Owner: owner, Buckets: [{ Name: 'x', CreationDate: T0, BucketRegion: 'eu-west-1' }] });
    const us = await send(buildLocationConstraint({}), new GetBucketLocationCommand({ Bucket: 'b' }));
    expect(us.LocationConstraint ?? '').toBe('');
    const eu = await send(buildLocationConstraint({ LocationConstraint: 'eu-west-1' }), new GetBucketLocationCommand({ Bucket: 'b' }));
    expect(eu.LocationConstraint).toBe('eu-west-1');
  });

  it('multipart documents', async () => {
    const parts = await send(
      buildListPartsResult({
        Bucket: 'b', Key: ' k ', UploadId: 'u', Initiator: owner, Owner: owner, StorageClass: 'STANDARD', PartNumberMarker: 0, NextPartNumberMarker: 1,
        MaxParts: 1000, IsTruncated: false, Part: [{ PartNumber: 1, LastModified: T0, ETag: 'e', Size: 5, ChecksumCRC32: 'AAAAAA==' }],
        ChecksumAlgorithm: 'CRC32', ChecksumType: 'COMPOSITE',
      }),
      new ListPartsCommand({ Bucket: 'b', Key: ' k ', UploadId: 'u' }),
    );
    expect(parts).toMatchObject({ Key: ' k ', NextPartNumberMarker: '1', ChecksumAlgorithm: 'CRC32', ChecksumType: 'COMPOSITE', Parts: [{ PartNumber: 1, ETag: '"e"', Size: 5, ChecksumCRC32: 'AAAAAA==' }] });

    const uploads = await send(
      buildListMultipartUploadsResult({
        Bucket: 'b', KeyMarker: '', UploadIdMarker: '', MaxUploads: 1000, IsTruncated: false, CommonPrefixes: ['x/'],
        Upload: [{ Key: 'k', UploadId: 'u', Initiator: owner, Owner: owner, StorageClass: 'STANDARD', Initiated: T0, ChecksumAlgorithm: 'SHA256' }],
      }),
      new ListMultipartUploadsCommand({ Bucket: 'b' }),
    );
    expect(uploads).toMatchObject({ Uploads: [{ Key: 'k', UploadId: 'u', Initiated: T0, Initiator: owner, ChecksumAlgorithm: 'SHA256' }], CommonPrefixes: [{ Prefix: 'x/' }] });

    const done = await send(
      buildCompleteMultipartUploadResult({ Location: 'http://h/b/k', Bucket: 'b', Key: 'k', ETag: 'abc-2', ChecksumCRC64NVME: 'x', ChecksumType: 'FULL_OBJECT' }),
      new CompleteMultipartUploadCommand({ Bucket: 'b', Key: 'k', UploadId: 'u', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: 'e' }] } }),
    );
    expect(done).toMatchObject({ Location: 'http://h/b/k', ETag: '"abc-2"', ChecksumCRC64NVME: 'x', ChecksumType: 'FULL_OBJECT' });
  });

  it('CopyObject and DeleteObjects', async () => {
    const copy = await send(buildCopyObjectResult({ ETag: 'e', LastModified: T1, ChecksumType: 'FULL_OBJECT', ChecksumCRC32: 'c' }), new CopyObjectCommand({ Bucket: 'b', Key: 'k', CopySource: 'b/s' }));
    expect(copy.CopyObjectResult).toMatchObject({ ETag: '"e"', LastModified: T1, ChecksumType: 'FULL_OBJECT', ChecksumCRC32: 'c' });

    const del = await send(
      buildDeleteResult({ Deleted: [{ Key: ' a ', VersionId: 'v', DeleteMarker: true, DeleteMarkerVersionId: 'd' }], Error: [{ Key: 'b&', Code: 'AccessDenied', Message: 'Access Denied' }] }),
      new DeleteObjectsCommand({ Bucket: 'b', Delete: { Objects: [{ Key: ' a ' }, { Key: 'b&' }] } }),
    );
    expect(del.Deleted).toEqual([{ Key: ' a ', VersionId: 'v', DeleteMarker: true, DeleteMarkerVersionId: 'd' }]);
    expect(del.Errors).toEqual([{ Key: 'b&', Code: 'AccessDenied', Message: 'Access Denied' }]);
  });

  it('Error documents become typed SDK errors', async () => {
    const xml = buildError({ Code: 'NoSuchKey', Message: 'The specified key does not exist.', Extra: { Key: 'k' }, RequestId: 'req-1', HostId: 'h' });
    const err = await clientServing(404, xml).send(new ListObjectsV2Command({ Bucket: 'b' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3ServiceException);
    expect(err).toMatchObject({ name: 'NoSuchKey', message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
  });
});
