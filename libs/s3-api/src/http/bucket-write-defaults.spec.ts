import { ServiceError, type MetadataApi } from '@massive/contracts';
import { decodeBucketEncryption, encodeBucketEncryption, encodeObjectLock } from '../access/stored-documents';
import { BucketWriteDefaults } from './bucket-write-defaults';

const ctx = { requestId: 'r' };
const AES = encodeBucketEncryption({ SSEAlgorithm: 'AES256' });

/** A metadata double answering getBucketConfig from a map (a bucket absent from it does not exist), counting calls. */
function fakeMetadata(
  docs: Map<string, string | undefined | Error>,
  locks = new Map<string, string>(),
): { api: MetadataApi; calls: () => number; kinds: string[][] } {
  let calls = 0;
  const kinds: string[][] = [];
  const api = {
    getBucketConfig: async (req: { bucket: string; kinds: string[] }) => {
      calls++;
      kinds.push(req.kinds);
      if (!docs.has(req.bucket)) throw new ServiceError('NoSuchBucket', 'no bucket');
      const d = docs.get(req.bucket);
      if (d instanceof Error) throw d;
      const lock = locks.get(req.bucket);
      return {
        bucket: { name: req.bucket, ...(lock !== undefined && { objectLock: true }) },
        documents: { ...(d !== undefined && { encryption: d }), ...(lock !== undefined && lock !== '' && { objectLock: lock }) },
      };
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

  it.each(['', 'null', '[]', '{}', '{"v":2,"a":"AES256","bk":false}', '{"v":1,"a":"aws:kms:dsse","bk":false}', '{"v":1,"a":"AES256","k":"app","bk":false}', '{"v":1,"a":"aws:kms","k":7,"bk":false}', '{"v":1,"a":"AES256"}', '{"v":1,"a":"AES256","bk":"true"}'])(
    'refuses a damaged document %j (an error, never "no encryption")',
    (d) => expect(() => decodeBucketEncryption(d)).toThrow('stored encryption document is unreadable'),
  );
});

// TTL, shared lookups, eviction and the detached lookup ctx: bucket-lookups.spec.ts.
describe('BucketWriteDefaults', () => {
  let now = 0;
  const opts = { ttlMs: 5000, maxEntries: 2, now: () => now };
  beforeEach(() => (now = 1000));

  it('answers AES256 for a bucket with a default, undefined for one without, reading both documents in one lookup', async () => {
    const { api, kinds } = fakeMetadata(new Map([['enc', AES], ['plain', undefined]]));
    const cache = new BucketWriteDefaults(api, opts);
    expect((await cache.defaultEncryption('enc', ctx))?.algorithm).toBe('AES256');
    expect((await cache.defaultEncryption('plain', ctx))?.algorithm).toBeUndefined();
    expect(await cache.get('plain', ctx)).toEqual({});
    expect(kinds).toEqual([['encryption', 'objectLock'], ['encryption', 'objectLock']]);
  });

  it('Object Lock: present when the bucket has it (with or without a document), with its default retention', async () => {
    const locks = new Map([
      ['bare', ''], // the flag without a document: enabled, no default
      ['none', encodeObjectLock({ ObjectLockEnabled: 'Enabled' })],
      ['days', encodeObjectLock({ ObjectLockEnabled: 'Enabled', DefaultRetention: { Mode: 'COMPLIANCE', Days: 3 } })],
      ['years', encodeObjectLock({ ObjectLockEnabled: 'Enabled', DefaultRetention: { Mode: 'GOVERNANCE', Years: 1 } })],
    ]);
    const docs = new Map<string, string | undefined>([['bare', undefined], ['none', undefined], ['days', AES], ['years', undefined], ['plain', undefined]]);
    const cache = new BucketWriteDefaults(fakeMetadata(docs, locks).api, { ...opts, maxEntries: 10 });
    expect(await cache.get('bare', ctx)).toEqual({ objectLock: {} });
    expect(await cache.get('none', ctx)).toEqual({ objectLock: {} });
    expect(await cache.get('days', ctx)).toEqual({ sse: { algorithm: 'AES256', bucketKeyEnabled: false }, objectLock: { retention: { Mode: 'COMPLIANCE', Days: 3 } } });
    expect(await cache.get('years', ctx)).toEqual({ objectLock: { retention: { Mode: 'GOVERNANCE', Years: 1 } } });
    expect(await cache.get('plain', ctx)).toEqual({});
  });

  it.each(['{"v":1,"m":"GOVERNANCE"}', '{"v":1,"m":"X","d":1}', '{"v":1,"m":"COMPLIANCE","d":0}', '{"v":1,"m":"COMPLIANCE","d":1,"y":1}', '{"v":2}'])(
    'a damaged Object Lock document %j is an error, never "no default retention"',
    async (doc) => {
      const cache = new BucketWriteDefaults(fakeMetadata(new Map([['b', undefined]]), new Map([['b', doc]])).api, opts);
      await expect(cache.get('b', ctx)).rejects.toThrow('stored object lock document is unreadable');
    },
  );

  it('serves a stale answer within the TTL; invalidate() (this gateway\'s Put/Delete) makes the next lookup fresh', async () => {
    const docs = new Map<string, string | undefined>([['b', undefined]]);
    const { api, calls } = fakeMetadata(docs);
    const cache = new BucketWriteDefaults(api, opts);
    expect((await cache.defaultEncryption('b', ctx))?.algorithm).toBeUndefined();
    docs.set('b', AES);
    expect((await cache.defaultEncryption('b', ctx))?.algorithm).toBeUndefined();
    cache.invalidate('b');
    expect((await cache.defaultEncryption('b', ctx))?.algorithm).toBe('AES256');
    docs.set('b', undefined);
    cache.invalidate('b');
    expect((await cache.defaultEncryption('b', ctx))?.algorithm).toBeUndefined();
    expect(calls()).toBe(3);
  });

  it('a damaged document, a missing bucket and a failed lookup are errors, and none is cached', async () => {
    const docs = new Map<string, string | undefined | Error>([['bad', '{"v":9}'], ['down', new Error('unavailable')]]);
    const { api, calls } = fakeMetadata(docs);
    const cache = new BucketWriteDefaults(api, opts);
    await expect(cache.defaultEncryption('bad', ctx)).rejects.toThrow('stored encryption document is unreadable');
    await expect(cache.defaultEncryption('nope', ctx)).rejects.toMatchObject({ code: 'NoSuchBucket' });
    await expect(cache.defaultEncryption('down', ctx)).rejects.toThrow('unavailable');
    docs.set('bad', AES);
    docs.set('nope', undefined);
    docs.set('down', AES);
    expect((await cache.defaultEncryption('bad', ctx))?.algorithm).toBe('AES256');
    expect((await cache.defaultEncryption('nope', ctx))?.algorithm).toBeUndefined();
    expect((await cache.defaultEncryption('down', ctx))?.algorithm).toBe('AES256');
    expect(calls()).toBe(6);
  });
});
