import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client, STYLES } from '../support/clients';
import { useGateway } from '../support/server';
import { bodyBytes, expectErrorXml, expectS3Error, md5Hex, patternBytes } from '../support/s3-assert';
import { rawRequest } from '../support/raw-http';

const MiB = 1024 * 1024;
// A fast janitor with no grace: if a copy shared chunks without a reference, deleting the source would lose them.
const gw = useGateway({ MASSIVE_CHUNK_SIZE: String(MiB), MASSIVE_GC_INTERVAL_MS: '100', MASSIVE_GC_GRACE_MS: '0' });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(STYLES)('CopyObject (%s style)', (style) => {
  const Bucket = `copy-${style}`;
  const Other = `copy-other-${style}`;
  let s3: S3Client;
  let srcEtag = '';
  const src = patternBytes(5000, 3);

  beforeAll(async () => {
    s3 = s3Client(gw, { style });
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: Other }));
    srcEtag = (
      await s3.send(
        new PutObjectCommand({
          Bucket,
          Key: 'src',
          Body: src,
          ContentType: 'text/plain',
          CacheControl: 'no-cache',
          ContentDisposition: 'inline',
          Metadata: { origin: 'source', keep: 'me' },
        }),
      )
    ).ETag!;
  });

  it('COPY (the default) copies bytes, Content-Type and metadata; the result carries ETag and LastModified', async () => {
    const r = await s3.send(new CopyObjectCommand({ Bucket, Key: 'dst-copy', CopySource: `${Bucket}/src` }));
    expect(r.CopyObjectResult?.ETag).toBe(srcEtag);
    expect(r.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'dst-copy' }));
    expect((await bodyBytes(got.Body)).equals(src)).toBe(true);
    expect(got.ETag).toBe(srcEtag);
    expect(got.ContentType).toBe('text/plain');
    expect(got.CacheControl).toBe('no-cache');
    expect(got.ContentDisposition).toBe('inline');
    expect(got.Metadata).toEqual({ origin: 'source', keep: 'me' });
  });

  it('COPY ignores metadata sent with the request', async () => {
    await s3.send(
      new CopyObjectCommand({ Bucket, Key: 'dst-copy-ignored', CopySource: `${Bucket}/src`, MetadataDirective: 'COPY', Metadata: { new: 'value' }, ContentType: 'x/y' }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'dst-copy-ignored' }));
    expect(head.Metadata).toEqual({ origin: 'source', keep: 'me' });
    expect(head.ContentType).toBe('text/plain');
  });

  it('REPLACE takes metadata and headers from the request only', async () => {
    await s3.send(
      new CopyObjectCommand({
        Bucket,
        Key: 'dst-replace',
        CopySource: `${Bucket}/src`,
        MetadataDirective: 'REPLACE',
        ContentType: 'application/x-new',
        Metadata: { fresh: 'yes' },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'dst-replace' }));
    expect(head.Metadata).toEqual({ fresh: 'yes' });
    expect(head.ContentType).toBe('application/x-new');
    expect(head.CacheControl).toBeUndefined();
    expect(head.ETag).toBe(srcEtag);
  });

  it('copies across buckets, with an URL-encoded source key', async () => {
    const Key = 'dir/a b+c%d ü.txt';
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'awkward' }));
    const CopySource = `${Bucket}/${Key.split('/').map(encodeURIComponent).join('/')}`;
    await s3.send(new CopyObjectCommand({ Bucket: Other, Key: 'copied/äwk ward', CopySource }));
    const got = await s3.send(new GetObjectCommand({ Bucket: Other, Key: 'copied/äwk ward' }));
    expect(await got.Body!.transformToString()).toBe('awkward');
  });

  it('copy-source conditions: if-match other → 412, if-none-match same → 412, dates likewise; the matching ones copy', async () => {
    const lm = (await s3.send(new HeadObjectCommand({ Bucket, Key: 'src' }))).LastModified!;
    const before = new Date(lm.getTime() - 3600_000);
    const after = new Date(lm.getTime() + 3600_000);
    const base = { Bucket, Key: 'dst-cond', CopySource: `${Bucket}/src` };
    await expectS3Error(s3.send(new CopyObjectCommand({ ...base, CopySourceIfMatch: '"00000000000000000000000000000000"' })), 'PreconditionFailed', 412);
    await expectS3Error(s3.send(new CopyObjectCommand({ ...base, CopySourceIfNoneMatch: srcEtag })), 'PreconditionFailed', 412);
    await expectS3Error(s3.send(new CopyObjectCommand({ ...base, CopySourceIfUnmodifiedSince: before })), 'PreconditionFailed', 412);
    await expectS3Error(s3.send(new CopyObjectCommand({ ...base, CopySourceIfModifiedSince: after })), 'PreconditionFailed', 412);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'dst-cond' })), 'NotFound', 404);
    await s3.send(new CopyObjectCommand({ ...base, CopySourceIfMatch: srcEtag, CopySourceIfModifiedSince: before }));
    await s3.send(new CopyObjectCommand({ ...base, CopySourceIfNoneMatch: '"other"', CopySourceIfUnmodifiedSince: after }));
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'dst-cond' }))).ETag).toBe(srcEtag);
  });

  it('copy onto itself without REPLACE → InvalidRequest 400; with REPLACE it changes only the metadata', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'self', Body: 'self body', Metadata: { v: '1' } }));
    const before = await s3.send(new HeadObjectCommand({ Bucket, Key: 'self' }));
    await expectS3Error(s3.send(new CopyObjectCommand({ Bucket, Key: 'self', CopySource: `${Bucket}/self` })), 'InvalidRequest', 400);
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'self', CopySource: `${Bucket}/self`, MetadataDirective: 'REPLACE', Metadata: { v: '2' }, ContentType: 'text/x-self' }));
    const after = await s3.send(new GetObjectCommand({ Bucket, Key: 'self' }));
    expect(after.Metadata).toEqual({ v: '2' });
    expect(after.ContentType).toBe('text/x-self');
    expect(after.ETag).toBe(before.ETag);
    expect(await after.Body!.transformToString()).toBe('self body');
  });

  it('a missing source key → NoSuchKey 404; a source without key → InvalidArgument 400; a bad directive → InvalidArgument 400', async () => {
    await expectS3Error(s3.send(new CopyObjectCommand({ Bucket, Key: 'x', CopySource: `${Bucket}/missing` })), 'NoSuchKey', 404);
    await expectS3Error(s3.send(new CopyObjectCommand({ Bucket, Key: 'x', CopySource: `${Bucket}` })), 'InvalidArgument', 400);
    const raw = await rawRequest(gw, {
      method: 'PUT',
      path: `/${Bucket}/x`,
      headers: { 'x-amz-copy-source': `/${Bucket}/src`, 'x-amz-metadata-directive': 'MERGE' },
    });
    expect(raw.status).toBe(400);
    expectErrorXml(raw.text, 'InvalidArgument');
  });
});

describe('CopyObject of large objects', () => {
  const Bucket = 'copy-large';
  let s3: S3Client;
  beforeAll(async () => {
    s3 = s3Client(gw);
    await s3.send(new CreateBucketCommand({ Bucket }));
  });

  it('copies a multi-chunk object; the copy survives deleting the source and a janitor pass', async () => {
    const body = patternBytes(3 * MiB + 333, 44);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'big-src', Body: body }));
    const r = await s3.send(new CopyObjectCommand({ Bucket, Key: 'big-dst', CopySource: `${Bucket}/big-src`, ChecksumAlgorithm: 'SHA256' }));
    expect(r.CopyObjectResult?.ETag).toBe(`"${md5Hex(body)}"`);
    expect(r.CopyObjectResult?.ChecksumSHA256).toBe(createHash('sha256').update(body).digest('base64'));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'big-src' }));
    await pause(1000); // several janitor passes at 100 ms with no grace
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'big-dst' }));
    expect(got.ContentLength).toBe(body.length);
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(body));
  });

  it('copies a multipart object into a single object with the same bytes', async () => {
    const p1 = patternBytes(5 * MiB, 45);
    const p2 = patternBytes(MiB + 7, 46);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp-src' }));
    const e1 = (await s3.send(new UploadPartCommand({ Bucket, Key: 'mp-src', UploadId, PartNumber: 1, Body: p1 }))).ETag!;
    const e2 = (await s3.send(new UploadPartCommand({ Bucket, Key: 'mp-src', UploadId, PartNumber: 2, Body: p2 }))).ETag!;
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key: 'mp-src', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] } }),
    );
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'mp-dst', CopySource: `${Bucket}/mp-src` }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'mp-src' }));
    await pause(500);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'mp-dst' }));
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(Buffer.concat([p1, p2])));
  });

  it('overwriting an object that a copy was made from leaves the copy intact', async () => {
    const body = patternBytes(2 * MiB + 1, 47);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'ow-src', Body: body }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'ow-dst', CopySource: `${Bucket}/ow-src` }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'ow-src', Body: 'replaced' }));
    await pause(500);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'ow-dst' }));
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(body));
  });
});
