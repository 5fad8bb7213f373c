import { ServiceError, type MetadataApi } from '@massive/contracts';
import { decodeBucketEncryption, encodeBucketEncryption } from '../access/stored-documents';
import { BucketEncryptionCache } from './bucket-encryption';

const ctx = { requestId: 'r' };
const AES = encodeBucketEncryption({ SSEAlgorithm: 'AES256' });

/** A metadata double answering getBucketConfig from a map (a bucket absent from it does not exist), counting calls. */
function fakeMetadata(docs: Map<string, string | undefined | Error>): { api: MetadataApi; calls: () => number; kinds: string[][] } {
  let calls = 0;
  const kinds: string[][] = [];
  const api = {
    getBucketConfig: async (req: { bucket: string; kinds: string[] }) => {
      calls++;
      kinds.push(req.kinds);
      if (!docs.has(req.bucket)) throw new ServiceError('NoSuchBucket', 'no bucket');
      const d = docs.get(req.bucket);
      if (d instanceof Error) throw d;
      return { bucket: { name: req.bucket }, documents: d === undefined ? {} : { encryption: d } };
    },
  } as unknown as MetadataApi;
  return { api, calls: () => calls, kinds };
}

describe('stored encryption document', () => {
  it('is versioned JSON, BucketKeyEnabled false when the rule had none', () => {
    expect(AES).toBe('{"v":1,"a":"AES256","bk":false}');
    expect(encodeBucketEncryption({ SSEAlgorithm: 'AES256', BucketKeyEnabled: true })).toBe('{"v":1,"a":"AES256","bk":true}');
  });

  it('round-trips', () => {
    expect(decodeBucketEncryption(AES)).toEqual({ SSEAlgorithm: 'AES256', BucketKeyEnabled: false });
    expect(decodeBucketEncryption(encodeBucketEncryption({ SSEAlgorithm: 'AES256', BucketKeyEnabled: true }))).toEqual({ SSEAlgorithm: 'AES256', BucketKeyEnabled: true });
  });

  it.each(['', 'null', '[]', '{}', '{"v":2,"a":"AES256","bk":false}', '{"v":1,"a":"aws:kms","bk":false}', '{"v":1,"a":"AES256"}', '{"v":1,"a":"AES256","bk":"true"}'])(
    'refuses a damaged document %j (an error, never "no encryption")',
    (d) => expect(() => decodeBucketEncryption(d)).toThrow('stored encryption document is unreadable'),
  );
});

// TTL, shared lookups, eviction and the detached lookup ctx: bucket-lookups.spec.ts.
describe('BucketEncryptionCache', () => {
  let now = 0;
  const opts = { ttlMs: 5000, maxEntries: 2, now: () => now };
  beforeEach(() => (now = 1000));

  it('answers AES256 for a bucket with a default, undefined for one without, reading only the encryption document', async () => {
    const { api, kinds } = fakeMetadata(new Map([['enc', AES], ['plain', undefined]]));
    const cache = new BucketEncryptionCache(api, opts);
    expect(await cache.defaultAlgorithm('enc', ctx)).toBe('AES256');
    expect(await cache.defaultAlgorithm('plain', ctx)).toBeUndefined();
    expect(kinds).toEqual([['encryption'], ['encryption']]);
  });

  it('serves a stale answer within the TTL; invalidate() (this gateway\'s Put/Delete) makes the next lookup fresh', async () => {
    const docs = new Map<string, string | undefined>([['b', undefined]]);
    const { api, calls } = fakeMetadata(docs);
    const cache = new BucketEncryptionCache(api, opts);
    expect(await cache.defaultAlgorithm('b', ctx)).toBeUndefined();
    docs.set('b', AES);
    expect(await cache.defaultAlgorithm('b', ctx)).toBeUndefined();
    cache.invalidate('b');
    expect(await cache.defaultAlgorithm('b', ctx)).toBe('AES256');
    docs.set('b', undefined);
    cache.invalidate('b');
    expect(await cache.defaultAlgorithm('b', ctx)).toBeUndefined();
    expect(calls()).toBe(3);
  });

  it('a damaged document, a missing bucket and a failed lookup are errors, and none is cached', async () => {
    const docs = new Map<string, string | undefined | Error>([['bad', '{"v":9}'], ['down', new Error('unavailable')]]);
    const { api, calls } = fakeMetadata(docs);
    const cache = new BucketEncryptionCache(api, opts);
    await expect(cache.defaultAlgorithm('bad', ctx)).rejects.toThrow('stored encryption document is unreadable');
    await expect(cache.defaultAlgorithm('nope', ctx)).rejects.toMatchObject({ code: 'NoSuchBucket' });
    await expect(cache.defaultAlgorithm('down', ctx)).rejects.toThrow('unavailable');
    docs.set('bad', AES);
    docs.set('nope', undefined);
    docs.set('down', AES);
    expect(await cache.defaultAlgorithm('bad', ctx)).toBe('AES256');
    expect(await cache.defaultAlgorithm('nope', ctx)).toBeUndefined();
    expect(await cache.defaultAlgorithm('down', ctx)).toBe('AES256');
    expect(calls()).toBe(6);
  });
});
