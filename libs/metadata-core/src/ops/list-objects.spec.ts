import { MemoryKv } from '@massive/kv/testing';
import { CountingKv } from '../../test/helpers';
import { objectKey } from '../keys/keys';
import { MetadataService } from '../metadata-service';
import { codecs } from '../model/records';

const ctx = { requestId: 't' };

describe('listObjects cost', () => {
  it('is O(page): a common prefix over 10k keys is skipped with one seek', async () => {
    const mem = new MemoryKv();
    const kv = new CountingKv(mem);
    const svc = new MetadataService({ kv });
    const b = await svc.createBucket({ name: 'big', region: 'r', owner: { id: 'o', displayName: 'o' } }, ctx);
    // Seed 10k keys under "a/" (plus a few others) in one raw transaction: fast, same records as PutObject.
    await mem.txn(async (tx) => {
      const rec = codecs.object.encode({ versionId: '0'.repeat(32), size: 1, etag: 'e', lastModified: 0 });
      for (let i = 0; i < 10_000; i++) tx.put(objectKey(b.id, `a/${String(i).padStart(5, '0')}`), rec);
      for (const k of ['0', 'b', 'c/1', 'c/2', 'd']) tx.put(objectKey(b.id, k), rec);
    });

    kv.scanned = 0;
    const page = await svc.listObjects({ bucket: 'big', delimiter: '/', maxKeys: 1000 }, ctx);
    expect(page.objects.map((o) => o.key)).toEqual(['0', 'b', 'd']);
    expect(page.commonPrefixes).toEqual(['a/', 'c/']);
    expect(page.isTruncated).toBe(false);
    expect(kv.scanned).toBeLessThan(200); // one DELIMITED batch at most per emitted prefix, never 10k

    kv.scanned = 0;
    const first = await svc.listObjects({ bucket: 'big', delimiter: '/', maxKeys: 2 }, ctx);
    expect([...first.objects.map((o) => o.key), ...first.commonPrefixes]).toEqual(['0', 'a/']);
    expect(first).toMatchObject({ isTruncated: true, nextMarker: 'a/' });
    const second = await svc.listObjects({ bucket: 'big', delimiter: '/', maxKeys: 2, startAfter: 'a/' }, ctx);
    expect([...second.objects.map((o) => o.key), ...second.commonPrefixes]).toEqual(['b', 'c/']);
    expect(kv.scanned).toBeLessThan(200);

    // Without a delimiter a page reads about maxKeys + 1 pairs.
    kv.scanned = 0;
    const flat = await svc.listObjects({ bucket: 'big', prefix: 'a/', maxKeys: 100 }, ctx);
    expect(flat.objects).toHaveLength(100);
    expect(flat.isTruncated).toBe(true);
    expect(kv.scanned).toBeLessThanOrEqual(101);
  });
});

describe('listObjects with a delimiter reads about one pair per common prefix', () => {
  const rec = codecs.object.encode({ versionId: '0'.repeat(32), size: 1, etag: 'e', lastModified: 0 });
  async function seeded(keys: string[]) {
    const mem = new MemoryKv();
    const kv = new CountingKv(mem);
    const svc = new MetadataService({ kv });
    const b = await svc.createBucket({ name: 'dirs', region: 'r', owner: { id: 'o', displayName: 'o' } }, ctx);
    await mem.txn(async (tx) => {
      for (const k of keys) tx.put(objectKey(b.id, k), rec);
    });
    kv.scanned = 0;
    kv.scans = 0;
    return { svc, kv };
  }
  const dir = (d: number) => `d${String(d).padStart(4, '0')}/`;

  it('a page of 1,000 prefixes (20 keys under each) reads ~1,000 pairs, not a batch per prefix', async () => {
    const keys = Array.from({ length: 1000 * 20 }, (_, i) => `${dir(Math.floor(i / 20))}k${i % 20}`);
    const { svc, kv } = await seeded(keys);
    const page = await svc.listObjects({ bucket: 'dirs', delimiter: '/', maxKeys: 1000 }, ctx);
    expect(page.commonPrefixes).toEqual(Array.from({ length: 1000 }, (_, d) => dir(d)));
    expect(page).toMatchObject({ objects: [], isTruncated: false });
    expect(kv.scanned).toBeLessThanOrEqual(1001); // was 64 per prefix (64,000)

    kv.scanned = 0;
    const half = await svc.listObjects({ bucket: 'dirs', delimiter: '/', maxKeys: 500, startAfter: dir(199) }, ctx);
    expect(half.commonPrefixes).toEqual(Array.from({ length: 500 }, (_, d) => dir(200 + d)));
    expect(half).toMatchObject({ isTruncated: true, nextMarker: dir(699) });
    expect(kv.scanned).toBeLessThanOrEqual(502);
  });

  it('plain keys between prefixes are read in growing batches, all of them listed', async () => {
    const plain = Array.from({ length: 700 }, (_, i) => `m${String(i).padStart(4, '0')}`);
    const keys = [...['a/1', 'a/2', 'b/1'], ...plain, ...['n/1', 'n/2', 'o']];
    const { svc, kv } = await seeded(keys);
    const page = await svc.listObjects({ bucket: 'dirs', delimiter: '/', maxKeys: 1000 }, ctx);
    expect(page.commonPrefixes).toEqual(['a/', 'b/', 'n/']);
    expect(page.objects.map((o) => o.key)).toEqual([...plain, 'o']);
    expect(page.isTruncated).toBe(false);
    // Wasted reads (pairs after a prefix within a batch) stay below the pairs used; few scans.
    expect(kv.scanned).toBeLessThanOrEqual(2 * (plain.length + 4));
    expect(kv.scans).toBeLessThan(30);

    const cut = await svc.listObjects({ bucket: 'dirs', delimiter: '/', maxKeys: 300 }, ctx);
    expect([...cut.commonPrefixes, ...cut.objects.map((o) => o.key)]).toEqual(['a/', 'b/', ...plain.slice(0, 298)]);
    expect(cut).toMatchObject({ isTruncated: true, nextMarker: plain[297] });
  });
});
