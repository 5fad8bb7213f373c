import { createHash, randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { LocalServer, waitFor, slowBody } from './local-server';

const MiB = 1024 * 1024;
const Bucket = 'vcrash';
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');


async function bytesOf(s3: S3Client, Key: string, VersionId?: string): Promise<Buffer> {
  const got = await s3.send(new GetObjectCommand({ Bucket, Key, ...(VersionId !== undefined && { VersionId }) }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

/**
 * DESIGN §2 on a versioned bucket, with a real process killed: every acknowledged version stays readable
 * whole, and once the janitor and the collector have run, the only chunk files left are those of live
 * versions (none leaked, none of a live version taken).
 */
describe('crash safety on a versioned bucket (SIGKILL, restart, janitor, GC)', () => {
  const server = new LocalServer({
    MASSIVE_CHUNK_SIZE: String(MiB),
    MASSIVE_INLINE_THRESHOLD: String(64 * 1024),
    MASSIVE_INTENT_TTL_MS: '1500',
    MASSIVE_GC_INTERVAL_MS: '100',
    MASSIVE_GC_GRACE_MS: '0',
  });
  const v1Body = randomBytes(3 * MiB);
  const v2Body = randomBytes(2 * MiB);
  let v1 = '';
  let v2 = '';

  beforeAll(async () => {
    await server.start();
    const s3 = server.client();
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    v1 = (await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: v1Body }))).VersionId!;
    v2 = (await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: v2Body }))).VersionId!;
  });
  afterAll(() => server.dispose());

  it('a versioned PUT killed mid-body: both earlier versions intact, the dead one\'s chunks reclaimed', async () => {
    const total = 24 * MiB;
    const put = server
      .client()
      .send(new PutObjectCommand({ Bucket, Key: 'k', Body: slowBody(total, () => void server.kill()), ContentLength: total }))
      .then(
        () => 'ok',
        () => 'failed',
      );
    expect(await put).toBe('failed');
    await server.start();
    const s3 = server.client();
    const latest = await s3.send(new GetObjectCommand({ Bucket, Key: 'k' }));
    expect(latest.VersionId).toBe(v2);
    expect(md5(Buffer.from(await latest.Body!.transformToByteArray()))).toBe(md5(v2Body));
    expect(md5(await bytesOf(s3, 'k', v1))).toBe(md5(v1Body));
    await waitFor(() => server.chunkFiles().length === 5, 15_000, 'only the 3 + 2 chunk files of the two versions to remain');
  }, 60_000);

  it('a version DELETE killed in flight: gone whole or kept whole, the other version untouched, nothing leaked', async () => {
    const del = server
      .client()
      .send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: v1 }))
      .then(
        () => 'ok',
        () => 'failed',
      );
    setTimeout(() => void server.kill(), 2);
    const outcome = await del;
    await server.kill();
    await server.start();
    const s3 = server.client();
    expect(md5(await bytesOf(s3, 'k', v2))).toBe(md5(v2Body));
    let kept: boolean;
    try {
      kept = md5(await bytesOf(s3, 'k', v1)) === md5(v1Body);
      expect(kept).toBe(true);
    } catch (e) {
      expect((e as { name?: string }).name).toBe('NoSuchVersion');
      kept = false;
    }
    if (outcome === 'ok') expect(kept).toBe(false); // acknowledged: it must be gone
    await waitFor(() => server.chunkFiles().length === (kept ? 5 : 2), 15_000, `${kept ? 5 : 2} live chunk files to remain`);
    // Deleting it now (or again) is safe and collects its chunks.
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: v1 }));
    await waitFor(() => server.chunkFiles().length === 2, 15_000, 'only v2\'s 2 chunk files to remain');
    expect(md5(await bytesOf(s3, 'k'))).toBe(md5(v2Body));
  }, 60_000);
});
