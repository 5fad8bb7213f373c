import type { CallCtx, MetadataApi } from '@massive/contracts';
import type { DefaultRetention } from '@massive/s3-protocol';
import { decodeBucketEncryption, decodeObjectLock } from '../access/stored-documents';
import { BucketLookups, type BucketLookupsOptions } from './bucket-lookups';

export type BucketWriteDefaultsOptions = BucketLookupsOptions;

/** What a new object in a bucket gets from the bucket when its request does not say. */
export interface WriteDefaults {
  /** Default encryption; undefined: stored as sent. */
  readonly sse?: DefaultEncryption;
  /** Present when the bucket has Object Lock (lock headers are allowed), with its default retention if any. */
  readonly objectLock?: { readonly retention?: DefaultRetention };
}

/** A bucket's default encryption (PutBucketEncryption): the key as the configuration names it, unresolved. */
export interface DefaultEncryption {
  readonly algorithm: 'AES256' | 'aws:kms';
  readonly kmsKeyId?: string;
  readonly bucketKeyEnabled: boolean;
}

const NONE: WriteDefaults = {};

/**
 * Each bucket's defaults for new objects (default encryption, Object Lock and its default retention), per
 * gateway, so a write does not cost a metadata round trip to learn them: one lookup reads both documents
 * (bucket-lookups.ts: `ttlMs`, shared lookups). This gateway's own Put/DeleteBucketEncryption,
 * PutObjectLockConfiguration and DeleteBucket drop the entry at once; other gateways' changes apply within
 * `ttlMs`, and objects written through another gateway in that window get the previous defaults. (Object Lock
 * itself, once on, never goes off; only a default retention set elsewhere can be that late.) A failed
 * lookup is not cached and fails the write: NoSuchBucket is what the write answers anyway, and a write that
 * cannot learn its bucket's defaults must not guess plaintext or no retention.
 */
export class BucketWriteDefaults {
  private readonly lookups: BucketLookups<WriteDefaults>;

  constructor(metadata: MetadataApi, opts: BucketWriteDefaultsOptions) {
    this.lookups = new BucketLookups(async (bucket, ctx) => {
      const { bucket: b, documents } = await metadata.getBucketConfig({ bucket, kinds: ['encryption', 'objectLock'] }, ctx);
      const enc = documents.encryption === undefined ? undefined : decodeBucketEncryption(documents.encryption);
      const sse: DefaultEncryption | undefined = enc && { algorithm: enc.SSEAlgorithm, ...(enc.KMSMasterKeyID !== undefined && { kmsKeyId: enc.KMSMasterKeyID }), bucketKeyEnabled: enc.BucketKeyEnabled };
      const lock = b.objectLock ? decodeObjectLock(documents.objectLock) : undefined;
      if (!sse && !lock) return NONE;
      return { ...(sse && { sse }), ...(lock && { objectLock: lock.DefaultRetention ? { retention: lock.DefaultRetention } : {} }) };
    }, opts);
  }

  get(bucket: string, ctx: CallCtx): Promise<WriteDefaults> {
    return this.lookups.get(bucket, ctx);
  }

  /** The encryption a new object in `bucket` gets when its request names none; undefined: stored as sent. */
  async defaultEncryption(bucket: string, ctx: CallCtx): Promise<DefaultEncryption | undefined> {
    return (await this.lookups.get(bucket, ctx)).sse;
  }

  /** Drops a bucket's entry (its defaults changed through this gateway, or it was deleted). */
  invalidate(bucket: string): void {
    this.lookups.forget(bucket);
  }
}
