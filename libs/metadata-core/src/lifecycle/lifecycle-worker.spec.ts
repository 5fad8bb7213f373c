import { encodeLifecycleConfiguration } from '@massive/contracts';
import { MemoryKv } from '@massive/kv/testing';
import { describeLifecycleScenarios } from '../testing/lifecycle-scenarios';
import { MetadataService } from '../metadata-service';
import { LifecycleWorker } from './lifecycle-worker';

describeLifecycleScenarios('MetadataService on MemoryKv', async (clock) => {
  const kv = new MemoryKv();
  return { api: new MetadataService({ kv, clock, gcGraceMs: 1000 }), kv, cleanup: async () => undefined };
});

describe('lifecycle worker: an unreadable configuration', () => {
  it('is reported and skipped; the walk goes on to the next bucket', async () => {
    const kv = new MemoryKv();
    const now = { t: Date.UTC(2026, 0, 1) };
    const svc = new MetadataService({ kv, clock: () => now.t });
    const ctx = { requestId: 't' };
    const owner = { id: 'o', displayName: 'o' };
    for (const b of ['a-broken', 'b-fine']) {
      await svc.createBucket({ name: b, region: 'r', owner }, ctx);
      await svc.putObject({ bucket: b, key: 'k', data: { kind: 'inline', bytes: Buffer.from('x') }, size: 1, etag: 'e', headers: { userMetadata: {} } }, ctx);
    }
    await svc.putBucketConfig({ bucket: 'a-broken', kind: 'lifecycle', document: '<not json>' }, ctx);
    const rules = { rules: [{ id: 'r', status: 'Enabled' as const, filter: { kind: 'all' as const }, expiration: { days: 1 } }] };
    await svc.putBucketConfig({ bucket: 'b-fine', kind: 'lifecycle', document: encodeLifecycleConfiguration(rules) }, ctx);
    const errors: unknown[] = [];
    const w = new LifecycleWorker({ kv, clock: () => now.t, onError: (e) => errors.push(e) });
    now.t += 3 * 86_400_000;
    expect((await w.runCycle(ctx)).expired).toBe(1);
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringContaining('a-broken') })]);
    expect((await svc.listObjects({ bucket: 'a-broken', maxKeys: 10 }, ctx)).objects).toHaveLength(1);
    expect((await svc.listObjects({ bucket: 'b-fine', maxKeys: 10 }, ctx)).objects).toHaveLength(0);
  });
});
