import { createHash } from 'node:crypto';
import type { CallCtx } from '@massive/contracts';
import { prefixEnd } from '@massive/kv';
import { MemoryKv } from '@massive/kv/testing';
import { decodeGcKey, gcPrefix } from '../keys/keys';
import { MetadataService } from '../metadata-service';

const ctx: CallCtx = { requestId: 'lww' };
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/**
 * Issue 7, "last writer wins": unconditional writes of one key must never fail because other writes
 * raced them. The KV here widens every race (each read and each commit waits), so without the per-key
 * turn-taking most of these writers would exhaust their conflict retries and fail with Conflict
 * (SlowDown to the S3 client).
 */
describe('plain writes of one key under contention', () => {
  it('96 writers with a delay between read and commit: every PUT and DELETE succeeds, nothing leaks', async () => {
    const kv = new MemoryKv({ delays: { readMs: 1, commitMs: 2 } });
    const api = new MetadataService({ kv, retry: { maxAttempts: 10 } });
    await api.createBucket({ name: 'hot-bucket', region: 'us-east-1', owner: { id: 'o', displayName: 'o' } }, ctx);
    const chunksWritten = new Set<string>();
    const ops = Array.from({ length: 96 }, async (_, i) => {
      if (i % 6 === 5) return void (await api.deleteObject({ bucket: 'hot-bucket', key: 'k' }, ctx));
      const { intentId } = await api.createWriteIntent({ ttlMs: 60_000 }, ctx);
      const chunks = [{ id: `c${i}a`, size: 10 }, { id: `c${i}b`, size: 5 }];
      chunks.forEach((c) => chunksWritten.add(c.id));
      await api.putObject(
        { bucket: 'hot-bucket', key: 'k', data: { kind: 'chunks', intentId, manifest: { size: 15, chunks } }, size: 15, etag: md5(`w${i}`), headers: { userMetadata: {} } },
        ctx,
      );
    });
    const outcomes = await Promise.allSettled(ops);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);

    // Every chunk is either referenced by the final object or queued for GC, exactly once.
    const final = await api.getObject({ bucket: 'hot-bucket', key: 'k' }, ctx).catch(() => undefined);
    const live = final?.data.kind === 'chunks' ? final.data.manifest.chunks.map((c) => c.id) : [];
    const snap = await kv.snapshot();
    const queued = (await snap.scan(gcPrefix(), prefixEnd(gcPrefix()), {})).map((p) => decodeGcKey(p.key).chunkId);
    snap.close();
    expect([...live, ...queued].sort()).toEqual([...chunksWritten].sort());
  });

  it('two metadata replicas on one KV: their writers of one key meet as conflicts, and still all succeed', async () => {
    const kv = new MemoryKv({ delays: { readMs: 1, commitMs: 2 } });
    const replicas = [new MetadataService({ kv }), new MetadataService({ kv })];
    await replicas[0].createBucket({ name: 'hot-bucket', region: 'us-east-1', owner: { id: 'o', displayName: 'o' } }, ctx);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 64 }, (_, i) => {
        const bytes = Buffer.from(`writer ${i}`);
        return replicas[i % 2].putObject(
          { bucket: 'hot-bucket', key: 'k', data: { kind: 'inline', bytes }, size: bytes.length, etag: md5(`writer ${i}`), headers: { userMetadata: {} } },
          ctx,
        );
      }),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(kv.stats().conflicts).toBeGreaterThan(0); // the race was real
  });
});
