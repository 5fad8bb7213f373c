import { createHash } from 'node:crypto';
import { prefixEnd } from '@massive/kv';
import { MemoryKv } from '@massive/kv/testing';
import { Registry } from 'prom-client';
import { GarbageCollector } from '../gc/collector';
import { bucketKey, versionPrefix } from '../keys/keys';
import { MetadataService } from '../metadata-service';
import { codecs } from '../model/records';
import { readBucketUsage } from './bucket-usage';

const ctx = { requestId: 't' };
const owner = { id: 'o', displayName: 'o' };
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

async function usageOf(kv: MemoryKv, bucket: string) {
  const s = await kv.snapshot();
  try {
    const raw = await s.get(bucketKey(bucket));
    return await readBucketUsage(s, codecs.bucket.decodeValue(raw!));
  } finally {
    s.close();
  }
}

/** The truth, the slow way: every V record of the bucket that is not a delete marker. */
async function scanned(kv: MemoryKv, bucket: string) {
  const s = await kv.snapshot();
  try {
    const b = codecs.bucket.decodeValue((await s.get(bucketKey(bucket)))!);
    const p = versionPrefix(b.id);
    const versions = (await s.scan(p, prefixEnd(p))).map((x) => codecs.version.decodeValue(x.value)).filter((v) => !v.deleteMarker);
    return { objects: versions.length, bytes: versions.reduce((n, v) => n + v.size, 0) };
  } finally {
    s.close();
  }
}

function put(svc: MetadataService, bucket: string, key: string, size: number) {
  const bytes = Buffer.alloc(size, 7);
  return svc.putObject({ bucket, key, data: { kind: 'inline', bytes }, size, etag: md5(bytes), headers: { userMetadata: {} } }, ctx);
}

describe('bucket usage, counted in the guard stripes', () => {
  it('follows PUT, overwrite, DELETE, versions, markers and version deletes exactly', async () => {
    const kv = new MemoryKv();
    const svc = new MetadataService({ kv });
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    expect(await usageOf(kv, 'b')).toEqual({ objects: 0, bytes: 0 });
    await put(svc, 'b', 'a', 10);
    await put(svc, 'b', 'a', 30); // replaces the null version
    await put(svc, 'b', 'c', 5);
    expect(await usageOf(kv, 'b')).toEqual({ objects: 2, bytes: 35 });
    await svc.deleteObject({ bucket: 'b', key: 'c' }, ctx);
    expect(await usageOf(kv, 'b')).toEqual({ objects: 1, bytes: 30 });

    await svc.putBucketVersioning({ bucket: 'b', status: 'Enabled' }, ctx);
    const v2 = await put(svc, 'b', 'a', 100);
    await svc.deleteObject({ bucket: 'b', key: 'a' }, ctx); // a marker: nothing removed
    expect(await usageOf(kv, 'b')).toEqual({ objects: 2, bytes: 130 });
    await svc.deleteObject({ bucket: 'b', key: 'a', versionId: v2.versionId }, ctx);
    expect(await usageOf(kv, 'b')).toEqual({ objects: 1, bytes: 30 });
    await svc.putBucketVersioning({ bucket: 'b', status: 'Suspended' }, ctx);
    await put(svc, 'b', 'a', 7); // replaces the null version (30)
    expect(await usageOf(kv, 'b')).toEqual({ objects: 1, bytes: 7 });
    await svc.deleteObject({ bucket: 'b', key: 'a' }, ctx); // Suspended: a null marker replaces it
    expect(await usageOf(kv, 'b')).toEqual({ objects: 0, bytes: 0 });
  });

  it('matches a full scan after a random mix of writes on every versioning state', async () => {
    const kv = new MemoryKv();
    const svc = new MetadataService({ kv });
    await svc.createBucket({ name: 'r', region: 'r', owner }, ctx);
    let seed = 42;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const ids: { key: string; versionId?: string }[] = [];
    for (let step = 0; step < 400; step++) {
      if (step === 120) await svc.putBucketVersioning({ bucket: 'r', status: 'Enabled' }, ctx);
      if (step === 260) await svc.putBucketVersioning({ bucket: 'r', status: 'Suspended' }, ctx);
      const key = `k${rand(12)}`;
      const op = rand(10);
      if (op < 5) {
        const v = await put(svc, 'r', key, rand(500));
        ids.push({ key, versionId: v.s3VersionId });
      } else if (op < 8) {
        await svc.deleteObject({ bucket: 'r', key }, ctx);
      } else if (ids.length > 0) {
        const t = ids[rand(ids.length)];
        await svc.deleteObject({ bucket: 'r', key: t.key, ...(t.versionId && { versionId: t.versionId }) }, ctx).catch(() => undefined);
      }
      if (step % 50 === 49) expect(await usageOf(kv, 'r')).toEqual(await scanned(kv, 'r'));
    }
    expect(await usageOf(kv, 'r')).toEqual(await scanned(kv, 'r'));
  });

  it('exports per-bucket gauges from the GC leader, and drops the series of a deleted bucket', async () => {
    const kv = new MemoryKv();
    const registry = new Registry();
    const svc = new MetadataService({ kv, registry });
    const gc = new GarbageCollector({ kv, registry, blob: { deleteChunks: async () => undefined } as never });
    await svc.createBucket({ name: 'g1', region: 'r', owner }, ctx);
    await svc.createBucket({ name: 'g2', region: 'r', owner }, ctx);
    await put(svc, 'g1', 'x', 40);
    await put(svc, 'g1', 'y', 2);
    await gc.observeUsage();
    const text = await registry.metrics();
    expect(text).toContain('metadata_bucket_objects{bucket="g1"} 2');
    expect(text).toContain('metadata_bucket_bytes{bucket="g1"} 42');
    expect(text).toContain('metadata_bucket_objects{bucket="g2"} 0');
    await svc.deleteBucket({ name: 'g2' }, ctx);
    await gc.observeUsage();
    expect(await registry.metrics()).not.toContain('bucket="g2"');
  });
});
