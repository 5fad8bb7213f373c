import { MemoryKv } from '@massive/kv/testing';
import { CountingKv } from '../../test/helpers';
import { MetadataService } from '../metadata-service';

const ctx = { requestId: 't' };

describe('listObjectVersions with a delimiter', () => {
  it('reads about one pair per common prefix, however many versions sit below it', async () => {
    const kv = new CountingKv(new MemoryKv());
    const svc = new MetadataService({ kv });
    await svc.createBucket({ name: 'v', region: 'r', owner: { id: 'o', displayName: 'o' } }, ctx);
    await svc.putBucketVersioning({ bucket: 'v', status: 'Enabled' }, ctx);
    const dir = (d: number) => `d${String(d).padStart(3, '0')}/`;
    for (let d = 0; d < 300; d++) {
      for (const k of ['a', 'b', 'a']) {
        await svc.putObject({ bucket: 'v', key: `${dir(d)}${k}`, size: 1, etag: 'e', headers: { userMetadata: {} }, data: { kind: 'inline', bytes: Buffer.from('x') } }, ctx);
      }
    }
    await svc.putObject({ bucket: 'v', key: 'top', size: 1, etag: 'e', headers: { userMetadata: {} }, data: { kind: 'inline', bytes: Buffer.from('x') } }, ctx);
    kv.scanned = 0;
    const page = await svc.listObjectVersions({ bucket: 'v', delimiter: '/', maxKeys: 1000 }, ctx);
    expect(page.commonPrefixes).toEqual(Array.from({ length: 300 }, (_, d) => dir(d)));
    expect(page.versions.map((v) => v.key)).toEqual(['top']);
    expect(page.isTruncated).toBe(false);
    expect(kv.scanned).toBeLessThanOrEqual(310); // a batch of 64 per prefix read ~19,000

    kv.scanned = 0;
    const cut = await svc.listObjectVersions({ bucket: 'v', delimiter: '/', maxKeys: 100, keyMarker: dir(99) }, ctx);
    expect(cut.commonPrefixes).toEqual(Array.from({ length: 100 }, (_, d) => dir(100 + d)));
    expect(cut).toMatchObject({ isTruncated: true, nextKeyMarker: dir(199) });
    expect(kv.scanned).toBeLessThanOrEqual(110);
  });
});
