import { ServiceError, type MetadataApi } from '@massive/contracts';
import type { CorsRule } from '@massive/s3-protocol';
import { CorsRulesCache, decodeCorsDocument, encodeCorsDocument } from './cors-config';

const RULES: CorsRule[] = [{ id: 'a', allowedOrigins: ['http://a'], allowedMethods: ['GET'], allowedHeaders: ['*'], exposeHeaders: ['ETag'], maxAgeSeconds: 9 }];
const ctx = { requestId: 'r' };

/** A metadata double answering getBucketConfig from a map, counting calls. */
function fakeMetadata(docs: Map<string, string | undefined | Error>): { api: MetadataApi; calls: () => number } {
  let calls = 0;
  const api = {
    getBucketConfig: async ({ bucket }: { bucket: string }) => {
      calls++;
      if (!docs.has(bucket)) throw new ServiceError('NoSuchBucket', 'no bucket');
      const d = docs.get(bucket);
      if (d instanceof Error) throw d;
      return { bucket: { name: bucket }, documents: d === undefined ? {} : { cors: d } };
    },
  } as unknown as MetadataApi;
  return { api, calls: () => calls };
}

describe('CORS document', () => {
  it('round-trips rules', () => expect(decodeCorsDocument(encodeCorsDocument(RULES))).toEqual(RULES));
  it.each(['{}', '{"v":2,"rules":[]}', '{"v":1,"rules":[{"allowedOrigins":["*"],"allowedMethods":["PATCH"],"allowedHeaders":[],"exposeHeaders":[]}]}'])(
    'refuses a damaged document %s',
    (d) => expect(() => decodeCorsDocument(d)).toThrow(),
  );
});

describe('CorsRulesCache', () => {
  let now = 0;
  const opts = { ttlMs: 5000, maxEntries: 2, now: () => now };
  beforeEach(() => (now = 1000));

  it('asks metadata once per TTL and bucket, sharing concurrent lookups', async () => {
    const { api, calls } = fakeMetadata(new Map([['b', encodeCorsDocument(RULES)]]));
    const cache = new CorsRulesCache(api, opts);
    const [x, y] = await Promise.all([cache.rules('b', ctx), cache.rules('b', ctx)]);
    expect(x).toEqual(RULES);
    expect(y).toEqual(RULES);
    now += 4999;
    await cache.rules('b', ctx);
    expect(calls()).toBe(1);
    now += 1;
    await cache.rules('b', ctx);
    expect(calls()).toBe(2);
  });

  it('invalidate() makes the next lookup fresh', async () => {
    const docs = new Map<string, string | undefined>([['b', undefined]]);
    const { api, calls } = fakeMetadata(docs);
    const cache = new CorsRulesCache(api, opts);
    expect(await cache.rules('b', ctx)).toBeUndefined();
    docs.set('b', encodeCorsDocument(RULES));
    expect(await cache.rules('b', ctx)).toBeUndefined();
    cache.invalidate('b');
    expect(await cache.rules('b', ctx)).toEqual(RULES);
    expect(calls()).toBe(2);
  });

  it('a missing bucket has no rules; a failed lookup is not cached', async () => {
    const docs = new Map<string, string | undefined | Error>([['down', new Error('unavailable')]]);
    const { api, calls } = fakeMetadata(docs);
    const cache = new CorsRulesCache(api, opts);
    expect(await cache.rules('nope', ctx)).toBeUndefined();
    await expect(cache.rules('down', ctx)).rejects.toThrow('unavailable');
    docs.set('down', encodeCorsDocument(RULES));
    expect(await cache.rules('down', ctx)).toEqual(RULES);
    expect(calls()).toBe(3);
  });

  it('keeps at most maxEntries buckets, dropping the oldest', async () => {
    const { api, calls } = fakeMetadata(new Map([['a', undefined], ['b', undefined], ['c', undefined]]));
    const cache = new CorsRulesCache(api, opts);
    for (const b of ['a', 'b', 'c', 'c', 'b']) await cache.rules(b, ctx);
    expect(calls()).toBe(3);
    await cache.rules('a', ctx);
    expect(calls()).toBe(4);
  });
});
