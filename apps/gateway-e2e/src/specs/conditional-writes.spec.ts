import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { useGateway } from '../support/server';
import { expectS3Error, patternBytes } from '../support/s3-assert';
import { rawRequest } from '../support/raw-http';

const gw = useGateway();
const Bucket = 'conditional';
const Versioned = 'conditional-v';
let s3: S3Client;

beforeAll(async () => {
  s3 = s3Client(gw);
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new CreateBucketCommand({ Bucket: Versioned }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: Versioned, VersioningConfiguration: { Status: 'Enabled' } }));
});

const put = async (Key: string, body = `body of ${Key}`, B = Bucket) => {
  const res = await s3.send(new PutObjectCommand({ Bucket: B, Key, Body: body }));
  const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key }));
  return { etag: res.ETag!, size: head.ContentLength!, lastModified: head.LastModified!, versionId: res.VersionId };
};
const exists = async (Key: string, B = Bucket) =>
  s3.send(new HeadObjectCommand({ Bucket: B, Key })).then(
    () => true,
    (e: { $metadata?: { httpStatusCode?: number } }) => {
      if (e.$metadata?.httpStatusCode === 404) return false;
      throw e;
    },
  );

describe('DeleteObject with If-Match / x-amz-if-match-last-modified-time / x-amz-if-match-size', () => {
  it('a stale etag is 412 PreconditionFailed and deletes nothing; the current one deletes', async () => {
    const v = await put('etag');
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket, Key: 'etag', IfMatch: '"0123456789abcdef0123456789abcdef"' })), 'PreconditionFailed', 412);
    expect(await exists('etag')).toBe(true);
    const res = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'etag', IfMatch: v.etag }));
    expect(res.$metadata.httpStatusCode).toBe(204);
    expect(await exists('etag')).toBe(false);
  });

  it('If-Match on a missing key is 404 NoSuchKey, `*` included; `*` on a present key deletes it', async () => {
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket, Key: 'missing', IfMatch: '*' })), 'NoSuchKey', 404);
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket, Key: 'missing', IfMatch: '"abc"' })), 'NoSuchKey', 404);
    await put('star');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'star', IfMatch: '*' }));
    expect(await exists('star')).toBe(false);
  });

  it('size and last-modified time must match the current object (time at second precision)', async () => {
    const v = await put('sized', 'twelve bytes');
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket, Key: 'sized', IfMatchSize: v.size + 1 })), 'PreconditionFailed', 412);
    const earlier = new Date(v.lastModified.getTime() - 60_000);
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket, Key: 'sized', IfMatchLastModifiedTime: earlier })), 'PreconditionFailed', 412);
    await expectS3Error(
      s3.send(new DeleteObjectCommand({ Bucket, Key: 'sized', IfMatch: v.etag, IfMatchSize: v.size, IfMatchLastModifiedTime: earlier })),
      'PreconditionFailed',
      412,
    );
    expect(await exists('sized')).toBe(true);
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'sized', IfMatch: v.etag, IfMatchSize: 12, IfMatchLastModifiedTime: v.lastModified }));
    expect(await exists('sized')).toBe(false);
    // Without an object, these two hold (S3 documents 204).
    const none = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'sized', IfMatchSize: 12 }));
    expect(none.$metadata.httpStatusCode).toBe(204);
  });

  it('a value that does not parse is 400 InvalidArgument, never ignored', async () => {
    await put('bad');
    const size = await rawRequest(gw, { method: 'DELETE', path: `/${Bucket}/bad`, headers: { 'x-amz-if-match-size': 'twelve' } });
    expect(size.status).toBe(400);
    expect(size.text).toContain('<Code>InvalidArgument</Code>');
    const time = await rawRequest(gw, { method: 'DELETE', path: `/${Bucket}/bad`, headers: { 'x-amz-if-match-last-modified-time': 'yesterday' } });
    expect(time.status).toBe(400);
    expect(await exists('bad')).toBe(true);
  });

  it('on a versioned bucket: a matching etag adds a marker; If-Match over a marker is NoSuchKey; with a versionId 501', async () => {
    const v = await put('k', 'one', Versioned);
    await expectS3Error(
      s3.send(new DeleteObjectCommand({ Bucket: Versioned, Key: 'k', VersionId: v.versionId, IfMatch: v.etag })),
      'NotImplemented',
      501,
    );
    const del = await s3.send(new DeleteObjectCommand({ Bucket: Versioned, Key: 'k', IfMatch: v.etag }));
    expect(del.DeleteMarker).toBe(true);
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: Versioned, Key: 'k', IfMatch: '*' })), 'NoSuchKey', 404);
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: Versioned, Key: 'k', IfMatch: v.etag })), 'NoSuchKey', 404);
  });
});

describe('DeleteObjects with <ETag>, <LastModifiedTime>, <Size> per object', () => {
  it('each entry is checked on its own; a failed one is an Error entry and stays', async () => {
    const a = await put('batch-a', 'aaa');
    const b = await put('batch-b', 'bbb');
    await put('batch-c', 'ccc');
    const res = await s3.send(
      new DeleteObjectsCommand({
        Bucket,
        Delete: {
          Objects: [
            { Key: 'batch-a', ETag: a.etag, Size: 3, LastModifiedTime: a.lastModified },
            { Key: 'batch-b', ETag: '"00000000000000000000000000000000"' },
            { Key: 'batch-c', Size: 99 },
            { Key: 'batch-none', ETag: b.etag },
            { Key: 'batch-b', VersionId: 'null', ETag: b.etag },
          ],
        },
      }),
    );
    expect(res.Deleted?.map((d) => d.Key)).toEqual(['batch-a']);
    expect(res.Errors?.map((e) => [e.Key, e.Code])).toEqual([
      ['batch-b', 'PreconditionFailed'],
      ['batch-c', 'PreconditionFailed'],
      ['batch-none', 'NoSuchKey'],
      ['batch-b', 'NotImplemented'],
    ]);
    expect([await exists('batch-a'), await exists('batch-b'), await exists('batch-c')]).toEqual([false, true, true]);
  });
});

describe('CompleteMultipartUpload with If-None-Match / If-Match', () => {
  async function upload(Key: string) {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: patternBytes(1000, 7) }));
    return { UploadId: UploadId!, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] } };
  }

  it('If-None-Match: * is 412 when the key exists, and the upload stays to complete later', async () => {
    await put('mpu-none');
    const u = await upload('mpu-none');
    await expectS3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mpu-none', ...u, IfNoneMatch: '*' })), 'PreconditionFailed', 412);
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mpu-none', ...u }));
    expect(done.ETag).toMatch(/-1"$/);
  });

  it('If-None-Match: * completes a new key', async () => {
    const u = await upload('mpu-new');
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mpu-new', ...u, IfNoneMatch: '*' }));
    expect(done.ETag).toMatch(/-1"$/);
  });

  it('409 ConditionalRequestConflict when the key was written while the upload ran; the upload is then gone', async () => {
    const u = await upload('mpu-raced');
    await put('mpu-raced');
    await expectS3Error(
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mpu-raced', ...u, IfNoneMatch: '*' })),
      'ConditionalRequestConflict',
      409,
    );
    await expectS3Error(s3.send(new ListPartsCommand({ Bucket, Key: 'mpu-raced', UploadId: u.UploadId })), 'NoSuchUpload', 404);
  });

  it('If-Match: 404 NoSuchKey without an object, 412 on a stale etag, completes on the current one', async () => {
    const absent = await upload('mpu-match');
    await expectS3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mpu-match', ...absent, IfMatch: '"abc"' })), 'NoSuchKey', 404);
    const v = await put('mpu-match');
    const u = await upload('mpu-match');
    await expectS3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mpu-match', ...u, IfMatch: '"abc"' })), 'PreconditionFailed', 412);
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mpu-match', ...u, IfMatch: v.etag }));
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'mpu-match' }))).ETag).toBe(done.ETag);
  });
});
