import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ERROR_CODES, ServiceError, type BlobApi, type MetadataApi } from '@massive/contracts';
import { createLogger } from '@massive/observability';
import { GrpcMetadataClient } from '@massive/rpc';
import { startLoopbackRpc, type LoopbackRpc } from '@massive/rpc/testing';
import { createS3Api, DEFAULT_S3_CONFIG } from '@massive/s3-api';
import { Registry } from 'prom-client';
import { StaticCredentials } from '../src/credentials';

const CREDS = { accessKeyId: 'AKIDERRORS', secretAccessKey: 'errors-secret-key' };

/** A port whose every method throws the error the test chose. */
function throwing<T extends object>(current: () => unknown): T {
  return new Proxy({} as T, {
    get: () => async () => {
      throw current();
    },
  });
}

async function serve(metadata: MetadataApi, blob: BlobApi): Promise<{ server: Server; endpoint: string }> {
  const app = createS3Api(
    {
      metadata,
      blob,
      credentials: new StaticCredentials([{ accessKey: CREDS.accessKeyId, secretKey: CREDS.secretAccessKey }]),
      logger: createLogger({ service: 'gateway', level: 'silent' }),
      config: DEFAULT_S3_CONFIG,
    },
    { registry: new Registry() },
  );
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** What a client sees of an error: status, the S3 headers that matter, and the XML without its request id. */
async function s3Error(endpoint: string): Promise<{ status: number; contentRange: string | null; body: string; marker: (string | null)[] }> {
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS });
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'bucket', Key: 'some/key' }), { expiresIn: 60 });
  client.destroy();
  const res = await fetch(url, { headers: { range: 'bytes=0-9' } });
  const body = (await res.text()).replace(/<RequestId>[^<]*<\/RequestId>/, '');
  const marker = ['x-amz-delete-marker', 'x-amz-version-id', 'last-modified', 'allow'].map((h) => res.headers.get(h));
  return { status: res.status, contentRange: res.headers.get('content-range'), body, marker };
}

// STYLE 5.5: a ServiceError thrown in-process and the same one thrown behind gRPC become the very same
// S3 error (status, code, message, extra elements, headers).
describe('S3 errors are the same in local and distributed mode', () => {
  let current: unknown;
  const metadata = throwing<MetadataApi>(() => current);
  const blob = throwing<BlobApi>(() => current);
  let rpc: LoopbackRpc;
  let local: { server: Server; endpoint: string };
  let remote: { server: Server; endpoint: string };

  beforeAll(async () => {
    rpc = await startLoopbackRpc({ metadata, blob });
    local = await serve(metadata, blob);
    remote = await serve(rpc.metadata, rpc.blob);
  });
  afterAll(async () => {
    local.server.close();
    remote.server.close();
    await rpc.close();
  });

  it.each(ERROR_CODES)('%s', async (code) => {
    current = new ServiceError(code, `detailed message for ${code}`, { objectSize: 1234, uploadId: 'upload-1' });
    const inProcess = await s3Error(local.endpoint);
    const overGrpc = await s3Error(remote.endpoint);
    expect(overGrpc).toEqual(inProcess);
    expect(inProcess.status).toBeGreaterThanOrEqual(400);
  });

  it.each([
    ['NoSuchKey', { deleteMarker: 'true', versionId: 'v-1' }],
    ['MethodNotAllowed', { deleteMarker: 'true', versionId: 'null', lastModified: 1_700_000_000_000 }],
  ] as const)('%s on a delete marker carries the same marker headers both ways', async (code, detail) => {
    current = new ServiceError(code, 'marker', detail);
    const inProcess = await s3Error(local.endpoint);
    expect(await s3Error(remote.endpoint)).toEqual(inProcess);
    expect(inProcess.marker.slice(0, 2)).toEqual(['true', detail.versionId]);
  });

  it('an unknown error is InternalError both ways, its message never shown', async () => {
    current = new TypeError('secret internals');
    const inProcess = await s3Error(local.endpoint);
    expect(await s3Error(remote.endpoint)).toEqual(inProcess);
    expect(inProcess.status).toBe(500);
    expect(inProcess.body).not.toContain('secret internals');
  });

  it('an unreachable metadata service answers 503 ServiceUnavailable (SDKs retry)', async () => {
    const dead = new GrpcMetadataClient({ targets: ['127.0.0.1:1'] });
    const down = await serve(dead, blob);
    try {
      const res = await s3Error(down.endpoint);
      expect(res.status).toBe(503);
      expect(res.body).toContain('<Code>ServiceUnavailable</Code>');
    } finally {
      down.server.close();
      dead.close();
    }
  });
});
