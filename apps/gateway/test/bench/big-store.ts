import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LmdbKv } from '@massive/kv-embedded';
import { MetadataService } from '@massive/metadata-core';
import { BIG_BUCKET_FORMAT, bigBucketLayout, fillBigBucket } from '@massive/metadata-core/testing';
import { canonicalUserId } from '@massive/s3-api';

/** Written last into a built data dir: a directory without it is an unfinished build. */
export const STAMP_FILE = 'big-store.json';

export interface BigStoreSpec {
  readonly dataDir: string;
  /** The static key (MASSIVE_ACCESS_KEY) that owns the buckets, as if it had created them. */
  readonly accessKey: string;
  readonly buckets: readonly { readonly name: string; readonly keys: number }[];
  /** Objects per KV transaction. */
  readonly batch?: number;
  readonly onProgress?: (bucket: string, done: number, total: number, seconds: number) => void;
}

export interface BigStoreStamp {
  readonly format: number;
  readonly accessKey: string;
  /** firstKey/lastKey let a reader check that its copy of the key layout matches the builder's. */
  readonly buckets: readonly { name: string; keys: number; firstKey: string; lastKey: string; objects: number; bytes: number; seconds: number }[];
  readonly buildSeconds: number;
  readonly builtAt: string;
}

/**
 * Builds a local-mode data directory holding big buckets, straight through the KV: each bucket is
 * created by the real MetadataService, owned by `accessKey` as the gateway's CreateBucket would make it,
 * then filled by fillBigBucket (libs/metadata-core/src/testing/big-bucket.ts). The gateway then serves
 * the directory as it is (`MASSIVE_DATA_DIR`).
 */
export async function buildBigStore(spec: BigStoreSpec): Promise<BigStoreStamp> {
  mkdirSync(spec.dataDir, { recursive: true });
  // The gateway's local-mode layout (apps/gateway/src/compose-local.ts): LMDB under DIR/metadata.
  const kv = new LmdbKv({ path: join(spec.dataDir, 'metadata') });
  const service = new MetadataService({ kv });
  const ctx = { requestId: 'big-store', signal: new AbortController().signal, deadline: Number.MAX_SAFE_INTEGER };
  const owner = { id: canonicalUserId(spec.accessKey), displayName: spec.accessKey };
  const started = performance.now();
  const built = [];
  try {
    for (const b of spec.buckets) {
      const t = performance.now();
      await service.createBucket({ name: b.name, region: 'us-east-1', owner }, ctx);
      const res = await fillBigBucket(kv, {
        bucket: b.name,
        keys: b.keys,
        ...(spec.batch !== undefined && { batch: spec.batch }),
        onProgress: (done) => spec.onProgress?.(b.name, done, b.keys, (performance.now() - t) / 1000),
      });
      const layout = bigBucketLayout(b.keys);
      built.push({ name: b.name, keys: res.keys, firstKey: layout.key(0), lastKey: layout.key(b.keys - 1), objects: res.usage.objects, bytes: res.usage.bytes, seconds: Math.round(performance.now() - t) / 1000 });
    }
  } finally {
    await kv.close();
  }
  const stamp = { format: BIG_BUCKET_FORMAT, accessKey: spec.accessKey, buckets: built, buildSeconds: Math.round(performance.now() - started) / 1000, builtAt: new Date().toISOString() };
  writeFileSync(join(spec.dataDir, STAMP_FILE), JSON.stringify(stamp) + '\n');
  return stamp;
}
