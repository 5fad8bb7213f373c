import { ServiceError, type MetadataApi } from '@massive/contracts';
import { BucketWriteDefaults } from '../../http/bucket-write-defaults';
import type { S3ApiDeps, S3Request } from '../../types';
import { deleteBucketEncryption } from './delete-bucket-encryption';

const ctx = { requestId: 'r' };

describe('DeleteBucketEncryption', () => {
  function setup(doc: string | undefined) {
    const docs = new Map<string, string | undefined>([['b', doc]]);
    const puts: unknown[] = [];
    const metadata = {
      getBucketConfig: async ({ bucket }: { bucket: string }) => {
        const d = docs.get(bucket);
        return { bucket: { name: bucket }, documents: d === undefined ? {} : { encryption: d } };
      },
      putBucketConfig: async (req: { bucket: string; kind: string; document?: string }) => {
        if (!docs.has(req.bucket)) throw new ServiceError('NoSuchBucket', 'no bucket');
        puts.push(req);
        docs.set(req.bucket, req.document);
      },
    } as unknown as MetadataApi;
    const cache = new BucketWriteDefaults(metadata, { ttlMs: 60_000, maxEntries: 10 });
    // No master keys: removing a default never needs them.
    const deps = { metadata, writeDefaults: cache } as unknown as S3ApiDeps;
    const req = { headers: {}, ctx } as unknown as S3Request;
    const del = (bucket: string) => deleteBucketEncryption({ name: 'DeleteBucketEncryption', bucket }, req, deps);
    return { metadata, cache, puts, del };
  }

  it('removes the document (204) and drops this gateway\'s cached default at once', async () => {
    const { cache, puts, del } = setup('{"v":1,"a":"AES256","bk":false}');
    expect((await cache.defaultEncryption('b', ctx))?.algorithm).toBe('AES256');
    await expect(del('b')).resolves.toEqual({ status: 204 });
    expect(puts).toEqual([{ bucket: 'b', kind: 'encryption' }]);
    expect((await cache.defaultEncryption('b', ctx))?.algorithm).toBeUndefined();
  });

  it('is 204 when the bucket has none (as S3), and NoSuchBucket for a missing bucket', async () => {
    const { del } = setup(undefined);
    await expect(del('b')).resolves.toEqual({ status: 204 });
    await expect(del('b')).resolves.toEqual({ status: 204 });
    await expect(del('nope')).rejects.toMatchObject({ code: 'NoSuchBucket' });
  });
});
