import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MemoryKv } from '@massive/kv/testing';
import { MetadataService } from '@massive/metadata-core';
import { createLimitMetrics, createLogger, createRegistry } from '@massive/observability';
import { RpcServer } from '@massive/rpc';
import { composeRemote } from '../src/compose-remote';
import type { Composed } from '../src/compose-local';
import { loadConfig } from '../src/config';
import { StaticCredentials } from '../src/credentials';

const CREDS = { accessKeyId: 'AKIDBLOBDOWN', secretAccessKey: 'blob-down-secret' };

/** A loopback port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

// Distributed gateway with metadata up and blob down: it stays ready (so the load balancer keeps it),
// serves what needs no blob (buckets, inline objects) and answers 503 for what does.
describe('gateway with the blob service down', () => {
  let metadata: RpcServer;
  let composed: Composed;
  let server: Server;
  let s3: S3Client;

  beforeAll(async () => {
    metadata = new RpcServer({ metadata: new MetadataService({ kv: new MemoryKv() }) });
    const metaPort = await metadata.listen('127.0.0.1', 0);
    const cfg = loadConfig([], {
      MASSIVE_METADATA_ENDPOINTS: `127.0.0.1:${metaPort}`,
      MASSIVE_BLOB_ENDPOINTS: `127.0.0.1:${await deadPort()}`,
      MASSIVE_RPC_TIMEOUT_MS: '2000',
      MASSIVE_INLINE_THRESHOLD: '1024',
    });
    const registry = createRegistry();
    const deps = { logger: createLogger({ service: 'gateway', level: 'silent' }), registry, limitMetrics: createLimitMetrics(registry), credentials: new StaticCredentials([{ accessKey: CREDS.accessKeyId, secretKey: CREDS.secretAccessKey }]), draining: () => false };
    composed = composeRemote(cfg, deps);
    server = createServer(composed.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS, maxAttempts: 1 });
  });
  afterAll(async () => {
    s3.destroy();
    await new Promise((r) => server.close(r));
    await composed.close();
    await metadata.shutdown(100);
  });

  it('stays ready while metadata answers', async () => {
    expect(await composed.dependenciesReady()).toBe(true);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/-/health/ready`;
    expect((await fetch(url)).status).toBe(200);
  });

  it('serves buckets and inline objects, and answers 503 ServiceUnavailable for object data in blob', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
    await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'small', Body: Buffer.from('inline bytes') }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'small' }));
    expect(await got.Body!.transformToString()).toBe('inline bytes');
    const err = await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'big', Body: Buffer.alloc(64 * 1024, 1) })).catch((e: { name: string; $metadata?: { httpStatusCode?: number } }) => e);
    expect(err).toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
  });

  it('is not ready when metadata is down', async () => {
    await metadata.shutdown(100);
    await new Promise((r) => setTimeout(r, 1100)); // past the readiness cache
    expect(await composed.dependenciesReady()).toBe(false);
  });
});
