import type { MetadataApi } from '@massive/contracts';
import { ctx, newBucket, putInline, type ContractEnv } from './fixtures';

const utf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The listing S3 defines, computed naively: sorted entries (keys and rolled-up prefixes). */
export function modelListing(keys: readonly string[], prefix: string, delimiter: string | undefined): string[] {
  const out: string[] = [];
  for (const k of [...keys].sort(utf8)) {
    if (!k.startsWith(prefix)) continue;
    const cut = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
    const entry = cut >= 0 ? k.slice(0, cut + (delimiter?.length ?? 0)) : k;
    if (out[out.length - 1] !== entry) out.push(entry);
  }
  return out;
}

/** Walks every page (resuming from nextMarker) and returns the entries in order. */
async function walk(api: MetadataApi, bucket: string, prefix: string, delimiter: string | undefined, maxKeys: number) {
  const entries: string[] = [];
  let startAfter: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const res = await api.listObjects({ bucket, prefix, delimiter, maxKeys, ...(startAfter !== undefined && { startAfter }) }, ctx);
    const got = [...res.objects.map((o) => o.key), ...res.commonPrefixes].sort(utf8);
    expect(got.length).toBeLessThanOrEqual(maxKeys);
    entries.push(...got);
    if (!res.isTruncated) return entries;
    expect(res.nextMarker).toBe(got[got.length - 1]);
    startAfter = res.nextMarker;
  }
  throw new Error('listing never ended');
}

const KEYS = [
  'a', 'a/', 'a/b', 'a/b/c', 'a/b/d', 'a//x', 'a/c', 'ab', 'b', 'b/x/y', 'b/x/z', 'c\u0000', 'c', 'c/\u0000',
  'd-1', 'd-2', 'd--x', 'é/1', 'é/2', '日本/語', 'z', 'zz/zz/zz',
];

export function listingContract(env: () => ContractEnv): void {
  describe('listObjects', () => {
    it('lists summaries in UTF-8 order', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      for (const k of ['b', 'a', 'é', 'z']) await putInline(api, bucket, k, `${k}!`);
      const res = await api.listObjects({ bucket, maxKeys: 1000 }, ctx);
      expect(res.objects.map((o) => o.key)).toEqual(['a', 'b', 'z', 'é']);
      expect(res.objects[0]).toMatchObject({ key: 'a', size: 2 });
      expect(res.isTruncated).toBe(false);
      expect(res.commonPrefixes).toEqual([]);
    });

    it('matches the model for every prefix, delimiter and page size, walking all pages', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      for (const k of KEYS) await putInline(api, bucket, k);
      for (const prefix of ['', 'a', 'a/', 'b/x', 'c', 'd', 'nothing']) {
        for (const delimiter of [undefined, '/', '-', '--', 'b/']) {
          const want = modelListing(KEYS, prefix, delimiter);
          for (const maxKeys of [1, 2, 3, 1000]) {
            expect(await walk(api, bucket, prefix, delimiter, maxKeys)).toEqual(want);
          }
        }
      }
    });

    it('honours startAfter and maxKeys 0', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      for (const k of ['a', 'b', 'c']) await putInline(api, bucket, k);
      const res = await api.listObjects({ bucket, startAfter: 'a', maxKeys: 1000 }, ctx);
      expect(res.objects.map((o) => o.key)).toEqual(['b', 'c']);
      const zero = await api.listObjects({ bucket, maxKeys: 0 }, ctx);
      expect(zero.objects).toEqual([]);
      expect(zero.commonPrefixes).toEqual([]);
      const trunc = await api.listObjects({ bucket, maxKeys: 2 }, ctx);
      expect(trunc).toMatchObject({ isTruncated: true, nextMarker: 'b' });
    });

    it('sees writes and deletes at once (list-after-write)', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await putInline(api, bucket, 'x');
      expect((await api.listObjects({ bucket, maxKeys: 10 }, ctx)).objects.map((o) => o.key)).toEqual(['x']);
      await api.deleteObject({ bucket, key: 'x' }, ctx);
      expect((await api.listObjects({ bucket, maxKeys: 10 }, ctx)).objects).toEqual([]);
    });
  });
}
