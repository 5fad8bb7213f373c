import type { ObjectVersion } from '@massive/contracts';
import { MemoryKv } from '@massive/kv/testing';
import { Registry } from 'prom-client';
import { MetadataService } from '../src/metadata-service';
import { gcQueue } from './helpers';

const ctx = { requestId: 't' };
const owner = { id: 'o', displayName: 'o' };
const headers = { userMetadata: {} };

async function metric(reg: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await reg.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? []).find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

function setup(commitMs = 0) {
  const kv = new MemoryKv({ delays: { commitMs } });
  const registry = new Registry();
  const svc = new MetadataService({ kv, registry, retry: { maxAttempts: 100, baseDelayMs: 1, maxDelayMs: 5 } });
  return { kv, registry, svc };
}

let n = 0;
async function putChunks(svc: MetadataService, bucket: string, key: string): Promise<ObjectVersion> {
  const { intentId } = await svc.createWriteIntent({ ttlMs: 60_000 }, ctx);
  const chunks = [0, 1, 2].map(() => ({ id: `chunk-${n++}`, size: 1 }));
  return svc.putObject({ bucket, key, data: { kind: 'chunks', manifest: { size: 3, chunks }, intentId }, size: 3, etag: `e${n}`, headers }, ctx);
}
const ids = (v: ObjectVersion): string[] => (v.data.kind === 'chunks' ? v.data.manifest.chunks.map((c) => c.id) : []);

describe('conflicts and concurrency', () => {
  it('uploads parts of one upload in parallel without conflicts (each takes its own guard stripe)', async () => {
    const { registry, svc } = setup(5); // a slow commit widens every overlap
    await svc.createBucket({ name: 'mp', region: 'r', owner }, ctx);
    const up = await svc.createMultipartUpload({ bucket: 'mp', key: 'k', headers, owner }, ctx);
    const parts = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        const { intentId } = await svc.createWriteIntent({ ttlMs: 60_000 }, ctx);
        const manifest = { size: 1, chunks: [{ id: `part-${i}`, size: 1 }] };
        return svc.uploadPart({ bucket: 'mp', key: 'k', uploadId: up.uploadId, partNumber: i + 1, manifest, intentId, etag: `${i}`.padStart(32, '0') }, ctx);
      }),
    );
    expect(parts.map((p) => p.partNumber)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(await metric(registry, 'metadata_txn_restarts_total', { operation: 'UploadPart' })).toBe(0);
  });

  it('retries injected conflicts and counts them per operation', async () => {
    const { kv, registry, svc } = setup();
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    kv.failNextCommits(3);
    await putChunks(svc, 'b', 'k'); // the intent txn eats the injected failures first
    kv.failNextCommits(2);
    await svc.deleteObject({ bucket: 'b', key: 'k' }, ctx);
    expect(await metric(registry, 'metadata_txn_restarts_total', { operation: 'CreateWriteIntent' })).toBe(3);
    expect(await metric(registry, 'metadata_txn_restarts_total', { operation: 'DeleteObject' })).toBe(2);
    expect(await metric(registry, 'metadata_txn_total', { operation: 'DeleteObject', result: 'ok' })).toBe(1);
    kv.failNextCommits(1000);
    const svcStrict = new MetadataService({ kv, registry, retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 } });
    await expect(svcStrict.deleteBucket({ name: 'b' }, ctx)).rejects.toMatchObject({ code: 'Conflict' });
    expect(await metric(registry, 'metadata_txn_total', { operation: 'DeleteBucket', result: 'conflict' })).toBe(1);
  });

  it('serialises concurrent writers of one key: later commit wins, every replaced chunk is queued exactly once', async () => {
    const { kv, registry, svc } = setup(3);
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    const order: ObjectVersion[] = [];
    await Promise.all(Array.from({ length: 12 }, () => putChunks(svc, 'b', 'hot').then((v) => order.push(v))));
    const current = await svc.getObject({ bucket: 'b', key: 'hot' }, ctx);
    expect(current.versionId).toBe(order[order.length - 1].versionId);
    const replaced = order.slice(0, -1).flatMap(ids).sort();
    expect((await gcQueue(kv)).sort()).toEqual(replaced);
    // Writers of one key take turns on one process: no conflict, no restart (issue 7, last writer wins).
    expect(await metric(registry, 'metadata_txn_restarts_total', { operation: 'PutObject' })).toBe(0);
  });

  it('never lets DeleteBucket and a racing PutObject/CreateMultipartUpload both succeed', async () => {
    const { svc } = setup(2);
    for (let i = 0; i < 15; i++) {
      const name = `race-${i}`;
      await svc.createBucket({ name, region: 'r', owner }, ctx);
      const write =
        i % 2 === 0
          ? svc.putObject({ bucket: name, key: `k${i}`, data: { kind: 'inline', bytes: Buffer.from('x') }, size: 1, etag: 'e', headers }, ctx)
          : svc.createMultipartUpload({ bucket: name, key: `k${i}`, headers, owner }, ctx);
      const [w, d] = await Promise.allSettled([write, svc.deleteBucket({ name }, ctx)]);
      if (w.status === 'fulfilled') {
        expect(d).toMatchObject({ status: 'rejected', reason: { code: 'BucketNotEmpty' } });
        await expect(svc.getBucket({ name }, ctx)).resolves.toBeDefined();
      } else {
        expect(w.reason).toMatchObject({ code: 'NoSuchBucket' });
        expect(d.status).toBe('fulfilled');
      }
    }
  });

  it('never lands a part in an upload completed or aborted concurrently', async () => {
    const { svc, kv } = setup(2);
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    for (let i = 0; i < 10; i++) {
      const up = await svc.createMultipartUpload({ bucket: 'b', key: 'm', headers, owner }, ctx);
      const { intentId } = await svc.createWriteIntent({ ttlMs: 60_000 }, ctx);
      const id = `late-${i}`;
      const part = svc.uploadPart({ bucket: 'b', key: 'm', uploadId: up.uploadId, partNumber: 1, manifest: { size: 1, chunks: [{ id, size: 1 }] }, intentId, etag: 'e' }, ctx);
      const [p, a] = await Promise.allSettled([part, svc.abortMultipartUpload({ bucket: 'b', key: 'm', uploadId: up.uploadId }, ctx)]);
      expect(a.status).toBe('fulfilled');
      if (p.status === 'fulfilled') expect(await gcQueue(kv)).toContain(id); // aborted after: part GC'd
      else expect(p.reason).toMatchObject({ code: 'NoSuchUpload' });
    }
  });
});
