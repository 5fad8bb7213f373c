import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobService, claimReplicaIdentity, LocalDiskStore } from '@massive/blob-core';
import { chunkOwner, type BlobManifest, type CallCtx } from '@massive/contracts';
import { MemoryKv } from '@massive/kv/testing';
import { GarbageCollector, MetadataService } from '@massive/metadata-core';
import { createLimitMetrics, createLogger, createRegistry } from '@massive/observability';
import { BlobDataServer, GrpcBlobClient, RpcServer } from '@massive/rpc';
import { composeRemote } from '../src/compose-remote';
import { loadConfig } from '../src/config';
import { StaticCredentials } from '../src/credentials';

/**
 * Local disk in distributed mode: two blob replicas, each owning its disk, behind one gRPC client
 * (the gateway's and metadata GC's). Every object written through either is readable, deletable and
 * collected; the intent janitor reclaims chunks on both; a replica that is down is Unavailable.
 * Run twice: bodies over gRPC Write/Read, and over each replica's HTTP data path (same routing).
 */
jest.setTimeout(30_000);

const CHUNK = 64 * 1024;
const ctx: CallCtx = { requestId: 'replica-test' };
const owner = { id: 'o', displayName: 'o' };
const headers = { userMetadata: {} };

interface Replica {
  readonly id: string;
  readonly dir: string;
  readonly store: LocalDiskStore;
  server: RpcServer;
  port: number;
  /** The HTTP data path, when the run uses it (a fresh port on every start). */
  data?: BlobDataServer;
}

/** Whether replicas serve the HTTP data path (set per run by describe.each below). */
let withDataPath = false;

async function startReplica(id: string, dir: string, port = 0): Promise<Replica> {
  const identity = await claimReplicaIdentity(dir, id);
  const store = new LocalDiskStore(dir, { replicaId: identity.replicaId });
  const blob = new BlobService(store, { chunkSize: CHUNK });
  const data = withDataPath ? new BlobDataServer({ blob }) : undefined;
  const dataPort = data ? await data.listen('127.0.0.1', 0) : 0;
  const server = new RpcServer({ blob, blobReplica: { ...identity, dataPort } });
  return { id, dir, store, server, port: await server.listen('127.0.0.1', port), ...(data && { data }) };
}

async function stopReplica(r: Replica): Promise<void> {
  await Promise.all([r.server.shutdown(100), r.data?.shutdown(100)]);
  // As the blob service's shutdown does: the fan directories' kept descriptors are closed, not left
  // to the garbage collector (Node warns when it closes a FileHandle).
  r.store.close();
}

async function* body(buf: Buffer): AsyncIterable<Buffer> {
  for (let at = 0; at < buf.length; at += 100_000) yield buf.subarray(at, at + 100_000);
}

async function readAll(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const b of it) out.push(b);
  return Buffer.concat(out);
}

async function stored(store: LocalDiskStore): Promise<string[]> {
  const out: string[] = [];
  for await (const id of store.listChunks()) out.push(id);
  return out.sort();
}

/** Retries while the call is Unavailable (channels reconnect with backoff), as S3 clients do on 503. */
async function eventually<T>(fn: () => Promise<T>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > until || (e as { code?: string }).code !== 'Unavailable') throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const owners = (m: BlobManifest) => new Set(m.chunks.map((c) => chunkOwner(c.id)));

describe.each([
  ['bodies over gRPC', false],
  ['bodies over the HTTP data path', true],
])('local-disk blob replicas in distributed mode (%s)', (_how, dataPath) => {
  beforeAll(() => {
    withDataPath = dataPath;
  });
  let root: string;
  let a: Replica;
  let b: Replica;
  let client: GrpcBlobClient;
  let clock: { now: number };
  let kv: MemoryKv;
  let meta: MetadataService;
  let gc: GarbageCollector;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'blob-replicas-'));
    a = await startReplica('blob-a', join(root, 'a'));
    b = await startReplica('blob-b', join(root, 'b'));
    client = new GrpcBlobClient({ targets: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`], minRefreshMs: 0 });
    clock = { now: 1_000_000 };
    kv = new MemoryKv();
    meta = new MetadataService({ kv, clock: () => clock.now, gcGraceMs: 1000 });
    gc = new GarbageCollector({ kv, blob: client, clock: () => clock.now });
    await meta.createBucket({ name: 'bkt', region: 'us-east-1', owner }, ctx);
  });

  afterEach(async () => {
    client.close();
    await Promise.all([stopReplica(a), stopReplica(b)]);
    await rm(root, { recursive: true, force: true });
  });

  /** PUT as the gateway does it: intent first, then the bytes, then the commit. */
  async function put(key: string, data: Buffer): Promise<BlobManifest> {
    const { intentId } = await meta.createWriteIntent({ ttlMs: 60_000 }, ctx);
    const manifest = await client.write(body(data), { intentId }, ctx);
    await meta.putObject({ bucket: 'bkt', key, data: { kind: 'chunks', manifest, intentId }, size: data.length, etag: 'e', headers }, ctx);
    return manifest;
  }

  it('spreads writes over both replicas; every object reads back whole and by range from its owner', async () => {
    const objects = new Map<string, { data: Buffer; manifest: BlobManifest }>();
    for (let i = 0; i < 6; i++) {
      const data = randomBytes(3 * CHUNK + 1000 * i);
      objects.set(`k${i}`, { data, manifest: await put(`k${i}`, data) });
    }
    expect([(await client.dataEndpoint(0)) !== undefined, (await client.dataEndpoint(1)) !== undefined]).toEqual([dataPath, dataPath]);
    const byOwner = [...objects.values()].map((o) => [...owners(o.manifest)]);
    for (const o of byOwner) expect(o).toHaveLength(1); // one write, one replica
    expect(new Set(byOwner.flat())).toEqual(new Set(['blob-a', 'blob-b']));
    expect((await stored(a.store)).every((id) => id.startsWith('@blob-a/'))).toBe(true);
    expect((await stored(b.store)).every((id) => id.startsWith('@blob-b/'))).toBe(true);

    for (const [key, { data }] of objects) {
      const v = await meta.getObject({ bucket: 'bkt', key }, ctx);
      if (v.data.kind !== 'chunks') throw new Error('expected chunks');
      expect((await readAll(client.read(v.data.manifest, undefined, ctx))).equals(data)).toBe(true);
      const range = { start: CHUNK - 5, end: 2 * CHUNK + 4 }; // across two chunk edges
      expect((await readAll(client.read(v.data.manifest, range, ctx))).equals(data.subarray(range.start, range.end + 1))).toBe(true);
    }
  });

  it('reads, and collects, a multipart object whose parts live on different replicas', async () => {
    const { uploadId } = await meta.createMultipartUpload({ bucket: 'bkt', key: 'mp', headers, owner }, ctx);
    const parts: Buffer[] = [];
    const ownersSeen = new Set<string | undefined>();
    for (let n = 1; n <= 3; n++) {
      const data = randomBytes(2 * CHUNK + 17 * n);
      parts.push(data);
      const { intentId } = await meta.createWriteIntent({ ttlMs: 60_000 }, ctx);
      const manifest = await client.write(body(data), { intentId }, ctx);
      owners(manifest).forEach((o) => ownersSeen.add(o));
      await meta.uploadPart({ bucket: 'bkt', key: 'mp', uploadId, partNumber: n, manifest, intentId, etag: `e${n}` }, ctx);
    }
    expect(ownersSeen).toEqual(new Set(['blob-a', 'blob-b']));
    await meta.completeMultipartUpload({ bucket: 'bkt', key: 'mp', uploadId, parts: [1, 2, 3].map((n) => ({ partNumber: n, etag: `e${n}` })), minPartSize: 0 }, ctx);
    const v = await meta.getObject({ bucket: 'bkt', key: 'mp' }, ctx);
    if (v.data.kind !== 'parts') throw new Error('expected a multipart version');
    const manifests = await meta.getPartManifests({ uploadId: v.data.uploadId, partNumbers: [1, 2, 3] }, ctx);
    const whole = Buffer.concat(parts);
    const readParts = async (): Promise<Buffer> => Buffer.concat(await Promise.all(manifests.map((m) => readAll(client.read(m, undefined, ctx)))));
    expect((await readParts()).equals(whole)).toBe(true);
    const across = { start: 10, end: parts[1].length - 11 }; // inside part 2, across its chunks (a → b → a)
    expect((await readAll(client.read(manifests[1], across, ctx))).equals(parts[1].subarray(across.start, across.end + 1))).toBe(true);

    await meta.deleteObject({ bucket: 'bkt', key: 'mp' }, ctx);
    clock.now += 2000;
    expect(await gc.collectOnce()).toBe(1); // one queue entry stands for the three part records
    expect(await stored(a.store)).toEqual([]);
    expect(await stored(b.store)).toEqual([]);
  });

  it('deletes and overwrites are collected on the replica that owns each chunk', async () => {
    for (let i = 0; i < 4; i++) await put(`k${i}`, randomBytes(2 * CHUNK));
    expect((await stored(a.store)).length).toBeGreaterThan(0);
    expect((await stored(b.store)).length).toBeGreaterThan(0);
    await put('k0', randomBytes(CHUNK)); // overwrite: the old chunks go on the GC queue
    const keep = await meta.getObject({ bucket: 'bkt', key: 'k0' }, ctx);
    for (let i = 1; i < 4; i++) await meta.deleteObject({ bucket: 'bkt', key: `k${i}` }, ctx);
    clock.now += 2000;
    expect(await gc.collectOnce()).toBe(4 * 2);
    const left = [...(await stored(a.store)), ...(await stored(b.store))];
    expect(left).toEqual(keep.data.kind === 'chunks' ? keep.data.manifest.chunks.map((c) => c.id) : []);
  });

  it('the intent janitor reclaims abandoned writes on both replicas', async () => {
    for (let i = 0; i < 4; i++) {
      const { intentId } = await meta.createWriteIntent({ ttlMs: 1000 }, ctx);
      await client.write(body(randomBytes(2 * CHUNK)), { intentId }, ctx); // never committed (a crashed gateway)
    }
    expect((await stored(a.store)).length).toBe(4);
    expect((await stored(b.store)).length).toBe(4);
    clock.now += 5000;
    expect(await gc.reclaimIntentsOnce()).toBe(4);
    expect(await stored(a.store)).toEqual([]);
    expect(await stored(b.store)).toEqual([]);
  });

  it('a replica that is down is Unavailable for its chunks (never another replica, never NoSuchKey); the other serves on', async () => {
    const onA: BlobManifest[] = [];
    const onB: BlobManifest[] = [];
    for (let i = 0; onA.length === 0 || onB.length === 0; i++) {
      const m = await put(`k${i}`, randomBytes(CHUNK + 1));
      (owners(m).has('blob-a') ? onA : onB).push(m);
    }
    await stopReplica(b);
    await expect(readAll(client.read(onB[0], undefined, ctx))).rejects.toMatchObject({ code: 'Unavailable' });
    await expect(client.deleteChunks(onB[0].chunks.map((c) => c.id), ctx)).rejects.toMatchObject({ code: 'Unavailable' });
    const { intentId } = await meta.createWriteIntent({ ttlMs: 60_000 }, ctx);
    await expect(client.deleteIntent(intentId, ctx)).rejects.toMatchObject({ code: 'Unavailable' }); // may have chunks on b
    expect((await readAll(client.read(onA[0], undefined, ctx))).length).toBe(CHUNK + 1);
    // Writes go to the replica that is up.
    for (let i = 0; i < 4; i++) expect(owners(await client.write(body(randomBytes(10)), { intentId: `w${i}` }, ctx))).toEqual(new Set(['blob-a']));

    // Back on the same disk and address: its chunks serve again.
    b = await startReplica('blob-b', b.dir, b.port);
    expect(await eventually(() => readAll(client.read(onB[0], undefined, ctx)))).toHaveLength(CHUNK + 1);
  });

  it('an owner no endpoint answers for is Unavailable, and a misrouted id is refused by the replica', async () => {
    await expect(readAll(client.read({ size: 3, chunks: [{ id: '@blob-z/x.0', size: 3 }] }, undefined, ctx))).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringMatching(/blob replica blob-z is not reachable/),
    });
    const onlyA = new GrpcBlobClient({ targets: [`127.0.0.1:${a.port}`] });
    try {
      // Bypass routing: ask replica a for b's chunk directly.
      const stream = onlyA.pool.serverStream('Read', { manifest: { size: '3', chunks: [{ id: '@blob-b/x.0', size: '3' }] } }, ctx, 0);
      await expect(readAll((async function* () { for await (const m of stream) yield m.data; })())).rejects.toMatchObject({
        code: 'Unavailable',
        message: expect.stringMatching(/belongs to blob replica blob-b, not to blob replica blob-a/),
      });
    } finally {
      onlyA.close();
    }
  });

  it('plain ids from before replica ids go to the replica whose disk holds them', async () => {
    // A disk written in the old format (one blob process), then given a replica id.
    const oldDir = join(root, 'old');
    const old = new LocalDiskStore(oldDir);
    const data = randomBytes(1000);
    const id = await old.allocate('legacy-intent', 0);
    await old.put(id, [data]);
    old.close();
    const c = await startReplica('blob-c', oldDir);
    const three = new GrpcBlobClient({ targets: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`, `127.0.0.1:${c.port}`] });
    try {
      for (let i = 0; i < 3; i++) expect((await readAll(three.read({ size: 1000, chunks: [{ id, size: 1000 }] }, undefined, ctx))).equals(data)).toBe(true);
      await three.deleteChunks([id], ctx);
      expect(await stored(c.store)).toEqual([]);
    } finally {
      three.close();
      await stopReplica(c);
    }
  });

  it('through the S3 API: objects written through the gateway land on both replicas, read back, and are collected after delete', async () => {
    const metaServer = new RpcServer({ metadata: meta });
    const metaPort = await metaServer.listen('127.0.0.1', 0);
    const cfg = loadConfig([], {
      MASSIVE_METADATA_ENDPOINTS: `127.0.0.1:${metaPort}`,
      MASSIVE_BLOB_ENDPOINTS: `127.0.0.1:${a.port},127.0.0.1:${b.port}`,
      MASSIVE_INLINE_THRESHOLD: '1024',
    });
    const creds = { accessKeyId: 'AKIDREPLICAS', secretAccessKey: 'replicas-secret' };
    const registry = createRegistry();
    const composed = composeRemote(cfg, {
      logger: createLogger({ service: 'gateway', level: 'silent' }),
      registry,
      limitMetrics: createLimitMetrics(registry),
      credentials: new StaticCredentials([{ accessKey: creds.accessKeyId, secretKey: creds.secretAccessKey }]),
      draining: () => false,
    });
    const server = createServer(composed.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const s3 = new S3Client({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'us-east-1', forcePathStyle: true, credentials: creds, maxAttempts: 1 });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 's3-bkt' }));
      const bodies = Array.from({ length: 6 }, (_, i) => randomBytes(2 * CHUNK + 100 * i));
      for (const [i, body] of bodies.entries()) await s3.send(new PutObjectCommand({ Bucket: 's3-bkt', Key: `o${i}`, Body: body }));
      expect((await stored(a.store)).length).toBeGreaterThan(0);
      expect((await stored(b.store)).length).toBeGreaterThan(0);
      for (const [i, body] of bodies.entries()) {
        const got = await s3.send(new GetObjectCommand({ Bucket: 's3-bkt', Key: `o${i}`, Range: `bytes=${CHUNK - 3}-${CHUNK + 2}` }));
        expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body.subarray(CHUNK - 3, CHUNK + 3));
        const whole = await s3.send(new GetObjectCommand({ Bucket: 's3-bkt', Key: `o${i}` }));
        expect(Buffer.from(await whole.Body!.transformToByteArray()).equals(body)).toBe(true);
        await s3.send(new DeleteObjectCommand({ Bucket: 's3-bkt', Key: `o${i}` }));
      }
      clock.now += 2000;
      expect(await gc.collectOnce()).toBe(bodies.reduce((n, body) => n + Math.ceil(body.length / CHUNK), 0));
      expect([...(await stored(a.store)), ...(await stored(b.store))]).toEqual([]);
    } finally {
      s3.destroy();
      await new Promise((r) => server.close(r));
      await composed.close();
      await metaServer.shutdown(100);
    }
  });
});
