import { randomBytes } from 'node:crypto';
import { BlobService } from '@massive/blob-core';
import { SeaweedFsChunkStore } from '@massive/blob-seaweedfs';
import { FakeSeaweed } from '@massive/blob-seaweedfs/testing';
import type { BlobManifest, CallCtx, MetadataApi } from '@massive/contracts';
import { MemoryKv } from '@massive/kv/testing';
import { GarbageCollector, MetadataService } from '@massive/metadata-core';
import { Registry } from 'prom-client';

// The blob tier on SeaweedFS end to end below the gateway: BlobService over SeaweedFsChunkStore over
// the fake, with the real MetadataService recording fids under write intents and the real
// GarbageCollector reclaiming them. Proves multi-chunk objects spread over volumes, ranges at chunk
// edges, and that neither a crash between upload and commit nor overwrites and deletes leak a needle.

const ctx: CallCtx = { requestId: 'seaweed-tier' };
const owner = { id: 'o', displayName: 'o' };
const CHUNK = 2 * 65536 + 100; // not block-aligned, so chunk edges fall inside CRC blocks

interface Tier {
  fake: FakeSeaweed;
  meta: MetadataService;
  blob: BlobService;
  store: SeaweedFsChunkStore;
  gc: GarbageCollector;
  clock: { now: number };
}

let t: Tier;

async function start(uploadAttempts?: number): Promise<Tier> {
  const fake = await FakeSeaweed.start({ servers: 4 });
  for (let i = 0; i < 4; i++) fake.grow('objects', '001');
  const kv = new MemoryKv();
  const clock = { now: Date.now() };
  const registry = new Registry();
  const meta = new MetadataService({ kv, clock: () => clock.now, gcGraceMs: 1000, registry });
  const store = new SeaweedFsChunkStore({
    masters: fake.masterUrls,
    collection: 'objects',
    replication: '001',
    registry,
    ...(uploadAttempts !== undefined && { uploadAttempts }),
    intentLog: { recordChunks: (intentId, chunkIds) => meta.recordIntentChunks({ intentId, chunkIds }, ctx) },
  });
  const blob = new BlobService(store, { chunkSize: CHUNK, maxWritesInFlight: 4, readPieceSize: 100_000 });
  const gc = new GarbageCollector({ kv, blob, clock: () => clock.now, registry });
  await meta.createBucket({ name: 'b', region: 'r', owner }, ctx);
  return { fake, meta, blob, store, gc, clock };
}

afterEach(async () => {
  t.store.close();
  await t.fake.stop();
});

async function* body(data: Buffer, piece = 50_000): AsyncIterable<Buffer> {
  for (let i = 0; i < data.length; i += piece) yield data.subarray(i, i + piece);
}

async function readAll(manifest: BlobManifest, range?: { start: number; end: number }): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const b of t.blob.read(manifest, range, ctx)) out.push(b);
  return Buffer.concat(out);
}

async function commit(api: MetadataApi, key: string, data: Buffer): Promise<BlobManifest> {
  const { intentId } = await api.createWriteIntent({ ttlMs: 60_000 }, ctx);
  const manifest = await t.blob.write(body(data), { intentId }, ctx);
  await api.putObject({ bucket: 'b', key, data: { kind: 'chunks', manifest, intentId }, size: data.length, etag: 'e', headers: { userMetadata: {} } }, ctx);
  return manifest;
}

const liveIds = (): string[] => t.fake.liveNeedles().map((n) => `sw1:${n.fid}`).sort();

describe('BlobService on SeaweedFS', () => {
  it('spreads a multi-chunk object over volumes and reads every chunk edge exactly', async () => {
    t = await start();
    const data = randomBytes(12 * CHUNK + 777);
    const m = await commit(t.meta, 'big', data);
    expect(m.chunks).toHaveLength(13);
    const volumes = new Set(m.chunks.map((c) => c.id.split(':')[1].split(',')[0]));
    expect(volumes.size).toBeGreaterThan(1);
    expect((await readAll(m)).equals(data)).toBe(true);
    for (const edge of [CHUNK, 2 * CHUNK, 7 * CHUNK, 12 * CHUNK]) {
      for (const [s, e] of [
        [edge - 1, edge],
        [edge, edge],
        [edge - 1, edge - 1],
        [edge - 5000, edge + 5000],
      ]) {
        const end = Math.min(e, data.length - 1);
        expect((await readAll(m, { start: s, end })).equals(data.subarray(s, end + 1))).toBe(true);
      }
    }
    expect((await readAll(m, { start: data.length - 1, end: data.length - 1 })).equals(data.subarray(-1))).toBe(true);
    expect(liveIds()).toEqual(m.chunks.map((c) => c.id).sort());
  });

  it('reads the whole object while a replica is killed mid-stream', async () => {
    t = await start();
    const data = randomBytes(8 * CHUNK);
    const m = await commit(t.meta, 'k', data);
    const out: Buffer[] = [];
    let killed = false;
    for await (const b of t.blob.read(m, undefined, ctx)) {
      out.push(b);
      if (!killed) {
        killed = true;
        await t.fake.kill(0, { unregister: false });
      }
    }
    expect(Buffer.concat(out).equals(data)).toBe(true);
  });

  it('leaves zero needles after a crash between upload and commit once the janitor has run', async () => {
    t = await start();
    // A write that uploaded everything and then "crashed" before its commit...
    const crashed = await t.meta.createWriteIntent({ ttlMs: 1000 }, ctx);
    await t.blob.write(body(randomBytes(5 * CHUNK + 3)), { intentId: crashed.intentId }, ctx);
    // ...one that died right after an assign (fid recorded, nothing uploaded)...
    const assigned = await t.meta.createWriteIntent({ ttlMs: 1000 }, ctx);
    await t.store.allocate(assigned.intentId, 0, 10);
    // ...and one that committed.
    const kept = randomBytes(3 * CHUNK);
    const m = await commit(t.meta, 'kept', kept);
    expect(liveIds().length).toBe(5 + 1 + 3);
    t.clock.now += 60_000;
    expect(await t.gc.reclaimIntentsOnce()).toBe(2);
    expect(liveIds()).toEqual(m.chunks.map((c) => c.id).sort());
    expect((await readAll(m)).equals(kept)).toBe(true);
    expect(await t.gc.reclaimIntentsOnce()).toBe(0);
  });

  it('collects overwritten and deleted objects, and fids abandoned by a re-assign, down to zero needles', async () => {
    // Every server fails its first PUT (a primary's or a replica's), so the first upload is certainly
    // re-assigned; four failures in all, so with five attempts no chunk can run out of them, however
    // the concurrent chunks' attempts interleave (with the default three, one chunk could meet three).
    t = await start(5);
    for (let s = 0; s < 4; s++) t.fake.failNext({ server: s }, 'PUT', 500, 'failed to write to local disk: volume 1 is read only', 1);
    await commit(t.meta, 'a', randomBytes(4 * CHUNK)); // the first uploads fail and are re-assigned
    await commit(t.meta, 'a', randomBytes(2 * CHUNK)); // overwrite
    await commit(t.meta, 'b', randomBytes(CHUNK + 1));
    await t.meta.deleteObject({ bucket: 'b', key: 'a' }, ctx);
    await t.meta.deleteObject({ bucket: 'b', key: 'b' }, ctx);
    t.clock.now += 5000;
    await t.gc.collectOnce();
    await t.gc.collectOnce(); // idempotent: a second pass finds nothing to do
    expect(await t.gc.reclaimIntentsOnce()).toBe(0);
    expect(liveIds()).toEqual([]);
  });
});
