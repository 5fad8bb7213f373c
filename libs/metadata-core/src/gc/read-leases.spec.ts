import type { MetadataApi, ObjectVersion } from '@massive/contracts';
import { MemoryKv } from '@massive/kv/testing';
import { Registry } from 'prom-client';
import { FakeBlob, GatedKv, gcQueue } from '../../test/helpers';
import { MetadataService } from '../metadata-service';
import { GarbageCollector } from './collector';
import { GC_CLAIM_TTL_MS } from './read-lease-gate';

const ctx = { requestId: 't' };
const owner = { id: 'o', displayName: 'o' };
const headers = { userMetadata: {} };

function setup() {
  const kv = new GatedKv(new MemoryKv());
  const clock = { now: 1_000_000 };
  const registry = new Registry();
  const svc = new MetadataService({ kv, clock: () => clock.now, gcGraceMs: 1000, registry });
  const blob = new FakeBlob();
  const gc = new GarbageCollector({ kv, blob, clock: () => clock.now, registry });
  return { kv, clock, svc, blob, gc, registry };
}

let n = 0;
async function putChunks(api: MetadataApi, key: string): Promise<ObjectVersion> {
  const { intentId } = await api.createWriteIntent({ ttlMs: 60_000 }, ctx);
  const chunks = [0, 1].map(() => ({ id: `c${n++}`, size: 5 }));
  return api.putObject({ bucket: 'b', key, data: { kind: 'chunks', manifest: { size: 10, chunks }, intentId }, size: 10, etag: 'e', headers }, ctx);
}
const ids = (v: ObjectVersion): string[] => (v.data.kind === 'chunks' ? v.data.manifest.chunks.map((c) => c.id) : []);

/** Issue 7: a reader never loses its chunks to GC while it holds (and renews) a read lease. */
describe('read leases hold a version against the collector', () => {
  it('postpones the chunks of a leased version past the grace, and collects them once the lease lapses', async () => {
    const { svc, gc, clock, blob, registry } = setup();
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    const v1 = await putChunks(svc, 'k');
    const lease = await svc.leaseVersion({ versionId: v1.versionId, ttlMs: 10_000 }, ctx); // a long GET of v1
    await putChunks(svc, 'k'); // overwritten meanwhile

    clock.now += 5000; // past the grace, within the lease
    expect(await gc.collectOnce()).toBe(0);
    expect(blob.deletedChunks).toEqual([]);
    const postponed = (await registry.getMetricsAsJSON()).find((m) => m.name === 'metadata_gc_postponed_total');
    expect(postponed?.values[0].value).toBe(2);

    // The reader renews while it streams: the chunks wait again.
    clock.now += 4000;
    const renewed = await svc.leaseVersion({ versionId: v1.versionId, leaseId: lease.leaseId, ttlMs: 10_000 }, ctx);
    expect(renewed.leaseId).toBe(lease.leaseId);
    clock.now += 2000; // first lease's due has come; the renewal holds
    expect(await gc.collectOnce()).toBe(0);

    // It finishes and releases: collected at once on the next due pass.
    await svc.releaseVersionLease({ versionId: v1.versionId, leaseId: lease.leaseId }, ctx);
    await svc.releaseVersionLease({ versionId: v1.versionId, leaseId: lease.leaseId }, ctx); // idempotent
    clock.now += 10_000;
    expect(await gc.collectOnce()).toBe(2);
    expect(blob.deletedChunks.sort()).toEqual(ids(v1).sort());
  });

  it('in one pass over many versions, claimed together, only the leased ones wait', async () => {
    const { svc, gc, clock, blob } = setup();
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    const old: ObjectVersion[] = [];
    for (let i = 0; i < 40; i++) old.push(await putChunks(svc, `k${i}`));
    const leased = old.filter((_, i) => i % 3 === 1);
    for (const v of leased) await svc.leaseVersion({ versionId: v.versionId, ttlMs: 60_000 }, ctx);
    for (let i = 0; i < 40; i++) await putChunks(svc, `k${i}`); // every old version unlinked
    clock.now += 5000;
    await gc.collectOnce();
    const free = old.filter((v) => !leased.includes(v));
    expect(blob.deletedChunks.sort()).toEqual(free.flatMap(ids).sort());
  });

  it('once the collector has claimed a version, no lease on it can be taken or renewed', async () => {
    const { svc, gc, clock, blob } = setup();
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    const v1 = await putChunks(svc, 'k');
    const stale = await svc.leaseVersion({ versionId: v1.versionId, ttlMs: 500 }, ctx);
    await svc.deleteObject({ bucket: 'b', key: 'k' }, ctx);
    clock.now += 2000; // the reader stalled: its lease lapsed before the grace ended
    expect(await gc.collectOnce()).toBe(2);
    expect(blob.deletedChunks).toHaveLength(2);
    await expect(svc.leaseVersion({ versionId: v1.versionId, ttlMs: 10_000 }, ctx)).rejects.toMatchObject({ code: 'NoSuchVersion' });
    await expect(svc.leaseVersion({ versionId: v1.versionId, leaseId: stale.leaseId, ttlMs: 10_000 }, ctx)).rejects.toMatchObject({
      code: 'NoSuchVersion',
    });
  });

  it('a lease and a claim racing on one version serialize: the one that commits second sees the first', async () => {
    const { svc, gc, clock, blob, kv } = setup();
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    const v1 = await putChunks(svc, 'k');
    await putChunks(svc, 'k');
    clock.now += 5000;
    // The lease transaction reads "no claim" and stalls before committing...
    const gate = kv.holdNext();
    const lease = svc.leaseVersion({ versionId: v1.versionId, ttlMs: 10_000 }, ctx);
    await gate.reached;
    // ...the collector claims the version and deletes its chunks meanwhile...
    expect(await gc.collectOnce()).toBe(2);
    gate.release();
    // ...so the lease conflicts on the claim key, retries, and is refused: the reader stops cleanly.
    await expect(lease).rejects.toMatchObject({ code: 'NoSuchVersion' });
    expect(blob.deletedChunks).toHaveLength(2);

    // The other order: the lease commits first, so the claim sees it and postpones.
    const v3 = await putChunks(svc, 'k2');
    await svc.deleteObject({ bucket: 'b', key: 'k2' }, ctx);
    clock.now += 5000;
    const claimGate = kv.holdNext();
    const pass = gc.collectOnce();
    await claimGate.reached;
    const lease2 = svc.leaseVersion({ versionId: v3.versionId, ttlMs: 60_000 }, ctx);
    await lease2;
    claimGate.release();
    expect(await pass).toBe(0);
    expect(blob.deletedChunks.filter((id) => ids(v3).includes(id))).toEqual([]);
    expect(await gcQueue(kv)).toHaveLength(2);
  });

  it('the janitor drops lapsed leases and forgets old claims', async () => {
    const { svc, gc, clock, kv } = setup();
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    const v1 = await putChunks(svc, 'k');
    await svc.leaseVersion({ versionId: v1.versionId, ttlMs: 100 }, ctx); // a reader that crashed
    const live = await svc.leaseVersion({ versionId: v1.versionId, ttlMs: 60_000 }, ctx);
    clock.now += 200;
    expect(await gc.reapLeasesOnce()).toBe(1);
    await svc.deleteObject({ bucket: 'b', key: 'k' }, ctx);
    await svc.releaseVersionLease({ versionId: v1.versionId, leaseId: live.leaseId }, ctx);
    clock.now += 2000;
    expect(await gc.collectOnce()).toBe(2); // claims v1
    clock.now += GC_CLAIM_TTL_MS + 1;
    expect(await gc.reapLeasesOnce()).toBe(1); // the claim index entry (the claim record goes with it)
    const left = await kv.snapshot();
    const rest = await left.scan(Buffer.from([0x52]), Buffer.from([0x53]));
    left.close();
    expect(rest).toEqual([]);
  });
});
