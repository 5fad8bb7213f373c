import { createHash } from 'node:crypto';
import { prefixEnd, type KvSnapshot, type KvStore } from '@massive/kv';
import { guardKey, guardStripe, objectKey, objectPrefix, versionKey } from '../keys/keys';
import { codecs, type UsageRecord, type VersionRecord } from '../model/records';
import { decodeUsage, readBucketUsage } from '../ops/bucket-usage';
import { loadBucket } from '../ops/common';
import { timeSortableId } from '../ops/deps';
import { objectRecordOf } from '../ops/key-versions';

/**
 * Bulk-loads a bucket with millions of small objects straight through the KV, for the LIST benchmark
 * (`npm run bench -- --only listbig`): S3 PUTs would take hours for 10M keys. The records are the ones
 * PutObject commits for an unversioned bucket (key-versions.ts `commitVersion`): a V record with the
 * body inline, an O record made by `objectRecordOf`, and the bucket's usage in its guard stripes, so
 * GET, HEAD, LIST, DELETE, overwrite and usage work on them as on any object. Written in key order, in
 * large transactions (one flush each).
 *
 * Keys: `dir-DDDD/obj-FFFFF` with min(1000, n) top-level "directories" of equal size, so a listing
 * with delimiter `/` at the top level fills one page with common prefixes whatever n is, and a 1k-key
 * bucket (1,000 dirs of one key) and a 10M-key one (1,000 dirs of 10,000) compare page for page.
 * Object i's body is its key's UTF-8 bytes (ETag = MD5 of it), so a reader can check what it got.
 */
export const BIG_BUCKET_FORMAT = 1;
const TOP_LEVEL_DIRS = 1000;

export interface BigBucketLayout {
  readonly keys: number;
  readonly dirs: number;
  readonly perDir: number;
  /** The i-th key (0 <= i < keys), in listing order. */
  key(i: number): string;
}

export function bigBucketLayout(keys: number): BigBucketLayout {
  if (!Number.isSafeInteger(keys) || keys < 1) throw new Error(`a big bucket needs at least one key (got ${keys})`);
  const dirs = Math.min(TOP_LEVEL_DIRS, keys);
  const perDir = Math.ceil(keys / dirs);
  const width = Math.max(5, String(perDir - 1).length);
  return {
    keys,
    dirs: Math.ceil(keys / perDir),
    perDir,
    key: (i) => `dir-${String(Math.floor(i / perDir)).padStart(4, '0')}/obj-${String(i % perDir).padStart(width, '0')}`,
  };
}

/** Object i's body and its MD5 (the ETag). */
export function bigBucketBody(key: string): { body: Buffer; etag: string } {
  const body = Buffer.from(key, 'utf8');
  return { body, etag: createHash('md5').update(body).digest('hex') };
}

export interface FillOptions {
  /** An existing, empty, unversioned bucket. */
  readonly bucket: string;
  readonly keys: number;
  /** Objects per transaction (default 25,000: two records each). */
  readonly batch?: number;
  readonly clock?: () => number;
  /** Called after each committed batch with the number of objects written so far. */
  readonly onProgress?: (done: number) => void;
}

export interface FillResult {
  readonly keys: number;
  readonly transactions: number;
  readonly usage: UsageRecord;
}

/** Fills `bucket` with `keys` objects (see the file comment). Refuses a versioned or non-empty bucket. */
export async function fillBigBucket(kv: KvStore, opts: FillOptions): Promise<FillResult> {
  const layout = bigBucketLayout(opts.keys);
  const clock = opts.clock ?? Date.now;
  const batch = Math.max(1, opts.batch ?? 25_000);
  const bucket = await withSnapshot(kv, (s) => loadBucket(s, opts.bucket));
  if (bucket.versioning !== 'Unversioned') throw new Error(`bucket ${opts.bucket} has versioning ${bucket.versioning}: a big bucket must be unversioned`);
  const lowest = objectPrefix(bucket.id);
  const any = await withSnapshot(kv, (s) => s.scan(lowest, prefixEnd(lowest), { limit: 1 }));
  if (any.length > 0) throw new Error(`bucket ${opts.bucket} is not empty`);

  // Usage per guard stripe, added to the stripes in the last transaction.
  const stripes = new Map<number, { objects: number; bytes: number }>();
  const headers = { contentType: 'text/plain', userMetadata: {} };
  let transactions = 0;
  for (let from = 0; from < layout.keys; from += batch) {
    const to = Math.min(layout.keys, from + batch);
    const now = clock();
    await kv.txn(async (tx) => {
      const versions: [Buffer, Buffer][] = [];
      for (let i = from; i < to; i++) {
        const key = layout.key(i);
        const { body, etag } = bigBucketBody(key);
        const record: VersionRecord = { versionId: timeSortableId(now), size: body.length, etag, lastModified: now, headers };
        tx.put(objectKey(bucket.id, key), codecs.object.encode(objectRecordOf(record)));
        versions.push([versionKey(bucket.id, key, record.versionId), codecs.version.encode(record, body)]);
        const s = guardStripe(key);
        const u = stripes.get(s) ?? { objects: 0, bytes: 0 };
        u.objects += 1;
        u.bytes += body.length;
        stripes.set(s, u);
      }
      // O keys, then V keys, each run in key order: LMDB appends to two places, never at random.
      for (const [k, v] of versions) tx.put(k, v);
    });
    transactions++;
    opts.onProgress?.(to);
  }
  if (bucket.usageTracked) {
    await kv.txn(async (tx) => {
      const order = [...stripes.keys()].sort((a, b) => a - b);
      const before = await tx.batchGet(order.map((s) => guardKey(bucket.id, s)));
      order.forEach((s, i) => {
        const b = decodeUsage(before[i]);
        const d = stripes.get(s)!;
        tx.put(guardKey(bucket.id, s), codecs.usage.encode({ objects: b.objects + d.objects, bytes: b.bytes + d.bytes }));
      });
    });
    transactions++;
  }
  const usage = await readUsage(kv, opts.bucket);
  return { keys: layout.keys, transactions, usage: usage ?? { objects: 0, bytes: 0 } };
}

/** The bucket's usage as the service counts it (undefined for buckets that do not track it). */
export function readUsage(kv: KvStore, bucketName: string): Promise<UsageRecord | undefined> {
  return withSnapshot(kv, async (s) => readBucketUsage(s, await loadBucket(s, bucketName)));
}

async function withSnapshot<T>(kv: KvStore, fn: (s: KvSnapshot) => Promise<T>): Promise<T> {
  const s = await kv.snapshot();
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}
