import { isServiceError, type CallCtx, type MetadataApi, type Owner } from '@massive/contracts';
import { compileBucketPolicy, isPublicPolicy, type CompiledBucketPolicy } from '@massive/s3-protocol';
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

interface Entry {
  readonly at: number;
  readonly state: Promise<BucketPolicyState>;
  /** Set once the lookup finished, so a hit is answered synchronously. */
  settled?: BucketPolicyState;
}

export interface BucketPolicyCacheOptions {
  /** How long a bucket's policy is reused before metadata is asked again (other gateways' changes show within it). */
  readonly ttlMs: number;
  /** Buckets remembered at once (the oldest entry goes first). */
  readonly maxEntries: number;
  readonly now?: () => number;
}

const LOOKUP_TIMEOUT_MS = 10_000;

/**
 * Each bucket's compiled policy and Block Public Access flags, per gateway: a signed request to a bucket
 * without a policy is decided synchronously from a settled entry. This gateway's Put/DeleteBucketPolicy and
 * Put/DeletePublicAccessBlock drop the entry at once; other gateways' changes apply within `ttlMs`.
 * Concurrent lookups share one metadata call; a failed lookup (NoSuchBucket included) is not cached.
 */
export class BucketPolicyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(
    private readonly metadata: MetadataApi,
    private readonly opts: BucketPolicyCacheOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** The bucket's state if a fresh lookup has finished, else undefined (then call `get`). */
  peek(bucket: string): BucketPolicyState | undefined {
    const hit = this.entries.get(bucket);
    return hit && this.now() - hit.at < this.opts.ttlMs ? hit.settled : undefined;
  }

  get(bucket: string, ctx: CallCtx): Promise<BucketPolicyState> {
    const t = this.now();
    const hit = this.entries.get(bucket);
    if (hit && t - hit.at < this.opts.ttlMs) return hit.state;
    if (hit) this.entries.delete(bucket);
    const state = this.load(bucket, { requestId: ctx.requestId, deadline: t + LOOKUP_TIMEOUT_MS });
    const entry: Entry = { at: t, state };
    if (this.entries.size >= this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(bucket, entry);
    state.then(
      (s) => (entry.settled = s),
      () => {
        if (this.entries.get(bucket) === entry) this.entries.delete(bucket);
      },
    );
    return state;
  }

  /** Drops a bucket's entry (its policy or Block Public Access changed here, or it was deleted). */
  forget(bucket: string): void {
    this.entries.delete(bucket);
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
