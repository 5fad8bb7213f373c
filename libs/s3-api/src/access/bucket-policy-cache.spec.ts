import { ServiceError, type MetadataApi } from '@massive/contracts';
import { parseBucketPolicy } from '@massive/s3-protocol';
import { BucketPolicyCache } from './bucket-policy-cache';
import { encodeBucketPolicy } from './bucket-policy-document';

const OWNER = { id: 'a'.repeat(64), displayName: 'o' };
const ctx = { requestId: 'r' };
const TEXT = JSON.stringify({ Statement: { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' } });

function cache(answer: () => Promise<unknown>, maxEntries = 10): { c: BucketPolicyCache; reads: () => number } {
  let reads = 0;
  const metadata = { getBucketConfig: () => (reads++, answer()) } as unknown as MetadataApi;
  return { c: new BucketPolicyCache(metadata, { ttlMs: 1000, maxEntries, now: () => 0 }), reads: () => reads };
}

describe('BucketPolicyCache', () => {
  it('concurrent lookups share one read; peek answers once it settled', async () => {
    const doc = encodeBucketPolicy(TEXT, parseBucketPolicy(TEXT, 'b'));
    const { c, reads } = cache(async () => ({ bucket: { owner: OWNER }, documents: { policy: doc } }));
    expect(c.peek('b')).toBeUndefined();
    const [x, y] = await Promise.all([c.get('b', ctx), c.get('b', ctx)]);
    expect(x).toBe(y);
    expect(reads()).toBe(1);
    expect(c.peek('b')).toMatchObject({ owner: OWNER, isPublic: true, restrictPublicBuckets: false });
  });

  it('a failed lookup is not cached', async () => {
    let fail = true;
    const { c, reads } = cache(async () => {
      if (fail) throw new ServiceError('Unavailable', 'down');
      return { bucket: { owner: OWNER }, documents: {} };
    });
    await expect(c.get('b', ctx)).rejects.toMatchObject({ code: 'Unavailable' });
    fail = false;
    await expect(c.get('b', ctx)).resolves.toMatchObject({ owner: OWNER });
    expect(reads()).toBe(2);
  });

  it('keeps at most maxEntries buckets (the oldest goes)', async () => {
    const { c, reads } = cache(async () => ({ bucket: { owner: OWNER }, documents: {} }), 2);
    for (const b of ['a', 'b', 'c']) await c.get(b, ctx);
    expect(c.peek('a')).toBeUndefined();
    expect(c.peek('c')).toBeDefined();
    expect(reads()).toBe(3);
  });

  it('a corrupt stored document is a server fault, never "no policy"', async () => {
    const { c } = cache(async () => ({ bucket: { owner: OWNER }, documents: { policy: '{"v":9}' } }));
    await expect(c.get('b', ctx)).rejects.toThrow(/unreadable/);
  });
});
