import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { useGateway } from '../support/server';
import { bodyBytes, md5Hex, patternBytes } from '../support/s3-assert';

const MiB = 1024 * 1024;
const gw = useGateway({ MASSIVE_CHUNK_SIZE: String(MiB) });
const Bucket = 'durable';

/** Everything acknowledged before a stop or a crash is there after a restart on the same data dir. */
describe('restart on the same data dir', () => {
  const inline = patternBytes(1000, 1);
  const chunked = patternBytes(2 * MiB + 3, 2);
  const part1 = patternBytes(5 * MiB, 3);
  let uploadId = '';
  let etag1 = '';

  beforeAll(async () => {
    const s3 = s3Client(gw);
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'inline', Body: inline, Metadata: { kept: 'yes' } }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'chunked', Body: chunked }));
    uploadId = (await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp' }))).UploadId!;
    etag1 = (await s3.send(new UploadPartCommand({ Bucket, Key: 'mp', UploadId: uploadId, PartNumber: 1, Body: part1 }))).ETag!;
  });

  async function expectIntact(): Promise<void> {
    const s3 = s3Client(gw);
    await s3.send(new HeadBucketCommand({ Bucket }));
    const a = await s3.send(new GetObjectCommand({ Bucket, Key: 'inline' }));
    expect((await bodyBytes(a.Body)).equals(inline)).toBe(true);
    expect(a.Metadata).toEqual({ kept: 'yes' });
    const b = await s3.send(new GetObjectCommand({ Bucket, Key: 'chunked' }));
    expect(md5Hex(await bodyBytes(b.Body))).toBe(md5Hex(chunked));
    const ups = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(ups.Uploads?.map((u) => u.UploadId)).toEqual([uploadId]);
  }

  it('SIGTERM: the process exits 0 and a restart serves the same data', async () => {
    const before = gw.endpoint;
    expect(await gw.stop()).toBe(0);
    expect(gw.running).toBe(false);
    await expect(fetch(`${before}/-/health/live`)).rejects.toThrow();
    await gw.start();
    await expectIntact();
  });

  it('SIGKILL: a crash loses nothing that was acknowledged', async () => {
    await gw.restart('kill');
    await expectIntact();
  });

  it('an upload begun before the restarts completes after them', async () => {
    const s3 = s3Client(gw);
    const e2 = (await s3.send(new UploadPartCommand({ Bucket, Key: 'mp', UploadId: uploadId, PartNumber: 2, Body: 'tail' }))).ETag!;
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: 'mp',
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etag1 }, { PartNumber: 2, ETag: e2 }] },
      }),
    );
    await gw.restart('stop');
    const got = await s3Client(gw).send(new GetObjectCommand({ Bucket, Key: 'mp' }));
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(Buffer.concat([part1, Buffer.from('tail')])));
    const listed = await s3Client(gw).send(new ListObjectsV2Command({ Bucket }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['chunked', 'inline', 'mp']);
  });
});
