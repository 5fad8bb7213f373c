import type { CallCtx, ChunkRef } from '@massive/contracts';
import type { KvSnapshot, KvStore, KvTxn } from '@massive/kv';
import { MemoryKv } from '@massive/kv/testing';
import { GarbageCollector } from '../src/gc/collector';
import { MetadataService } from '../src/metadata-service';
import { FakeBlob, gcQueue } from './helpers';

const ctx: CallCtx = { requestId: 'huge' };
const MiB = 1024 * 1024;
/** TiKV's limits: txn-entry-size-limit (one key + value) 6 MiB; a raft entry (raft-entry-max-size) 8 MiB. */
const TIKV_ENTRY_LIMIT = 6 * MiB;
const TIKV_RAFT_ENTRY = 8 * MiB;

/** Refuses what TiKV would refuse, and records the largest entry, transaction and read of each op. */
class TikvLimitsKv implements KvStore {
  largestEntry = 0;
  largestTxn = 0;
  lastTxnBytes = 0;
  keysRead = 0;
  constructor(private readonly inner: KvStore) {}

  txn<T>(fn: (tx: KvTxn) => Promise<T>): Promise<T> {
    let bytes = 0;
    return this.inner
      .txn((tx) =>
        fn({
          get: (k) => (this.keysRead++, tx.get(k)),
          batchGet: (ks) => ((this.keysRead += ks.length), tx.batchGet(ks)),
          scan: async (s, e, o) => {
            const r = await tx.scan(s, e, o);
            this.keysRead += r.length;
            return r;
          },
          put: (k, v) => {
            const entry = k.length + v.length;
            if (entry > TIKV_ENTRY_LIMIT) throw new Error(`entry of ${entry} bytes is past TiKV's txn-entry-size-limit`);
            this.largestEntry = Math.max(this.largestEntry, entry);
            bytes += entry;
            tx.put(k, v);
          },
          delete: (k) => ((bytes += k.length), tx.delete(k)),
          lock: (k) => ((bytes += k.length), tx.lock(k)),
        }),
      )
      .then((out) => {
        this.lastTxnBytes = bytes;
        this.largestTxn = Math.max(this.largestTxn, bytes);
        return out;
      });
  }

  async snapshot(): Promise<KvSnapshot> {
    const snap = await this.inner.snapshot();
    return {
      get: (k) => (this.keysRead++, snap.get(k)),
      batchGet: (ks) => ((this.keysRead += ks.length), snap.batchGet(ks)),
      scan: async (s, e, o) => {
        const r = await snap.scan(s, e, o);
        this.keysRead += r.length;
        return r;
      },
      close: () => snap.close(),
    };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * Issue 7: the largest object S3 allows — 5 TiB in 10,000 parts, 8 MiB chunks, 655,360 chunk ids —
 * completes within TiKV's entry limits, HEAD reads two keys, a range read loads one part's manifest,
 * and an overwrite queues one GC entry; the collector still deletes every chunk. No byte is written:
 * the parts' manifests are made up.
 */
describe('a 5 TiB, 10,000-part object on metadata within TiKV limits', () => {
  it('completes, reads, overwrites and is collected without any record or transaction growing with it', async () => {
    const kv = new TikvLimitsKv(new MemoryKv());
    const clock = { now: 1_000_000 };
    const api = new MetadataService({ kv, clock: () => clock.now, gcGraceMs: 1000 });
    const blob = new FakeBlob();
    const gc = new GarbageCollector({ kv, blob, clock: () => clock.now, holderId: 'gc' });
    const owner = { id: 'o', displayName: 'o' };
    await api.createBucket({ name: 'huge', region: 'us-east-1', owner }, ctx);
    const up = await api.createMultipartUpload({ bucket: 'huge', key: 'k', headers: { userMetadata: {} }, owner }, ctx);

    const total = 5 * 1024 ** 4;
    const parts = 10_000;
    const partSize = Math.floor(total / parts); // 549,755,813 bytes: 66 chunks of up to 8 MiB
    let chunks = 0;
    const etags: { partNumber: number; etag: string }[] = [];
    for (let n = 1; n <= parts; n++) {
      const size = n === parts ? total - partSize * (parts - 1) : partSize;
      const { intentId } = await api.createWriteIntent({ ttlMs: 3600_000 }, ctx);
      const refs: ChunkRef[] = [];
      for (let off = 0, seq = 0; off < size; off += 8 * MiB, seq++) refs.push({ id: `@blob-3/${intentId}.${seq}`, size: Math.min(8 * MiB, size - off) });
      chunks += refs.length;
      const etag = n.toString(16).padStart(32, '0');
      await api.uploadPart({ bucket: 'huge', key: 'k', uploadId: up.uploadId, partNumber: n, manifest: { size, chunks: refs }, intentId, etag }, ctx);
      etags.push({ partNumber: n, etag });
    }
    expect(chunks).toBeGreaterThanOrEqual(655_360);

    const v = await api.completeMultipartUpload({ bucket: 'huge', key: 'k', uploadId: up.uploadId, parts: etags, minPartSize: 5 * MiB }, ctx);
    expect(v.size).toBe(total);
    expect(v.etag).toMatch(/-10000$/);
    const completeTxn = kv.lastTxnBytes;
    expect(completeTxn).toBeLessThan(TIKV_RAFT_ENTRY);
    expect(kv.largestEntry).toBeLessThan(TIKV_ENTRY_LIMIT);

    // HEAD / GET: the bucket, the object pointer and the version record, not 655k chunk ids.
    kv.keysRead = 0;
    const head = await api.getObject({ bucket: 'huge', key: 'k' }, ctx);
    expect(kv.keysRead).toBe(3);
    expect(head.data).toEqual({ kind: 'parts', uploadId: up.uploadId });
    // A range in the last part loads that part's manifest alone.
    kv.keysRead = 0;
    const [last] = await api.getPartManifests({ uploadId: up.uploadId, partNumbers: [parts] }, ctx);
    expect(kv.keysRead).toBe(1);
    expect(last.size).toBe(total - partSize * (parts - 1));

    // Overwrite: one queue entry for the whole multipart version, a transaction of a few KiB.
    const bytes = Buffer.from('small');
    await api.putObject({ bucket: 'huge', key: 'k', data: { kind: 'inline', bytes }, size: 5, etag: 'e', headers: { userMetadata: {} } }, ctx);
    expect(kv.lastTxnBytes).toBeLessThan(64 * 1024);
    expect(await gcQueue(kv)).toHaveLength(1);

    clock.now += 2000;
    await gc.collectOnce();
    expect(blob.deletedChunks).toHaveLength(chunks);
    expect(await gcQueue(kv)).toEqual([]);
    process.stdout.write(
      `5 TiB / 10,000 parts / ${chunks} chunks: Complete txn ${(completeTxn / MiB).toFixed(2)} MiB, largest entry ${(kv.largestEntry / 1024).toFixed(0)} KiB, largest txn ${(kv.largestTxn / MiB).toFixed(2)} MiB\n`,
    );
  }, 120_000);
});
