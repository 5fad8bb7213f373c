import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { FileDescriptorProto } from 'protobufjs/ext/descriptor';
import type { BlobApi, MetadataApi } from '@massive/contracts';
import { BLOB_SERVICE, METADATA_SERVICE } from '../src';
import { startLoopbackRpc, type LoopbackRpc } from '../src/testing';

/** A real reflection client: grpc.reflection.v1 from @grpc/reflection's own proto files. */
function reflectionClient(target: string): grpc.Client & Record<string, (...a: unknown[]) => unknown> {
  const protoPath = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');
  const def = loadSync(protoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as any;
  return new pkg.grpc.reflection.v1.ServerReflection(target, grpc.credentials.createInsecure());
}

/** One request/response exchange on the bidirectional ServerReflectionInfo stream. */
function ask(client: any, request: Record<string, unknown>): Promise<any> {
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo();
    call.on('data', (msg: unknown) => {
      resolve(msg);
      call.end();
    });
    call.on('error', reject);
    call.write(request);
  });
}

describe('health and reflection on every server', () => {
  let rpc: LoopbackRpc;
  let client: any;
  beforeAll(async () => {
    rpc = await startLoopbackRpc({ metadata: {} as MetadataApi, blob: {} as BlobApi });
    client = reflectionClient(rpc.target);
  });
  afterAll(async () => {
    client.close();
    await rpc.close();
  });

  it('lists the services (ours, health, reflection-visible) like `grpcurl list`', async () => {
    const res = await ask(client, { list_services: '' });
    const names = res.list_services_response.service.map((s: { name: string }) => s.name);
    expect(names).toEqual(expect.arrayContaining([METADATA_SERVICE, BLOB_SERVICE, 'grpc.health.v1.Health']));
  });

  it('returns the file containing a symbol, with its dependencies, like `grpcurl describe`', async () => {
    const res = await ask(client, { file_containing_symbol: METADATA_SERVICE });
    const files = (res.file_descriptor_response.file_descriptor_proto as Buffer[]).map((b) => FileDescriptorProto.decode(b) as any);
    // proto-loader re-files descriptors by package (massive_metadata_v1.proto); imports follow suit.
    const meta = files.find((f) => f.package === 'massive.metadata.v1');
    expect(meta).toBeDefined();
    const blob = files.find((f) => f.package === 'massive.blob.v1');
    expect(meta.dependency).toContain(blob.name);
    const methods = meta.service.find((s: { name: string }) => s.name === 'Metadata').method.map((m: { name: string }) => m.name);
    expect(methods).toEqual(expect.arrayContaining(['CreateBucket', 'PutObject', 'ListObjects', 'CompleteMultipartUpload', 'ListMultipartUploads']));
  });

  it('describes the blob stream methods', async () => {
    const res = await ask(client, { file_containing_symbol: `${BLOB_SERVICE}.Write` });
    const blob = (res.file_descriptor_response.file_descriptor_proto as Buffer[]).map((b) => FileDescriptorProto.decode(b) as any).find((f) => f.package === 'massive.blob.v1');
    const methods = Object.fromEntries(blob.service[0].method.map((m: any) => [m.name, [!!m.clientStreaming, !!m.serverStreaming]]));
    expect(methods).toMatchObject({ Write: [true, false], Read: [false, true], DeleteChunks: [false, false] });
  });

  it('answers grpc.health.v1 Check: SERVING, then NOT_SERVING while draining', async () => {
    const check = (service: string) =>
      new Promise<string>((resolve, reject) => {
        const c = new grpc.Client(rpc.target, grpc.credentials.createInsecure());
        const def = healthService['Check'];
        c.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, { service }, new grpc.Metadata(), {}, (err, res) => {
          c.close();
          if (err) reject(err);
          else resolve((res as { status: string }).status);
        });
      });
    expect(await check('')).toBe('SERVING');
    expect(await check(METADATA_SERVICE)).toBe('SERVING');
    expect(await rpc.metadata.healthy()).toBe(true);
    rpc.server.setServing(false);
    expect(await check(BLOB_SERVICE)).toBe('NOT_SERVING');
    expect(await rpc.blob.healthy()).toBe(false);
    rpc.server.setServing(true);
  });
});
