import { isServiceError, type CallCtx, type MetadataApi, type Owner } from '@massive/contracts';
import { compileBucketPolicy, isPublicPolicy, type CompiledBucketPolicy } from '@massive/s3-protocol';
import { BucketLookups, type BucketLookupsOptions } from '../http/bucket-lookups';
import { decodeBucketPolicy } from './bucket-policy-document';
import { decodePublicAccessBlock } from './stored-documents';

/** What authorisation needs to know about a bucket's policy, read in one metadata call. */
export interface BucketPolicyState {
  readonly owner: Owner;
  /** Absent: the bucket has no policy (the common case; authorisation then costs nothing more). */
  readonly policy?: CompiledBucketPolicy;
  readonly isPublic: boolean;
  /** Block Public Access: a public policy grants nothing to anyone outside the bucket owner. */
  readonly restrictPublicBuckets: boolean;
}

export type BucketPolicyCacheOptions = BucketLookupsOptions;

/**
 * Each bucket's compiled policy and Block Public Access flags, per gateway: a signed request to a bucket
 * without a policy is decided synchronously from a settled entry. This gateway's Put/DeleteBucketPolicy and
 * Put/DeletePublicAccessBlock drop the entry at once; other gateways' changes apply within `ttlMs`.
 * Concurrent lookups share one metadata call; a failed lookup (NoSuchBucket included) is not cached.
 */
export class BucketPolicyCache {
  private readonly lookups: BucketLookups<BucketPolicyState>;

  constructor(
    private readonly metadata: MetadataApi,
    opts: BucketPolicyCacheOptions,
  ) {
    this.lookups = new BucketLookups((bucket, ctx) => this.load(bucket, ctx), opts);
  }

  /** The bucket's state if a fresh lookup has finished, else undefined (then call `get`). */
  peek(bucket: string): BucketPolicyState | undefined {
    return this.lookups.peek(bucket)?.value;
  }

  get(bucket: string, ctx: CallCtx): Promise<BucketPolicyState> {
    return this.lookups.get(bucket, ctx);
  }

  /** Drops a bucket's entry (its policy or Block Public Access changed here, or it was deleted). */
  forget(bucket: string): void {
    this.lookups.forget(bucket);
  }

  private async load(bucket: string, ctx: CallCtx): Promise<BucketPolicyState> {
    const { bucket: b, documents } = await this.metadata.getBucketConfig({ bucket, kinds: ['policy', 'publicAccessBlock'] }, ctx);
    const pab = documents.publicAccessBlock !== undefined ? decodePublicAccessBlock(documents.publicAccessBlock) : undefined;
    if (documents.policy === undefined) return { owner: b.owner, isPublic: false, restrictPublicBuckets: pab?.RestrictPublicBuckets === true };
    const { policy } = decodeBucketPolicy(documents.policy);
    return {
      owner: b.owner,
      policy: compileBucketPolicy(policy),
      isPublic: isPublicPolicy(policy),
      restrictPublicBuckets: pab?.RestrictPublicBuckets === true,
    };
  }
}

export function isNoSuchBucket(e: unknown): boolean {
  return isServiceError(e, 'NoSuchBucket');
}
