import { randomBytes, createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { LocalServer, waitFor, slowBody } from './local-server';

const MiB = 1024 * 1024;


/**
 * DESIGN §2, with a real process killed: an object is visible whole or not at all, and once the janitor
 * has run no chunk file is left that no committed version or live part references.
 */
describe('crash safety (SIGKILL mid-write, restart, janitor)', () => {
  const server = new LocalServer({
    MASSIVE_CHUNK_SIZE: String(MiB),
    MASSIVE_INTENT_TTL_MS: '1500',
    MASSIVE_GC_INTERVAL_MS: '100',
    MASSIVE_GC_GRACE_MS: '0',
  });

  beforeAll(async () => {
    await server.start();
    await server.client().send(new CreateBucketCommand({ Bucket: 'crash' }));
  });
  afterAll(() => server.dispose());

  it('a PUT killed mid-body leaves no object and, after the janitor, no chunk', async () => {
    const s3 = server.client();
    const total = 24 * MiB;
    const put = s3
      .send(new PutObjectCommand({ Bucket: 'crash', Key: 'big', Body: slowBody(total, () => void server.kill()), ContentLength: total }))
      .then(
        () => 'ok',
        () => 'failed',
      );
    await waitFor(() => server.chunkFiles().length > 0 || false, 20_000, 'chunks of the interrupted upload on disk').catch(() => undefined);
    expect(await put).toBe('failed');
    const leftBehind = server.chunkFiles().length;
    await server.start();
    const s3b = server.client();
    await expect(s3b.send(new HeadObjectCommand({ Bucket: 'crash', Key: 'big' }))).rejects.toMatchObject({ name: 'NotFound' });
    await waitFor(() => server.chunkFiles().length === 0, 15_000, `janitor to reclaim ${leftBehind} chunk files`);
  });

  it('a multipart upload killed mid-part and mid-complete ends whole or absent, and leaks nothing', async () => {
    let s3 = server.client();
    const key = 'mp';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'crash', Key: key }));
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(2 * MiB)];
    const etags: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const r = await s3.send(new UploadPartCommand({ Bucket: 'crash', Key: key, UploadId, PartNumber: i + 1, Body: parts[i] }));
      etags.push(r.ETag!);
    }
    // A fourth part dies mid-body: its chunks belong to an intent that expires.
    const total = 6 * MiB;
    const dead = s3
      .send(new UploadPartCommand({ Bucket: 'crash', Key: key, UploadId, PartNumber: 4, Body: slowBody(total, () => void server.kill()), ContentLength: total }))
      .catch(() => 'failed');
    expect(await dead).toBe('failed');
    await server.start();
    s3 = server.client();

    // Complete with the three good parts, killing the server right after the request goes out.
    const complete = s3
      .send(
        new CompleteMultipartUploadCommand({
          Bucket: 'crash',
          Key: key,
          UploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      )
      .then(
        () => 'ok',
        () => 'failed',
      );
    setTimeout(() => void server.kill(), 2);
    await complete;
    await server.kill();
    await server.start();
    s3 = server.client();

    const whole = Buffer.concat(parts);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'crash' }));
    const stillOpen = (uploads.Uploads ?? []).some((u) => u.UploadId === UploadId);
    if (stillOpen) {
      // The kill won the race: no object, the upload intact; completing now must work.
      await expect(s3.send(new HeadObjectCommand({ Bucket: 'crash', Key: key }))).rejects.toMatchObject({ name: 'NotFound' });
      await s3.send(
        new CompleteMultipartUploadCommand({ Bucket: 'crash', Key: key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
      );
    }
    const got = await s3.send(new GetObjectCommand({ Bucket: 'crash', Key: key }));
    const body = Buffer.from(await got.Body!.transformToByteArray());
    expect(body.length).toBe(whole.length);
    expect(createHash('md5').update(body).digest('hex')).toBe(createHash('md5').update(whole).digest('hex'));
    // 5 + 5 + 2 one-MiB chunks stay referenced by the object; the dead part 4's chunks are reclaimed.
    await waitFor(() => server.chunkFiles().length === 12, 15_000, 'only the 12 referenced chunk files to remain');
  });
});
