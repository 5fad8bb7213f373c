import type { CallCtx, MetadataApi } from '@massive/contracts';
import type { BucketEncryption } from '@massive/s3-protocol';
import { BucketLookups, type BucketLookupsOptions } from './bucket-lookups';

/**
 * A bucket's default encryption as stored (the metadata `encryption` document): versioned JSON, never the
 * client's XML, `{"v":1,"a":"AES256","bk":<BucketKeyEnabled>}`. `bk` is kept only to answer
 * GetBucketEncryption as it was set: S3 Bucket Keys are an SSE-KMS cost saving, and SSE-S3 objects never
 * report one. A document this version cannot read is a server fault (thrown), never read as "no default
 * encryption": that would silently store plaintext in a bucket its owner asked to encrypt.
 */
const VERSION = 1;

/** What GetBucketEncryption answers (BucketKeyEnabled always present: S3 reports it false when never set). */
export interface StoredBucketEncryption extends BucketEncryption {
  readonly BucketKeyEnabled: boolean;
}

export function encodeBucketEncryption(c: BucketEncryption): string {
  return JSON.stringify({ v: VERSION, a: c.SSEAlgorithm, bk: c.BucketKeyEnabled ?? false });
}

export function decodeBucketEncryption(doc: string): StoredBucketEncryption {
  let o: unknown;
  try {
    o = JSON.parse(doc);
  } catch {
    throw corrupt();
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw corrupt();
  const { v, a, bk } = o as Record<string, unknown>;
  if (v !== VERSION || a !== 'AES256' || typeof bk !== 'boolean') throw corrupt();
  return { SSEAlgorithm: a, BucketKeyEnabled: bk };
}

function corrupt(): Error {
  return new Error('stored encryption document is unreadable (unknown version or corrupt)');
}

export type BucketEncryptionCacheOptions = BucketLookupsOptions;

/**
 * Each bucket's default encryption, per gateway, so a write that names no encryption of its own does not
 * cost a metadata round trip to learn whether to encrypt (bucket-lookups.ts: `ttlMs`, shared lookups;
 * this gateway's own Put/DeleteBucketEncryption and DeleteBucket drop the entry at once, other gateways'
 * changes apply within `ttlMs`, objects written through another gateway in that window get the previous
 * default). A failed lookup is not cached and fails the write: NoSuchBucket is what the write answers
 * anyway, and a write that cannot learn its bucket's default must not guess plaintext.
 */
export class BucketEncryptionCache {
  private readonly lookups: BucketLookups<'AES256' | undefined>;

  constructor(metadata: MetadataApi, opts: BucketEncryptionCacheOptions) {
    this.lookups = new BucketLookups(async (bucket, ctx) => {
      const { documents } = await metadata.getBucketConfig({ bucket, kinds: ['encryption'] }, ctx);
      return documents.encryption === undefined ? undefined : decodeBucketEncryption(documents.encryption).SSEAlgorithm;
    }, opts);
  }

  /** The algorithm a new object in `bucket` gets when its request names none; undefined: stored as sent. */
  defaultAlgorithm(bucket: string, ctx: CallCtx): Promise<'AES256' | undefined> {
    return this.lookups.get(bucket, ctx);
  }

  /** Drops a bucket's entry (its default encryption changed through this gateway, or it was deleted). */
  invalidate(bucket: string): void {
    this.lookups.forget(bucket);
  }
}
