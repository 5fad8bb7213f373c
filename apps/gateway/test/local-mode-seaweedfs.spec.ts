import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { FakeSeaweed } from '@massive/blob-seaweedfs/testing';
import { LocalServer, waitFor } from './local-server';

// Local mode (one gateway process, metadata in-process) with chunks in SeaweedFS: the MetadataService
// object is the intent log, objects round-trip, deletes are collected down to zero needles, and
// readiness follows the masters. Needs `npm run build`.
describe('local mode with MASSIVE_BLOB_BACKEND=seaweedfs', () => {
  let fake: FakeSeaweed;
  let server: LocalServer;

  beforeAll(async () => {
    fake = await FakeSeaweed.start({ servers: 3 });
    server = new LocalServer({
      MASSIVE_BLOB_BACKEND: 'seaweedfs',
      MASSIVE_SEAWEED_MASTERS: fake.masterUrl,
      MASSIVE_SEAWEED_REPLICATION: '001',
      MASSIVE_CHUNK_SIZE: '1048576',
      MASSIVE_GC_INTERVAL_MS: '100',
      MASSIVE_GC_GRACE_MS: '0',
    });
    await server.start();
  });
  afterAll(async () => {
    await server.dispose();
    await fake.stop();
  });

  it('stores chunks as needles, reads them back, and collects them after a delete', async () => {
    const s3 = server.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'local-sw' }));
    const body = randomBytes(4 * 1024 * 1024 + 300 * 1024); // 5 chunks of up to 1 MiB
    await s3.send(new PutObjectCommand({ Bucket: 'local-sw', Key: 'k', Body: body }));
    expect(fake.liveNeedles()).toHaveLength(5);
    expect(fake.liveNeedles().every((n) => n.servers.length === 2)).toBe(true);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'local-sw', Key: 'k', Range: 'bytes=1048570-2097160' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body.subarray(1048570, 2097161))).toBe(true);
    await s3.send(new DeleteObjectCommand({ Bucket: 'local-sw', Key: 'k' }));
    await waitFor(() => fake.liveNeedles().length === 0, 10_000, 'GC to delete the needles');
    s3.destroy();
  });

  it('is ready while a master answers, not ready when none does', async () => {
    expect((await fetch(`${server.endpoint}/-/health/ready`)).status).toBe(200);
    await fake.killMaster(0);
    expect((await fetch(`${server.endpoint}/-/health/ready`)).status).toBe(503);
    await fake.reviveMaster(0);
    expect((await fetch(`${server.endpoint}/-/health/ready`)).status).toBe(200);
  });
});
