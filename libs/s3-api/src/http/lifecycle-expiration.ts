import {
  currentVersionExpiry,
  decodeLifecycleConfiguration,
  expirationHeader,
  type CallCtx,
  type LifecycleRule,
  type MetadataApi,
  type ObjectVersion,
} from '@massive/contracts';
import { BucketLookups, type BucketLookupsOptions } from './bucket-lookups';

/**
 * Each gateway replica's short-lived view of buckets' lifecycle rules, for `x-amz-expiration` on
 * GET / HEAD / PUT: one getBucketConfig per bucket per `ttlMs`, not one per request (bucket-lookups.ts).
 * A change made through this replica is seen at once (`forget`); one made through another replica within
 * `ttlMs`. The header is informational (the metadata worker enforces the rules from the stored document),
 * so a lookup that fails answers no rules, kept for `ttlMs` like any other answer.
 */
export class LifecycleRulesCache {
  private readonly lookups: BucketLookups<readonly LifecycleRule[]>;

  constructor(metadata: MetadataApi, opts: BucketLookupsOptions = { ttlMs: 5000, maxEntries: 1024 }) {
    this.lookups = new BucketLookups(
      (bucket, ctx) =>
        metadata.getBucketConfig({ bucket, kinds: ['lifecycle'] }, ctx).then(
          ({ documents }) => (documents.lifecycle === undefined ? [] : decodeLifecycleConfiguration(documents.lifecycle).rules.filter((r) => r.status === 'Enabled')),
          () => [],
        ),
      opts,
    );
  }

  /** The bucket's enabled rules (empty without a configuration, or when it cannot be read now). */
  rules(bucket: string, ctx: CallCtx): Promise<readonly LifecycleRule[]> {
    return this.lookups.get(bucket, ctx);
  }

  forget(bucket: string): void {
    this.lookups.forget(bucket);
  }
}

/** `x-amz-expiration` for the current version `v`, when an enabled Expiration rule applies to it. */
export function expirationHeaders(rules: readonly LifecycleRule[], v: ObjectVersion): Record<string, string> {
  if (rules.length === 0) return {};
  const expiry = currentVersionExpiry(rules, { key: v.key, size: v.size, ...(v.headers.tags && { tags: v.headers.tags }) }, v.lastModified);
  return expiry ? { 'x-amz-expiration': expirationHeader(expiry) } : {};
}
