import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobService } from '@massive/blob-core';
import { SeaweedFsChunkStore } from '@massive/blob-seaweedfs';
import { FakeSeaweed } from '@massive/blob-seaweedfs/testing';
import { backgroundCtx } from '@massive/contracts';
import { MemoryKv } from '@massive/kv/testing';
import { MetadataService } from '@massive/metadata-core';
import { createLogger } from '@massive/observability';
import { createS3Api, DEFAULT_S3_CONFIG } from '@massive/s3-api';
import { Registry } from 'prom-client';
import { StaticCredentials } from '../src/credentials';

const CREDS = { accessKeyId: 'AKIDSEAWEED', secretAccessKey: 'seaweed-secret-key' };

// What an S3 client sees when SeaweedFS misbehaves under the gateway (in-process wiring, the store on
// the protocol fake): an assign outage is 503 SlowDown (SDKs retry it with backoff) while inline objects
// still work, and a chunk lost on every replica is 500 InternalError, never NoSuchKey or a short body.
describe('S3 over SeaweedFS: outages and data loss', () => {
  let fake: FakeSeaweed;
  let store: SeaweedFsChunkStore;
  let server: Server;
  let s3: S3Client;
  let registry: Registry;
  let client: () => S3Client;

  beforeAll(async () => {
    fake = await FakeSeaweed.start({ servers: 3 });
    registry = new Registry();
    const metadata = new MetadataService({ kv: new MemoryKv(), registry });
    store = new SeaweedFsChunkStore({
      masters: fake.masterUrls,
      replication: '001',
      registry,
      assignBudgetMs: 500,
      intentLog: { recordChunks: (intentId, chunkIds) => metadata.recordIntentChunks({ intentId, chunkIds }, backgroundCtx()) },
    });
    const blob = new BlobService(store, { chunkSize: 64 * 1024 });
    const app = createS3Api(
      {
        metadata,
        blob,
        credentials: new StaticCredentials([{ accessKey: CREDS.accessKeyId, secretKey: CREDS.secretAccessKey }]),
        logger: createLogger({ service: 'gateway', level: 'silent' }),
        config: DEFAULT_S3_CONFIG,
      },
      { registry },
    );
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = () => new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS, maxAttempts: 1 });
    s3 = client();
    await s3.send(new CreateBucketCommand({ Bucket: 'swb' }));
  });
  afterAll(async () => {
    s3.destroy();
    await new Promise((r) => server.close(r));
    store.close();
    await fake.stop();
  });

  const status = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => `${e.$metadata?.httpStatusCode} ${e.name}${e.$metadata?.httpStatusCode ? "" : ` ${e.message}`}`,
    );

  it('answers an assign outage with 503 SlowDown; inline objects still work; it recovers', async () => {
    const big = Buffer.alloc(300 * 1024, 3);
    fake.failNext({ master: 0 }, 'GET', 503, 'no writable volumes for collection: replication:001 ttl:, volume growth in progress', 10_000, '/dir/assign');
    expect(await status(s3.send(new PutObjectCommand({ Bucket: 'swb', Key: 'big', Body: big })))).toBe('503 SlowDown');
    // A fresh connection: the gateway resets the one whose body it stopped reading (SDKs retry that).
    s3.destroy();
    s3 = client();
    expect(await status(s3.send(new PutObjectCommand({ Bucket: 'swb', Key: 'small', Body: 'inline' })))).toBe('ok');
    fake.clearFaults();
    expect(await status(s3.send(new PutObjectCommand({ Bucket: 'swb', Key: 'big', Body: big })))).toBe('ok');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'swb', Key: 'big' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(big)).toBe(true);
  });

  it('answers a chunk lost on every replica with 500 InternalError and counts it', async () => {
    const body = Buffer.alloc(200 * 1024, 9);
    const before = new Set(fake.liveNeedles().map((n) => n.fid));
    await s3.send(new PutObjectCommand({ Bucket: 'swb', Key: 'doomed', Body: body }));
    // Every needle written by this PUT vanishes behind our back (e.g. a volume lost on all replicas).
    for (const n of fake.liveNeedles()) if (!before.has(n.fid)) await store.delete(`sw1:${n.fid}`);
    expect(await status(s3.send(new GetObjectCommand({ Bucket: 'swb', Key: 'doomed' })))).toBe('500 InternalError');
    const lost = (await registry.getMetricsAsJSON()).find((m) => m.name === 'seaweedfs_chunks_lost_total');
    expect(lost?.values[0].value).toBeGreaterThanOrEqual(1);
  });
});
