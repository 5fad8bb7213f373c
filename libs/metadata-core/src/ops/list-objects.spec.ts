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
