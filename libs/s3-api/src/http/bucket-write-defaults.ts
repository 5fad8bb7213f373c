import type { CallCtx, MetadataApi } from '@massive/contracts';
import { decodeBucketEncryption } from '../access/stored-documents';
import { BucketLookups, type BucketLookupsOptions } from './bucket-lookups';

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
