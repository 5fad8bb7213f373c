import type { MetadataApi, ObjectVersion } from '@massive/contracts';
import { prefixEnd } from '@massive/kv';
import { MemoryKv } from '@massive/kv/testing';
import { CountingKv, gcQueue } from '../../test/helpers';
import { gcPrefix } from '../keys/keys';
import { MetadataService } from '../metadata-service';
import { codecs } from '../model/records';

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
