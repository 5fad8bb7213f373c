import { encodeLifecycleConfiguration, ServiceError, type MetadataApi, type ObjectVersion } from '@massive/contracts';
import { expirationHeaders, LifecycleRulesCache } from './lifecycle-expiration';

const ctx = { requestId: 't' };
const doc = encodeLifecycleConfiguration({
  rules: [
    { id: 'logs rule', status: 'Enabled', filter: { kind: 'prefix', prefix: 'logs/' }, expiration: { days: 3 } },
    { id: 'off', status: 'Disabled', filter: { kind: 'all' }, expiration: { days: 1 } },
  ],
});

function fakeMetadata(answer: () => Promise<{ documents: { lifecycle?: string } }>) {
  const calls: string[] = [];
  const api = {
    getBucketConfig: (req: { bucket: string }) => {
      calls.push(req.bucket);
      return answer();
    },
  } as unknown as MetadataApi;
  return { api, calls };
}

const version = (key: string): ObjectVersion => ({ key, size: 1, lastModified: Date.UTC(2014, 0, 15, 10, 30), headers: { userMetadata: {} } }) as unknown as ObjectVersion;

describe('x-amz-expiration', () => {
  it('names the earliest enabled rule that expires the object, at the midnight after creation + Days', async () => {
    const { api } = fakeMetadata(async () => ({ documents: { lifecycle: doc } }));
    const rules = await new LifecycleRulesCache(api).rules('b', ctx);
    expect(expirationHeaders(rules, version('logs/a'))).toEqual({
      'x-amz-expiration': 'expiry-date="Sun, 19 Jan 2014 00:00:00 GMT", rule-id="logs%20rule"',
    });
    expect(expirationHeaders(rules, version('other'))).toEqual({}); // only a disabled rule matches
  });

  it('asks the metadata service once per bucket per TTL; forget() drops the entry; failures mean no header', async () => {
    const now = { t: 0 };
    let fail = false;
    const { api, calls } = fakeMetadata(async () => {
      if (fail) throw new ServiceError('Unavailable', 'down');
      return { documents: {} };
    });
    const cache = new LifecycleRulesCache(api, { ttlMs: 1000, maxEntries: 2, now: () => now.t });
    await cache.rules('a', ctx);
    await cache.rules('a', ctx);
    expect(calls).toEqual(['a']);
    now.t = 1001;
    fail = true;
    expect(await cache.rules('a', ctx)).toEqual([]);
    expect(calls).toEqual(['a', 'a']);
    cache.forget('a');
    await cache.rules('a', ctx);
    expect(calls).toHaveLength(3);
    await cache.rules('b', ctx);
    await cache.rules('c', ctx); // bounded: 'a' is evicted
    await cache.rules('a', ctx);
    expect(calls).toEqual(['a', 'a', 'a', 'b', 'c', 'a']);
  });
});
