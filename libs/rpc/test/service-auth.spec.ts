import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { Registry } from 'prom-client';
import type { BlobApi, BlobManifest, CallCtx, MetadataApi } from '@massive/contracts';
import { bearer, BLOB_SERVICE, GrpcBlobClient, GrpcMetadataClient, loadProtos, METADATA_SERVICE, type RpcSecurity } from '../src';
import { startLoopbackRpc, type LoopbackRpc } from '../src/testing';

const TOKEN = 'svc-token-0123456789abcdef0123456789abcdef';
const CTX: CallCtx = { requestId: 'auth-test' };
const protos = loadProtos();

/** Records what reached the implementations: a refused call must reach nothing. */
function services(): { metadata: MetadataApi; blob: BlobApi; calls: string[] } {
  const calls: string[] = [];
  const metadata = {
    listBuckets: async () => {
      calls.push('listBuckets');
      return [];
    },
  } as unknown as MetadataApi;
  const blob = {
    write: async (body: AsyncIterable<Buffer>): Promise<BlobManifest> => {
      calls.push('write');
      for await (const _ of body) calls.push('write-piece');
      return { chunks: [], size: 0 } as unknown as BlobManifest;
    },
    read: async function* () {
      calls.push('read');
      yield Buffer.from('secret bytes');
    },
    deleteChunks: async () => void calls.push('deleteChunks'),
    deleteIntent: async () => void calls.push('deleteIntent'),
  } as unknown as BlobApi;
  return { metadata, blob, calls };
}

/** A bare grpc-js unary call with exactly the metadata given (no client of ours adding the token). */
function rawUnary(target: string, def: grpc.MethodDefinition<object, object>, req: object, auth?: string): Promise<grpc.StatusObject | object> {
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  if (auth !== undefined) md.set('authorization', auth);
  return new Promise((resolve) => {
    client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, req, md, { deadline: Date.now() + 5000 }, (err, res) => {
      client.close();
      resolve(err ?? (res as object));
    });
  });
}

/** grpc.reflection.v1 list_services with the metadata given. */
function reflectionList(target: string, auth?: string): Promise<{ code?: number; names?: string[] }> {
  const protoPath = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');
  const def = loadSync(protoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } } };
  const client = new pkg.grpc.reflection.v1.ServerReflection(target, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    ServerReflectionInfo(md: grpc.Metadata): grpc.ClientDuplexStream<object, { list_services_response: { service: { name: string }[] } }>;
  };
  const md = new grpc.Metadata();
  if (auth !== undefined) md.set('authorization', auth);
  return new Promise((resolve) => {
    const call = client.ServerReflectionInfo(md);
    call.on('data', (msg: { list_services_response: { service: { name: string }[] } }) => {
      resolve({ names: msg.list_services_response.service.map((s) => s.name) });
      call.end();
    });
    call.on('error', (e: grpc.ServiceError) => resolve({ code: e.code }));
    call.on('end', () => client.close());
    call.write({ list_services: '' });
  });
}

function healthCheck(target: string, service: string): Promise<string> {
  const def = healthService['Check'];
  return rawUnary(target, def as unknown as grpc.MethodDefinition<object, object>, { service }).then((r) => ('code' in r ? `error ${r.code}` : (r as { status: string }).status));
}

async function* pieces(...bufs: Buffer[]): AsyncIterable<Buffer> {
  yield* bufs;
}

describe('service token on every call (MASSIVE_SERVICE_TOKEN)', () => {
  let rpc: LoopbackRpc;
  let impl: ReturnType<typeof services>;
  const registry = new Registry();
  const clients: { close(): void }[] = [];
  const clientsWith = (security: RpcSecurity) => {
    const m = new GrpcMetadataClient({ targets: [rpc.target], definition: protos.metadata, security, defaultTimeoutMs: 5000 });
    const b = new GrpcBlobClient({ targets: [rpc.target], definition: protos.blob, security, defaultTimeoutMs: 5000 });
    clients.push(m, b);
    return { m, b };
  };

  beforeAll(async () => {
    impl = services();
    rpc = await startLoopbackRpc({ metadata: impl.metadata, blob: impl.blob }, { security: { token: TOKEN }, registry });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await rpc.close();
  });
  beforeEach(() => impl.calls.splice(0));

  it('clients holding the token work: metadata and blob (unary, client stream, server stream)', async () => {
    expect(await rpc.metadata.listBuckets({}, CTX)).toEqual([]);
    await rpc.blob.write(pieces(Buffer.from('a'), Buffer.from('b')), { intentId: 'i1' }, CTX);
    const read: Buffer[] = [];
    for await (const b of rpc.blob.read({ chunks: [{ id: 'c1', size: 12 }], size: 12 } as unknown as BlobManifest, undefined, CTX)) read.push(b);
    expect(Buffer.concat(read).toString()).toBe('secret bytes');
    // The client coalesces small write pieces into larger messages: at least one piece, then the read.
    expect(impl.calls.filter((c) => c !== 'write-piece')).toEqual(['listBuckets', 'write', 'read']);
    expect(impl.calls).toContain('write-piece');
  });

  it.each([
    ['no authorization metadata', undefined],
    ['a wrong token', bearer('svc-token-0123456789abcdef0123456789abcdeX')],
    ['a shorter wrong token', bearer('short')],
    ['the token without Bearer', TOKEN],
    ['the token with a trailing byte', `${bearer(TOKEN)} `],
  ])('metadata: %s is UNAUTHENTICATED and reaches no handler', async (_what, auth) => {
    const res = await rawUnary(rpc.target, protos.metadata.ListBuckets as unknown as grpc.MethodDefinition<object, object>, {}, auth);
    expect(res).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    expect(impl.calls).toEqual([]);
  });

  it('blob: Describe, DeleteChunks without the token are UNAUTHENTICATED', async () => {
    for (const [def, req] of [
      [protos.blob.Describe, {}],
      [protos.blob.DeleteChunks, { ids: ['c1'] }],
    ] as const) {
      expect(await rawUnary(rpc.target, def as unknown as grpc.MethodDefinition<object, object>, req)).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    }
    expect(impl.calls).toEqual([]);
  });

  it('our clients with a wrong token fail (metadata, blob write and read) and nothing runs', async () => {
    const { m, b } = clientsWith({ token: 'wrong-token-0123456789abcdef0123456789abcdef' });
    await expect(m.listBuckets({}, CTX)).rejects.toThrow(/UNAUTHENTICATED/);
    await expect(b.write(pieces(Buffer.from('x')), { intentId: 'i2' }, CTX)).rejects.toThrow(/UNAUTHENTICATED/);
    const reading = (async () => {
      for await (const _ of b.read({ chunks: [{ id: 'c1', size: 12 }], size: 12 } as unknown as BlobManifest, undefined, CTX)) return 'got bytes';
      return 'empty';
    })();
    await expect(reading).rejects.toThrow(/UNAUTHENTICATED/);
    expect(impl.calls).toEqual([]);
  });

  it('our clients without a token fail the same way', async () => {
    const { m } = clientsWith({});
    await expect(m.listBuckets({}, CTX)).rejects.toThrow(/UNAUTHENTICATED/);
    expect(impl.calls).toEqual([]);
  });

  it('counts refused calls in grpc_server_unauthenticated_total', async () => {
    const before = (await registry.getSingleMetric('grpc_server_unauthenticated_total')!.get()).values[0]?.value ?? 0;
    await rawUnary(rpc.target, protos.metadata.ListBuckets as unknown as grpc.MethodDefinition<object, object>, {});
    const after = (await registry.getSingleMetric('grpc_server_unauthenticated_total')!.get()).values[0]!.value;
    expect(after).toBe(before + 1);
  });

  it('leaves the standard health service open (Kubernetes gRPC probes)', async () => {
    expect(await healthCheck(rpc.target, '')).toBe('SERVING');
    expect(await healthCheck(rpc.target, METADATA_SERVICE)).toBe('SERVING');
    expect(await healthCheck(rpc.target, BLOB_SERVICE)).toBe('SERVING');
    expect(await rpc.metadata.pool.healthy()).toBe(true);
  });

  it('needs the token for reflection (grpcurl -H "authorization: Bearer ...")', async () => {
    expect(await reflectionList(rpc.target)).toEqual({ code: grpc.status.UNAUTHENTICATED });
    expect(await reflectionList(rpc.target, bearer('nope'))).toEqual({ code: grpc.status.UNAUTHENTICATED });
    const ok = await reflectionList(rpc.target, bearer(TOKEN));
    expect(ok.names).toEqual(expect.arrayContaining([METADATA_SERVICE, BLOB_SERVICE]));
  });
});
