import type { MetadataApi, ObjectVersion } from '@massive/contracts';
import { prefixEnd } from '@massive/kv';
import { MemoryKv } from '@massive/kv/testing';
import { CountingKv, gcQueue } from '../../test/helpers';
import { bucketKey, gcPrefix, keyVersionsPrefix, latestMarkerKey, objectKey } from '../keys/keys';
import { MetadataService } from '../metadata-service';
import { codecs, type BucketRecord } from '../model/records';

const ctx = { requestId: 't' };
const owner = { id: 'o', displayName: 'o' };
const headers = { userMetadata: {} };

let n = 0;
async function putChunks(api: MetadataApi, key: string): Promise<ObjectVersion> {
  const { intentId } = await api.createWriteIntent({ ttlMs: 60_000 }, ctx);
  const chunks = [0, 1].map(() => ({ id: `c${n++}`, size: 5 }));
  return api.putObject({ bucket: 'b', key, data: { kind: 'chunks', manifest: { size: 10, chunks }, intentId }, size: 10, etag: 'e', headers }, ctx);
}
const chunkIds = (v: ObjectVersion): string[] => (v.data.kind === 'chunks' ? v.data.manifest.chunks.map((c) => c.id) : []);
const sorted = (a: string[]): string[] => [...a].sort();

describe('versioning and the GC queue', () => {
  it('queues a version\'s chunks exactly when it stops being a version, tagged with its id', async () => {
    const kv = new MemoryKv();
    const svc = new MetadataService({ kv, gcGraceMs: 0 });
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    await svc.putBucketVersioning({ bucket: 'b', status: 'Enabled' }, ctx);
    const v1 = await putChunks(svc, 'k');
    const v2 = await putChunks(svc, 'k');
    await svc.deleteObject({ bucket: 'b', key: 'k' }, ctx); // a marker unlinks nothing
    expect(await gcQueue(kv)).toEqual([]);

    await svc.deleteObject({ bucket: 'b', key: 'k', versionId: v1.versionId }, ctx);
    expect(sorted(await gcQueue(kv))).toEqual(sorted(chunkIds(v1)));
    const snap = await kv.snapshot();
    const entries = await snap.scan(gcPrefix(), prefixEnd(gcPrefix()));
    snap.close();
    expect(entries.map((e) => codecs.gc.decodeValue(e.value).versionId)).toEqual([v1.versionId, v1.versionId]);

    await svc.putBucketVersioning({ bucket: 'b', status: 'Suspended' }, ctx);
    const n1 = await putChunks(svc, 'k'); // the first null version: replaces nothing
    expect(sorted(await gcQueue(kv))).toEqual(sorted(chunkIds(v1)));
    const n2 = await putChunks(svc, 'k'); // replaces n1
    expect(sorted(await gcQueue(kv))).toEqual(sorted([...chunkIds(v1), ...chunkIds(n1)]));
    await svc.deleteObject({ bucket: 'b', key: 'k' }, ctx); // the null marker replaces n2
    expect(sorted(await gcQueue(kv))).toEqual(sorted([...chunkIds(v1), ...chunkIds(n1), ...chunkIds(n2)]));
    await svc.deleteObject({ bucket: 'b', key: 'k', versionId: v2.versionId }, ctx);
    expect(sorted(await gcQueue(kv))).toEqual(sorted([...chunkIds(v1), ...chunkIds(n1), ...chunkIds(n2), ...chunkIds(v2)]));
    // Only the two markers are left (the null one, then the first), and they have no data.
    const left = (await svc.listObjectVersions({ bucket: 'b', maxKeys: 10 }, ctx)).versions;
    expect(left.map((v) => `${v.versionId === 'null' ? 'null' : 'id'}${v.deleteMarker ? ' marker' : ''}`)).toEqual(['null marker', 'id marker']);
  });
});

describe('versioning cost', () => {
  it('a key with 1,500 versions costs nothing to pages of other keys, nor to a GET of its latest', async () => {
    const mem = new MemoryKv();
    const kv = new CountingKv(mem);
    const svc = new MetadataService({ kv });
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    await svc.putBucketVersioning({ bucket: 'b', status: 'Enabled' }, ctx);
    const put = (key: string) => svc.putObject({ bucket: 'b', key, data: { kind: 'inline', bytes: Buffer.from('x') }, size: 1, etag: 'e', headers }, ctx);
    for (const k of ['a', 'b', 'c']) await put(k);
    for (let i = 0; i < 1500; i++) await put('heavy/one');
    for (const k of ['m', 'n', 'o', 'p']) await put(k);

    kv.scanned = 0;
    const afterHeavy = await svc.listObjectVersions({ bucket: 'b', keyMarker: 'heavy/one', maxKeys: 3 }, ctx);
    expect(afterHeavy.versions.map((v) => v.key)).toEqual(['m', 'n', 'o']);
    expect(kv.scanned).toBeLessThanOrEqual(4); // the page and one look-ahead

    kv.scanned = 0;
    const rolled = await svc.listObjectVersions({ bucket: 'b', delimiter: '/', maxKeys: 1000 }, ctx);
    expect(rolled.versions.map((v) => v.key)).toEqual(['a', 'b', 'c', 'm', 'n', 'o', 'p']);
    expect(rolled.commonPrefixes).toEqual(['heavy/']);
    expect(kv.scanned).toBeLessThan(150); // one delimited batch per prefix, never 1,500

    kv.scanned = 0;
    const flat = await svc.listObjects({ bucket: 'b', maxKeys: 1000 }, ctx);
    expect(flat.objects).toHaveLength(8);
    expect(kv.scanned).toBeLessThanOrEqual(9); // O holds one record per key, whatever its versions

    kv.scanned = 0;
    kv.scans = 0;
    await svc.getObject({ bucket: 'b', key: 'heavy/one' }, ctx);
    expect(kv.scans).toBe(0); // O then V: two point reads
  });

  it('ListObjects stays O(page) over a prefix full of delete markers', async () => {
    const mem = new MemoryKv();
    const kv = new CountingKv(mem);
    const svc = new MetadataService({ kv });
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    await svc.putBucketVersioning({ bucket: 'b', status: 'Enabled' }, ctx);
    for (let i = 0; i < 500; i++) await svc.deleteObject({ bucket: 'b', key: `gone/${String(i).padStart(4, '0')}` }, ctx);
    await svc.putObject({ bucket: 'b', key: 'gone/zz', data: { kind: 'inline', bytes: Buffer.from('x') }, size: 1, etag: 'e', headers }, ctx);
    kv.scanned = 0;
    const page = await svc.listObjects({ bucket: 'b', prefix: 'gone/', maxKeys: 10 }, ctx);
    expect(page.objects.map((o) => o.key)).toEqual(['gone/zz']);
    expect(kv.scanned).toBeLessThanOrEqual(1);
  });
});

describe('versioned writes find the latest version with point reads (D)', () => {
  const inline = (key: string) => ({ bucket: 'b', key, data: { kind: 'inline' as const, bytes: Buffer.from('x') }, size: 1, etag: 'e', headers });

  async function setup(clock?: () => number) {
    const mem = new MemoryKv();
    const kv = new CountingKv(mem);
    const svc = new MetadataService({ kv, ...(clock && { clock }) });
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    await svc.putBucketVersioning({ bucket: 'b', status: 'Enabled' }, ctx);
    return { kv, svc };
  }

  it('a versioned PUT of a new key, of an existing key and over a delete marker scans nothing', async () => {
    const { kv, svc } = await setup();
    kv.scans = 0;
    await svc.putObject(inline('new'), ctx);
    expect(kv.scans).toBe(0);
    await svc.putObject(inline('new'), ctx);
    expect(kv.scans).toBe(0);
    await svc.deleteObject({ bucket: 'b', key: 'new' }, ctx); // a marker on an object
    await svc.deleteObject({ bucket: 'b', key: 'new' }, ctx); // a marker on a marker
    await svc.deleteObject({ bucket: 'b', key: 'never' }, ctx); // a marker on nothing
    expect(kv.scans).toBe(0);
    await svc.putObject(inline('new'), ctx); // over the markers
    await expect(svc.getObject({ bucket: 'b', key: 'never' }, ctx)).rejects.toMatchObject({ code: 'NoSuchKey', detail: { deleteMarker: 'true' } });
    expect(kv.scans).toBe(0);
    await svc.putBucketVersioning({ bucket: 'b', status: 'Suspended' }, ctx);
    kv.scans = 0;
    await svc.putObject(inline('new'), ctx);
    await svc.putObject(inline('fresh'), ctx);
    await svc.deleteObject({ bucket: 'b', key: 'fresh' }, ctx); // a null marker
    await svc.putObject(inline('fresh'), ctx);
    expect(kv.scans).toBe(0);
  });

  it('a clock that went back still gives a new version an id above the latest delete marker', async () => {
    let now = 2_000_000_000_000;
    const { svc } = await setup(() => now);
    await svc.putObject(inline('k'), ctx);
    const marker = await svc.deleteObject({ bucket: 'b', key: 'k' }, ctx);
    now -= 60_000;
    const v = await svc.putObject(inline('k'), ctx);
    const listed = (await svc.listObjectVersions({ bucket: 'b', maxKeys: 10 }, ctx)).versions;
    expect(listed.map((e) => e.versionId)).toEqual([v.s3VersionId, marker.versionId, expect.any(String)]);
    expect(listed[0]).toMatchObject({ isLatest: true });
    now -= 60_000;
    const m2 = await svc.deleteObject({ bucket: 'b', key: 'never' }, ctx);
    now -= 60_000;
    const m3 = await svc.deleteObject({ bucket: 'b', key: 'never' }, ctx);
    const never = (await svc.listObjectVersions({ bucket: 'b', prefix: 'never', maxKeys: 10 }, ctx)).versions;
    expect(never.map((e) => e.versionId)).toEqual([m3.versionId, m2.versionId]);
  });

  it('after any sequence of writes, O and D say exactly what the newest V is', async () => {
    const { kv, svc } = await setup();
    const keys = ['a', 'b', 'c'];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let step = 0; step < 400; step++) {
      const key = keys[rnd(keys.length)];
      const op = rnd(10);
      if (op < 4) await svc.putObject(inline(key), ctx);
      else if (op < 6) await svc.deleteObject({ bucket: 'b', key }, ctx);
      else if (op < 9) {
        const versions = (await svc.listObjectVersions({ bucket: 'b', prefix: key, maxKeys: 1000 }, ctx)).versions;
        if (versions.length > 0) await svc.deleteObject({ bucket: 'b', key, versionId: versions[rnd(versions.length)].versionId }, ctx);
      } else await svc.putBucketVersioning({ bucket: 'b', status: rnd(2) ? 'Enabled' : 'Suspended' }, ctx);
      await expectConsistent(kv, key);
    }
  });
});

/** O exists iff the newest V is an object (and names it); D iff it is a marker (and names it). */
async function expectConsistent(kv: CountingKv, key: string): Promise<void> {
  const snap = await kv.snapshot();
  try {
    const bucket: BucketRecord = codecs.bucket.decodeValue((await snap.get(bucketKey('b')))!);
    const prefix = keyVersionsPrefix(bucket.id, key);
    const [newest] = (await snap.scan(prefix, prefixEnd(prefix), { limit: 1 })).map((p) => codecs.version.decodeValue(p.value));
    const [o, d] = await snap.batchGet([objectKey(bucket.id, key), latestMarkerKey(bucket.id, key)]);
    expect({ o: o && codecs.object.decodeValue(o).versionId, d: d && codecs.latestMarker.decodeValue(d) }).toEqual({
      o: newest && !newest.deleteMarker ? newest.versionId : undefined,
      d: newest?.deleteMarker ? { versionId: newest.versionId, ...(newest.versioned && { versioned: true }) } : undefined,
    });
  } finally {
    snap.close();
  }
}
