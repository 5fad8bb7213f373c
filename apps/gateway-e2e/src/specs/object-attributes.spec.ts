import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectAttributesCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { rawRequest } from '../support/raw-http';
import { expectErrorXml, expectS3Error, md5Hex, patternBytes } from '../support/s3-assert';
import { useGateway } from '../support/server';

const MiB = 1024 * 1024;
const gw = useGateway();
const Bucket = 'attributes';
const Versioned = 'attributes-versioned';
const ALL = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;
let s3: S3Client;
/** Without default checksums, so an object can be made that has none. */
let plain: S3Client;

beforeAll(async () => {
  s3 = s3Client(gw);
  plain = s3Client(gw, { requestChecksumCalculation: 'WHEN_REQUIRED' });
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new CreateBucketCommand({ Bucket: Versioned }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: Versioned, VersioningConfiguration: { Status: 'Enabled' } }));
});

async function multipart(client: S3Client, Key: string, bodies: Buffer[], ChecksumAlgorithm?: 'CRC32' | 'SHA256') {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm }));
  const Parts: CompletedPart[] = [];
  for (const [i, Body] of bodies.entries()) {
    const r = await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body, ChecksumAlgorithm }));
    Parts.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32, ChecksumSHA256: r.ChecksumSHA256 });
  }
  return client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }));
}

describe('GetObjectAttributes', () => {
  it('a single-PUT object: ETag (unquoted), Checksum, StorageClass, ObjectSize, Last-Modified; no ObjectParts', async () => {
    const body = Buffer.from('attributes of a small object');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'small', Body: body, ChecksumAlgorithm: 'SHA256' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'small', ChecksumMode: 'ENABLED' }));
    const a = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'small', ObjectAttributes: [...ALL] }));
    expect(a.ETag).toBe(md5Hex(body));
    expect(a.Checksum?.ChecksumSHA256).toBe(head.ChecksumSHA256);
    expect(a.Checksum?.ChecksumType).toBe('FULL_OBJECT');
    expect(a.StorageClass).toBe('STANDARD');
    expect(a.ObjectSize).toBe(body.length);
    expect(a.ObjectParts).toBeUndefined();
    expect(a.LastModified).toEqual(head.LastModified);
    expect(a.VersionId).toBeUndefined();
  });

  it('answers only the attributes asked for', async () => {
    const a = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'small', ObjectAttributes: ['ObjectSize'] }));
    expect(a.ObjectSize).toBe(28);
    expect(a.ETag).toBeUndefined();
    expect(a.Checksum).toBeUndefined();
    expect(a.StorageClass).toBeUndefined();
  });

  it('a multipart object with checksums: ObjectParts lists the parts with their checksums and pages them', async () => {
    const bodies = [patternBytes(5 * MiB, 11), patternBytes(5 * MiB, 12), patternBytes(1234, 13)];
    const done = await multipart(s3, 'mp-crc', bodies, 'CRC32');
    const a = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'mp-crc', ObjectAttributes: [...ALL] }));
    expect(`"${a.ETag}"`).toBe(done.ETag);
    expect(a.ObjectSize).toBe(10 * MiB + 1234);
    expect(a.Checksum?.ChecksumType).toBe('COMPOSITE');
    expect(a.Checksum?.ChecksumCRC32).toBeTruthy();
    const p = a.ObjectParts!;
    expect(p.TotalPartsCount).toBe(3);
    expect(p.IsTruncated).toBe(false);
    expect(p.Parts?.map((x) => [x.PartNumber, x.Size])).toEqual([[1, 5 * MiB], [2, 5 * MiB], [3, 1234]]);
    for (const part of p.Parts ?? []) expect(part.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/);

    const page1 = (await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'mp-crc', ObjectAttributes: ['ObjectParts'], MaxParts: 2 }))).ObjectParts!;
    expect(page1.Parts?.map((x) => x.PartNumber)).toEqual([1, 2]);
    expect(page1.IsTruncated).toBe(true);
    // The SDK models the markers as strings.
    expect(page1.NextPartNumberMarker).toBe('2');
    expect(page1.MaxParts).toBe(2);
    const page2 = (
      await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'mp-crc', ObjectAttributes: ['ObjectParts'], MaxParts: 2, PartNumberMarker: page1.NextPartNumberMarker }))
    ).ObjectParts!;
    expect(page2.Parts?.map((x) => x.PartNumber)).toEqual([3]);
    expect(page2.PartNumberMarker).toBe('2');
    expect(page2.IsTruncated).toBe(false);
    expect(page2.TotalPartsCount).toBe(3);
  });

  it('a multipart object without checksums: the part count only, as S3', async () => {
    const done = await multipart(plain, 'mp-plain', [patternBytes(5 * MiB, 21), patternBytes(10, 22)]);
    const a = await plain.send(new GetObjectAttributesCommand({ Bucket, Key: 'mp-plain', ObjectAttributes: [...ALL] }));
    expect(`"${a.ETag}"`).toBe(done.ETag);
    expect(a.Checksum).toBeUndefined();
    expect(a.ObjectParts?.TotalPartsCount).toBe(2);
    expect(a.ObjectParts?.Parts).toBeUndefined();
  });

  it('a missing or unknown attribute name, or a bad x-amz-max-parts → InvalidArgument 400', async () => {
    const cases: Record<string, string>[] = [{}, { 'x-amz-object-attributes': '' }, { 'x-amz-object-attributes': 'ETag,Bogus' }, { 'x-amz-object-attributes': 'ETag', 'x-amz-max-parts': 'ten' }];
    for (const headers of cases) {
      const r = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/small`, query: { attributes: '' }, headers });
      expect(r.status).toBe(400);
      expectErrorXml(r.text, 'InvalidArgument', r.headers['x-amz-request-id'] as string);
    }
    const ok = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/small`, query: { attributes: '' }, headers: { 'x-amz-object-attributes': 'ETag, ObjectSize' } });
    expect(ok.status).toBe(200);
    expect(ok.headers['last-modified']).toBeTruthy();
  });

  it('a missing key → NoSuchKey 404; a missing bucket → NoSuchBucket 404', async () => {
    await expectS3Error(s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'missing', ObjectAttributes: ['ETag'] })), 'NoSuchKey', 404);
    await expectS3Error(s3.send(new GetObjectAttributesCommand({ Bucket: 'no-such-bucket-attrs', Key: 'k', ObjectAttributes: ['ETag'] })), 'NoSuchBucket', 404);
  });

  it('versioned: versionId selects the version; x-amz-version-id answers; delete markers as S3', async () => {
    const Key = 'vk';
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: Versioned, Key, Body: 'first' }))).VersionId!;
    const v2 = (await s3.send(new PutObjectCommand({ Bucket: Versioned, Key, Body: 'second!' }))).VersionId!;
    const latest = await s3.send(new GetObjectAttributesCommand({ Bucket: Versioned, Key, ObjectAttributes: ['ObjectSize', 'ETag'] }));
    expect(latest.VersionId).toBe(v2);
    expect(latest.ObjectSize).toBe(7);
    const old = await s3.send(new GetObjectAttributesCommand({ Bucket: Versioned, Key, VersionId: v1, ObjectAttributes: ['ObjectSize', 'ETag'] }));
    expect(old.VersionId).toBe(v1);
    expect(old.ObjectSize).toBe(5);
    expect(old.ETag).toBe(md5Hex('first'));

    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: Versioned, Key }))).VersionId!;
    const gone = await rawRequest(gw, { method: 'GET', path: `/${Versioned}/${Key}`, query: { attributes: '' }, headers: { 'x-amz-object-attributes': 'ETag' } });
    expect(gone.status).toBe(404);
    expect(gone.headers['x-amz-delete-marker']).toBe('true');
    expect(gone.headers['x-amz-version-id']).toBe(marker);
    expectErrorXml(gone.text, 'NoSuchKey', gone.headers['x-amz-request-id'] as string);
    const byId = await rawRequest(gw, {
      method: 'GET',
      path: `/${Versioned}/${Key}`,
      query: { attributes: '', versionId: marker },
      headers: { 'x-amz-object-attributes': 'ETag' },
    });
    expect(byId.status).toBe(405);
    expect(byId.headers['x-amz-delete-marker']).toBe('true');
    expect(byId.headers['last-modified']).toBeTruthy();
    await expectS3Error(s3.send(new GetObjectAttributesCommand({ Bucket: Versioned, Key, ObjectAttributes: ['ETag'] })), 'NoSuchKey', 404);
    // The versions under the marker are still there.
    expect((await s3.send(new GetObjectAttributesCommand({ Bucket: Versioned, Key, VersionId: v2, ObjectAttributes: ['ObjectSize'] }))).ObjectSize).toBe(7);
  });
});
