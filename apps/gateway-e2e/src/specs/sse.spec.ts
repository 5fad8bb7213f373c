import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { rawRequest } from '../support/raw-http';
import { bodyBytes, expectErrorXml, expectS3Error, md5Hex } from '../support/s3-assert';
import { useGateway } from '../support/server';
import { filesHolding, marked } from '../support/at-rest';

const MiB = 1024 * 1024;
const gw = useGateway();
const Bucket = 'sse';
const Defaulted = 'sse-default';
let s3: S3Client;

async function get(Key: string, Range?: string, bucket = Bucket): Promise<{ bytes: Buffer; sse?: string; length?: number; etag?: string }> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key, Range }));
  return { bytes: await bodyBytes(r.Body), sse: r.ServerSideEncryption, length: r.ContentLength, etag: r.ETag };
}

beforeAll(async () => {
  s3 = s3Client(gw);
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new CreateBucketCommand({ Bucket: Defaulted }));
});

describe('SSE-S3 (x-amz-server-side-encryption: AES256)', () => {
  const small = marked('SSE-SMALL-PLAINTEXT-MARKER', 3000, 1);
  const large = marked('SSE-LARGE-PLAINTEXT-MARKER', 3 * MiB + 12345, 2);
  const plain = marked('NOT-ENCRYPTED-CONTROL-MARKER', 300 * 1024, 3);

  beforeAll(async () => {
    for (const [Key, Body] of [['small', small], ['large', large]] as const) {
      const put = await s3.send(new PutObjectCommand({ Bucket, Key, Body, ServerSideEncryption: 'AES256' }));
      expect(put.ServerSideEncryption).toBe('AES256');
      expect(put.ETag).toBe(`"${md5Hex(Body)}"`);
    }
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'plain', Body: plain }));
    expect(put.ServerSideEncryption).toBeUndefined();
  });

  it('reads back whole, with the plaintext ETag, size and the encryption named on GET and HEAD', async () => {
    for (const [Key, Body] of [['small', small], ['large', large]] as const) {
      const g = await get(Key);
      expect(g.bytes.equals(Body)).toBe(true);
      expect(g.sse).toBe('AES256');
      expect(g.length).toBe(Body.length);
      expect(g.etag).toBe(`"${md5Hex(Body)}"`);
      const h = await s3.send(new HeadObjectCommand({ Bucket, Key }));
      expect(h.ServerSideEncryption).toBe('AES256');
      expect(h.ContentLength).toBe(Body.length);
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(Object.fromEntries((listed.Contents ?? []).map((o) => [o.Key, o.Size]))).toEqual({ small: small.length, large: large.length, plain: plain.length });
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'plain' }))).ServerSideEncryption).toBeUndefined();
  });

  it.each([
    ['the first byte', 'bytes=0-0', 0, 0],
    ['across a 64 KiB package boundary', 'bytes=65530-65545', 65530, 65545],
    ['whole packages', 'bytes=65536-196607', 65536, 196607],
    ['deep inside, across a chunk', 'bytes=1048000-2100000', 1048000, 2100000],
    ['the last bytes', `bytes=${3 * MiB + 12000}-`, 3 * MiB + 12000, 3 * MiB + 12344],
    ['a suffix', 'bytes=-70000', 3 * MiB + 12345 - 70000, 3 * MiB + 12344],
  ])('reads a range of the large object: %s', async (_what, Range, start, end) => {
    const g = await get('large', Range);
    expect(g.length).toBe(end - start + 1);
    expect(g.bytes.equals(large.subarray(start, end + 1))).toBe(true);
  });

  it('reads ranges of the small (inline) object', async () => {
    expect((await get('small', 'bytes=100-199')).bytes.equals(small.subarray(100, 200))).toBe(true);
    expect((await get('small', 'bytes=-1')).bytes.equals(small.subarray(2999))).toBe(true);
  });

  it('stores no plaintext: the markers of encrypted objects are nowhere under the data dir, the control is', () => {
    expect(filesHolding(gw.dataDir, Buffer.from('NOT-ENCRYPTED-CONTROL-MARKER')).length).toBeGreaterThan(0);
    expect(filesHolding(gw.dataDir, Buffer.from('SSE-SMALL-PLAINTEXT-MARKER'))).toEqual([]);
    expect(filesHolding(gw.dataDir, Buffer.from('SSE-LARGE-PLAINTEXT-MARKER'))).toEqual([]);
  });

  it('multipart: parts are encrypted with the upload, reads cross part boundaries, sizes are the plaintext', async () => {
    const Key = 'multi';
    const parts = [marked('SSE-PART-ONE-MARKER', 5 * MiB, 4), marked('SSE-PART-TWO-MARKER', MiB + 77, 5)];
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ServerSideEncryption: 'AES256' }));
    expect(up.ServerSideEncryption).toBe('AES256');
    const done = [];
    for (const [i, Body] of parts.entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId: up.UploadId, PartNumber: i + 1, Body }));
      expect(r.ServerSideEncryption).toBe('AES256');
      done.push({ PartNumber: i + 1, ETag: r.ETag });
    }
    const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId: up.UploadId }));
    expect(listed.Parts?.map((p) => p.Size)).toEqual(parts.map((p) => p.length));
    const c = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: up.UploadId, MultipartUpload: { Parts: done } }));
    expect(c.ServerSideEncryption).toBe('AES256');
    const whole = Buffer.concat(parts);
    const g = await get(Key);
    expect(g.length).toBe(whole.length);
    expect(g.bytes.equals(whole)).toBe(true);
    expect(g.sse).toBe('AES256');
    const r = await get(Key, `bytes=${5 * MiB - 100}-${5 * MiB + 99}`);
    expect(r.bytes.equals(whole.subarray(5 * MiB - 100, 5 * MiB + 100))).toBe(true);
    const p2 = await s3.send(new GetObjectCommand({ Bucket, Key, PartNumber: 2 }));
    expect((await bodyBytes(p2.Body)).equals(parts[1])).toBe(true);
    expect(filesHolding(gw.dataDir, Buffer.from('SSE-PART-TWO-MARKER'))).toEqual([]);
  });

  it('UploadPartCopy from an encrypted source into an encrypted upload, and into a plain one', async () => {
    for (const encrypted of [true, false]) {
      const Key = `part-copy-${encrypted}`;
      const up = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ...(encrypted && { ServerSideEncryption: 'AES256' as const }) }));
      const r = await s3.send(
        new UploadPartCopyCommand({ Bucket, Key, UploadId: up.UploadId, PartNumber: 1, CopySource: `${Bucket}/large`, CopySourceRange: 'bytes=1000-2000999' }),
      );
      await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r.CopyPartResult?.ETag }] } }));
      const g = await get(Key);
      expect(g.bytes.equals(large.subarray(1000, 2001000))).toBe(true);
      expect(g.sse).toBe(encrypted ? 'AES256' : undefined);
    }
  });

  it('CopyObject: the copy is encrypted as its request says, whatever its source; onto itself it encrypts an object', async () => {
    const toPlain = await s3.send(new CopyObjectCommand({ Bucket, Key: 'large-copy-plain', CopySource: `${Bucket}/large` }));
    expect(toPlain.ServerSideEncryption).toBeUndefined();
    const g = await get('large-copy-plain');
    expect(g.bytes.equals(large)).toBe(true);
    expect(g.sse).toBeUndefined();

    await s3.send(new PutObjectCommand({ Bucket, Key: 'later', Body: small }));
    const inPlace = await s3.send(new CopyObjectCommand({ Bucket, Key: 'later', CopySource: `${Bucket}/later`, ServerSideEncryption: 'AES256' }));
    expect(inPlace.ServerSideEncryption).toBe('AES256');
    const again = await get('later');
    expect(again.bytes.equals(small)).toBe(true);
    expect(again.sse).toBe('AES256');

    // Metadata replaced in place keeps the object encrypted and readable.
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'later', CopySource: `${Bucket}/later`, MetadataDirective: 'REPLACE', Metadata: { k: 'v' }, ServerSideEncryption: 'AES256' }));
    const replaced = await s3.send(new GetObjectCommand({ Bucket, Key: 'later' }));
    expect(replaced.Metadata).toEqual({ k: 'v' });
    expect(replaced.ServerSideEncryption).toBe('AES256');
    expect((await bodyBytes(replaced.Body)).equals(small)).toBe(true);
  });

  it('refuses DSSE-KMS (501), an unknown algorithm (400), and the header on a read (400) (SSE-KMS: sse-kms.spec.ts)', async () => {
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'kms', Body: 'x', ServerSideEncryption: 'aws:kms:dsse' })), 'NotImplemented', 501);
    const bad = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/bad`, body: Buffer.from('x'), headers: { 'x-amz-server-side-encryption': 'AES512' } });
    expect(bad.status).toBe(400);
    expectErrorXml(bad.body.toString('utf8'), 'InvalidArgument');
    const read = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/small`, headers: { 'x-amz-server-side-encryption': 'AES256' } });
    expect(read.status).toBe(400);
    expectErrorXml(read.body.toString('utf8'), 'InvalidArgument');
  });

  it('a bucket default encrypts writes that name none, until it is deleted', async () => {
    await expectS3Error(s3.send(new GetBucketEncryptionCommand({ Bucket: Defaulted })), 'ServerSideEncryptionConfigurationNotFoundError', 404);
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: Defaulted,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      }),
    );
    const conf = await s3.send(new GetBucketEncryptionCommand({ Bucket: Defaulted }));
    expect(conf.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
    const body = marked('SSE-DEFAULTED-MARKER', 200 * 1024, 6);
    const put = await s3.send(new PutObjectCommand({ Bucket: Defaulted, Key: 'by-default', Body: body }));
    expect(put.ServerSideEncryption).toBe('AES256');
    const g = await get('by-default', undefined, Defaulted);
    expect(g.sse).toBe('AES256');
    expect(g.bytes.equals(body)).toBe(true);
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: Defaulted, Key: 'mp-by-default' }));
    expect(up.ServerSideEncryption).toBe('AES256');
    expect(filesHolding(gw.dataDir, Buffer.from('SSE-DEFAULTED-MARKER'))).toEqual([]);

    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: Defaulted }));
    await expectS3Error(s3.send(new GetBucketEncryptionCommand({ Bucket: Defaulted })), 'ServerSideEncryptionConfigurationNotFoundError', 404);
    const after = await s3.send(new PutObjectCommand({ Bucket: Defaulted, Key: 'after', Body: 'plain again' }));
    expect(after.ServerSideEncryption).toBeUndefined();
    // What was encrypted stays encrypted and readable.
    expect((await get('by-default', undefined, Defaulted)).bytes.equals(body)).toBe(true);
  });

  it('a bucket deleted and created again starts without the default it had (no stale default from the cache)', async () => {
    const B = 'sse-recreated';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new PutBucketEncryptionCommand({ Bucket: B, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
    // This write puts the default in the gateway's cache.
    expect((await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'x' }))).ServerSideEncryption).toBe('AES256');
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'k' }));
    await s3.send(new DeleteBucketCommand({ Bucket: B }));
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    expect((await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'x' }))).ServerSideEncryption).toBeUndefined();
  });

  it('objects stay readable after a restart (the data keys are sealed under the persisted master key)', async () => {
    await gw.restart();
    s3 = s3Client(gw);
    expect((await get('large')).bytes.equals(large)).toBe(true);
    expect((await get('small', 'bytes=10-20')).bytes.equals(small.subarray(10, 21))).toBe(true);
  });
});
