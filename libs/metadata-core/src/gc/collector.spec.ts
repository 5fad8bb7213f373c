import type { MetadataApi, ObjectVersion } from '@massive/contracts';
import { MemoryKv } from '@massive/kv/testing';
import { Registry } from 'prom-client';
import { FakeBlob, GatedKv, gcQueue } from '../../test/helpers';
import { MetadataService } from '../metadata-service';
import { GarbageCollector } from './collector';

const ctx = { requestId: 't' };
const owner = { id: 'o', displayName: 'o' };
const headers = { userMetadata: {} };

function setup() {
  const mem = new MemoryKv();
  const kv = new GatedKv(mem);
  const clock = { now: 1_000_000 };
  const registry = new Registry();
  const svc = new MetadataService({ kv, clock: () => clock.now, gcGraceMs: 1000, registry });
  const blob = new FakeBlob();
  const gc = new GarbageCollector({ kv, blob, clock: () => clock.now, registry, batchSize: 3 });
  return { mem, kv, clock, svc, blob, gc, registry };
}

let n = 0;
async function putChunks(api: MetadataApi, key: string, ttlMs = 60_000): Promise<ObjectVersion> {
  const { intentId } = await api.createWriteIntent({ ttlMs }, ctx);
  const chunks = [0, 1].map(() => ({ id: `c${n++}`, size: 5 }));
  return api.putObject({ bucket: 'b', key, data: { kind: 'chunks', manifest: { size: 10, chunks }, intentId }, size: 10, etag: 'e', headers }, ctx);
}
const chunkIds = (v: ObjectVersion): string[] => (v.data.kind === 'chunks' ? v.data.manifest.chunks.map((c) => c.id) : []);

/** Every chunk a committed version or a live part references. */
async function referenced(api: MetadataApi): Promise<Set<string>> {
  const out = new Set<string>();
  const list = await api.listObjects({ bucket: 'b', maxKeys: 1000 }, ctx);
  for (const o of list.objects) {
    const v = await api.getObject({ bucket: 'b', key: o.key }, ctx);
    chunkIds(v).forEach((id) => out.add(id));
    if (v.data.kind === 'parts') {
      const manifests = await api.getPartManifests({ uploadId: v.data.uploadId, partNumbers: (v.parts ?? []).map((p) => p.partNumber) }, ctx);
      manifests.forEach((m) => m.chunks.forEach((c) => out.add(c.id)));
    }
  }
  return out;
}

describe('GarbageCollector', () => {
  it('deletes replaced and deleted chunks once due, never live ones', async () => {
    const { svc, blob, gc, clock, kv } = setup();
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    const v1 = await putChunks(svc, 'k');
    const v2 = await putChunks(svc, 'k');
    const other = await putChunks(svc, 'gone');
    await svc.deleteObject({ bucket: 'b', key: 'gone' }, ctx);
    await svc.putObject({ bucket: 'b', key: 'k', data: { kind: 'current', versionId: v2.versionId }, size: 10, etag: 'e', headers }, ctx);
    expect((await gcQueue(kv)).sort()).toEqual([...chunkIds(v1), ...chunkIds(other)].sort());

    expect(await gc.collectOnce()).toBe(0); // not due before the grace period
    clock.now += 1001;
    expect(await gc.collectOnce()).toBe(4); // in batches of 3
    expect(blob.deletedChunks.sort()).toEqual([...chunkIds(v1), ...chunkIds(other)].sort());
    expect(await gcQueue(kv)).toEqual([]);
    const live = await referenced(svc);
    expect(chunkIds(v2).every((id) => live.has(id))).toBe(true);
    expect(blob.deletedChunks.some((id) => live.has(id))).toBe(false);
  });

  it('keeps G entries when the blob side fails, and retries next pass', async () => {
    const { svc, blob, gc, clock, kv } = setup();
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    await putChunks(svc, 'k');
    await svc.deleteObject({ bucket: 'b', key: 'k' }, ctx);
    clock.now += 5000;
    blob.failNext = 1;
    await expect(gc.collectOnce()).rejects.toThrow('blob down');
    expect(await gcQueue(kv)).toHaveLength(2);
    await gc.collectOnce();
    expect(await gcQueue(kv)).toHaveLength(0);
  });

  it('GCs multipart leftovers: replaced parts, unlisted parts, aborted uploads', async () => {
    const { svc, blob, gc, clock } = setup();
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    const part = async (uploadId: string, partNumber: number, id: string) => {
      const { intentId } = await svc.createWriteIntent({ ttlMs: 60_000 }, ctx);
      return svc.uploadPart({ bucket: 'b', key: 'm', uploadId, partNumber, manifest: { size: 5, chunks: [{ id, size: 5 }] }, intentId, etag: id }, ctx);
    };
    const up = await svc.createMultipartUpload({ bucket: 'b', key: 'm', headers, owner }, ctx);
    await part(up.uploadId, 1, 'p1a');
    const p1 = await part(up.uploadId, 1, 'p1b');
    await part(up.uploadId, 2, 'p2');
    await svc.completeMultipartUpload({ bucket: 'b', key: 'm', uploadId: up.uploadId, minPartSize: 1, parts: [{ partNumber: 1, etag: p1.etag }] }, ctx);
    const aborted = await svc.createMultipartUpload({ bucket: 'b', key: 'm', headers, owner }, ctx);
    await part(aborted.uploadId, 1, 'x1');
    await svc.abortMultipartUpload({ bucket: 'b', key: 'm', uploadId: aborted.uploadId }, ctx);
    clock.now += 5000;
    await gc.runOnce();
    expect(blob.deletedChunks.sort()).toEqual(['p1a', 'p2', 'x1']);
    expect(await referenced(svc)).toEqual(new Set(['p1b']));
  });

  describe('janitor', () => {
    it('reclaims expired and abandoned intents (blob first), leaves live and renewed ones', async () => {
      const { svc, blob, gc, clock, registry } = setup();
      const expired = await svc.createWriteIntent({ ttlMs: 100 }, ctx);
      const renewed = await svc.createWriteIntent({ ttlMs: 100 }, ctx);
      const live = await svc.createWriteIntent({ ttlMs: 10_000 }, ctx);
      const dropped = await svc.createWriteIntent({ ttlMs: 10_000 }, ctx);
      await svc.renewWriteIntent({ intentId: renewed.intentId, ttlMs: 10_000 }, ctx);
      await svc.abandonWriteIntent({ intentId: dropped.intentId }, ctx);
      clock.now += 200;
      expect(await gc.reclaimIntentsOnce()).toBe(2);
      expect(blob.deletedIntents.sort()).toEqual([expired.intentId, dropped.intentId].sort());
      expect(await gc.reclaimIntentsOnce()).toBe(0);
      const m = (await registry.getMetricsAsJSON()).find((x) => x.name === 'metadata_gc_intents_reclaimed_total');
      expect(m?.values[0].value).toBe(2);
      void live;
    });

    it('reclaims the unused intents of a createWriteIntents batch once they expire, not the one committed', async () => {
      const { svc, blob, gc, clock } = setup();
      await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
      const batch = await svc.createWriteIntents({ ttlMs: 100, count: 3 }, ctx);
      const [used, ...unused] = batch;
      await svc.putObject({ bucket: 'b', key: 'k', data: { kind: 'chunks', manifest: { size: 1, chunks: [{ id: 'u', size: 1 }] }, intentId: used.intentId }, size: 1, etag: 'e', headers }, ctx);
      expect(await gc.reclaimIntentsOnce()).toBe(0);
      clock.now += 200;
      expect(await gc.reclaimIntentsOnce()).toBe(2);
      expect(blob.deletedIntents.sort()).toEqual(unused.map((i) => i.intentId).sort());
      expect(await gc.reclaimIntentsOnce()).toBe(0);
    });

    it('retries an intent whose blob-side delete failed; a commit can no longer use it', async () => {
      const { svc, blob, gc, clock } = setup();
      await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
      const i = await svc.createWriteIntent({ ttlMs: 100 }, ctx);
      clock.now += 200;
      blob.failNext = 1;
      await expect(gc.reclaimIntentsOnce()).rejects.toThrow('blob down');
      const put = svc.putObject({ bucket: 'b', key: 'k', data: { kind: 'chunks', manifest: { size: 1, chunks: [{ id: 'z', size: 1 }] }, intentId: i.intentId }, size: 1, etag: 'e', headers }, ctx);
      await expect(put).rejects.toMatchObject({ code: 'IntentExpired' });
      expect(await gc.reclaimIntentsOnce()).toBe(1);
      expect(blob.deletedIntents).toEqual([i.intentId]);
    });

    it('wins a race against a commit: the commit fails IntentExpired and the data is reclaimed', async () => {
      const { svc, blob, gc, clock, kv } = setup();
      await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
      const { intentId } = await svc.createWriteIntent({ ttlMs: 100 }, ctx);
      const gate = kv.holdNext();
      // The commit reads the intent while it is still live, then stalls before committing...
      const put = svc.putObject({ bucket: 'b', key: 'k', data: { kind: 'chunks', manifest: { size: 1, chunks: [{ id: 'z', size: 1 }] }, intentId }, size: 1, etag: 'e', headers }, ctx);
      await gate.reached;
      // ...the intent expires and the janitor reclaims it meanwhile.
      clock.now += 200;
      expect(await gc.reclaimIntentsOnce()).toBe(1);
      expect(blob.deletedIntents).toEqual([intentId]);
      gate.release();
      await expect(put).rejects.toMatchObject({ code: 'IntentExpired' });
      await expect(svc.getObject({ bucket: 'b', key: 'k' }, ctx)).rejects.toMatchObject({ code: 'NoSuchKey' });
    });

    it('loses a race against a commit cleanly: the janitor leaves committed data alone', async () => {
      const { svc, blob, gc, clock, kv } = setup();
      await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
      const { intentId } = await svc.createWriteIntent({ ttlMs: 100 }, ctx);
      // The commit validates the live intent and stalls before committing...
      const commitGate = kv.holdNext();
      const put = svc.putObject({ bucket: 'b', key: 'k', data: { kind: 'chunks', manifest: { size: 1, chunks: [{ id: 'z', size: 1 }] }, intentId }, size: 1, etag: 'e', headers }, ctx);
      await commitGate.reached;
      // ...the janitor, seeing it due, starts to claim it and stalls too...
      clock.now += 200;
      const claimGate = kv.holdNext();
      const reclaim = gc.reclaimIntentsOnce();
      await claimGate.reached;
      // ...the commit lands first, so the claim conflicts, retries and finds the intent consumed.
      commitGate.release();
      await put;
      claimGate.release();
      expect(await reclaim).toBe(0);
      expect(blob.deletedIntents).toEqual([]);
      expect((await svc.getObject({ bucket: 'b', key: 'k' }, ctx)).data).toMatchObject({ kind: 'chunks' });
    });
  });

  describe('recorded intent chunks (remote-minted ids)', () => {
    it('the janitor deletes every recorded chunk of an abandoned intent before the intent, across pages', async () => {
      const { svc, blob, gc, clock, mem } = setup();
      const { intentId } = await svc.createWriteIntent({ ttlMs: 100 }, ctx);
      const ids = Array.from({ length: 7 }, (_, k) => `sw1:${k + 1},0a0b0c0d0e`);
      await svc.recordIntentChunks({ intentId, chunkIds: ids.slice(0, 4) }, ctx);
      await svc.recordIntentChunks({ intentId, chunkIds: ids.slice(4) }, ctx);
      clock.now += 200;
      expect(await gc.reclaimIntentsOnce()).toBe(1);
      expect(blob.deletedChunks.sort()).toEqual([...ids].sort());
      expect(blob.deletedIntents).toEqual([intentId]);
      const snap = await mem.snapshot();
      expect(await snap.scan(Buffer.from('I'), Buffer.from('J'))).toEqual([]); // nothing of the intent is left
      snap.close();
      await expect(svc.recordIntentChunks({ intentId, chunkIds: ['x'] }, ctx)).rejects.toMatchObject({ code: 'IntentExpired' });
    });

    it('a commit consumes the records and queues recorded chunks it does not reference for GC', async () => {
      const { svc, blob, gc, clock, kv } = setup();
      await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
      const { intentId } = await svc.createWriteIntent({ ttlMs: 100 }, ctx);
      await svc.recordIntentChunks({ intentId, chunkIds: ['kept', 'abandoned-fid'] }, ctx);
      const chunks = [{ id: 'kept', size: 1 }];
      await svc.putObject({ bucket: 'b', key: 'k', data: { kind: 'chunks', manifest: { size: 1, chunks }, intentId }, size: 1, etag: 'e', headers }, ctx);
      expect(await gcQueue(kv)).toEqual(['abandoned-fid']);
      clock.now += 5000;
      expect(await gc.reclaimIntentsOnce()).toBe(0);
      await gc.collectOnce();
      expect(blob.deletedChunks).toEqual(['abandoned-fid']);
      expect(chunkIds(await svc.getObject({ bucket: 'b', key: 'k' }, ctx))).toEqual(['kept']);
    });

    it('a claim that wins a race with recordIntentChunks makes the record fail IntentExpired', async () => {
      const { svc, gc, clock, kv, blob } = setup();
      const { intentId } = await svc.createWriteIntent({ ttlMs: 100 }, ctx);
      const gate = kv.holdNext();
      const rec = svc.recordIntentChunks({ intentId, chunkIds: ['late'] }, ctx);
      await gate.reached;
      clock.now += 200;
      expect(await gc.reclaimIntentsOnce()).toBe(1);
      gate.release();
      await expect(rec).rejects.toMatchObject({ code: 'IntentExpired' });
      expect(blob.deletedChunks).toEqual([]);
    });
  });

  it('runs both loops on a timer until stopped', async () => {
    const { svc, blob, clock } = setup();
    const gc = new GarbageCollector({ kv: svc.kv, blob, clock: () => clock.now, intervalMs: 5 });
    await svc.createWriteIntent({ ttlMs: 1 }, ctx);
    clock.now += 10;
    gc.start();
    for (let i = 0; i < 100 && blob.deletedIntents.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await gc.stop();
    expect(blob.deletedIntents).toHaveLength(1);
  });

  describe('one runner at a time (GC lease in the KV)', () => {
    it('only the lease holder collects; a clean stop hands over at once, a dead holder after the lease', async () => {
      const { svc, blob, clock, kv } = setup();
      const opts = { kv, blob, clock: () => clock.now, leaseMs: 30_000 };
      const a = new GarbageCollector({ ...opts, holderId: 'replica-a', registry: new Registry() });
      const b = new GarbageCollector({ ...opts, holderId: 'replica-b', registry: new Registry() });
      await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
      await putChunks(svc, 'k');
      await svc.deleteObject({ bucket: 'b', key: 'k' }, ctx);
      clock.now += 5000;

      expect(await b.runOnce()).toEqual({ chunksDeleted: 2, intentsReclaimed: 0 }); // b takes the free lease
      await putChunks(svc, 'k');
      await svc.deleteObject({ bucket: 'b', key: 'k' }, ctx);
      clock.now += 5000;
      expect(await a.runOnce()).toEqual({ chunksDeleted: 0, intentsReclaimed: 0 }); // held by b
      expect(await gcQueue(kv)).toHaveLength(2);

      await b.stop(); // releases
      expect(await a.runOnce()).toEqual({ chunksDeleted: 2, intentsReclaimed: 0 });

      // a "dies" holding the lease: b waits until it expires, then takes over.
      await putChunks(svc, 'k');
      await svc.deleteObject({ bucket: 'b', key: 'k' }, ctx);
      clock.now += 5000;
      expect((await b.runOnce()).chunksDeleted).toBe(0);
      clock.now += 30_000;
      expect((await b.runOnce()).chunksDeleted).toBe(2);
      expect(await gcQueue(kv)).toEqual([]);
    });

    it('a holder that lost its lease mid-pass stops between batches', async () => {
      const { svc, blob, clock, kv } = setup();
      const a = new GarbageCollector({ kv, blob, clock: () => clock.now, batchSize: 2, leaseMs: 30_000, holderId: 'a', registry: new Registry() });
      await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
      for (const k of ['k1', 'k2', 'k3']) {
        await putChunks(svc, k);
        await svc.deleteObject({ bucket: 'b', key: k }, ctx);
      }
      clock.now += 5000;
      expect(await a.lease.acquire(ctx)).toBe(true);
      clock.now += 29_500; // past our own safety margin: keep() must renew, and someone else took it meanwhile
      const thief = new GarbageCollector({ kv, blob, clock: () => clock.now + 1000, holderId: 'thief', registry: new Registry() });
      expect(await thief.lease.acquire(ctx)).toBe(true);
      expect(await a.collectOnce(ctx, () => a.lease.keep(ctx))).toBe(0);
      expect(blob.deletedChunks).toEqual([]);
    });
  });

  it('exports the backlog: queued chunks and their age, open intents and how overdue they are', async () => {
    const { svc, gc, clock, registry } = setup();
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    await putChunks(svc, 'k');
    await svc.deleteObject({ bucket: 'b', key: 'k' }, ctx);
    await svc.createWriteIntent({ ttlMs: 100 }, ctx);
    clock.now += 4000;
    await gc.observeBacklog();
    const value = async (name: string) => (await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values[0]?.value;
    expect(await value('metadata_gc_backlog_chunks')).toBe(2);
    expect(await value('metadata_gc_backlog_oldest_age_seconds')).toBe(4);
    expect(await value('metadata_intents_open')).toBe(1);
    expect(await value('metadata_intents_overdue_seconds')).toBeCloseTo(3.9, 5);
    await gc.runOnce();
    await gc.observeBacklog();
    expect(await value('metadata_gc_backlog_chunks')).toBe(0);
    expect(await value('metadata_intents_open')).toBe(0);
    expect(await value('metadata_intents_overdue_seconds')).toBe(0);
    expect(await value('metadata_gc_leader')).toBe(1);
  });
});
