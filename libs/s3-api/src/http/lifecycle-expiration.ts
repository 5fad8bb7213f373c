import {
  currentVersionExpiry,
  decodeLifecycleConfiguration,
  expirationHeader,
  type CallCtx,
  type LifecycleRule,
  type MetadataApi,
  type ObjectVersion,
} from '@massive/contracts';

/**
 * Each gateway replica's short-lived view of buckets' lifecycle rules, for `x-amz-expiration` on
 * GET / HEAD / PUT: one getBucketConfig per bucket per `ttlMs`, not one per request. A change made
 * through this replica is seen at once (`forget`); one made through another replica within `ttlMs`.
 * The header is informational (the metadata worker enforces the rules from the stored document).
 */
export class LifecycleRulesCache {
  private readonly entries = new Map<string, { readonly until: number; readonly rules: Promise<readonly LifecycleRule[]> }>();

  constructor(
    private readonly ttlMs = 5000,
    private readonly maxBuckets = 1024,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The bucket's enabled rules (empty without a configuration, or when it cannot be read now). */
  rules(metadata: MetadataApi, bucket: string, ctx: CallCtx): Promise<readonly LifecycleRule[]> {
    const now = this.clock();
    const hit = this.entries.get(bucket);
    if (hit && hit.until > now) return hit.rules;
    const rules = Promise.resolve()
      .then(() => metadata.getBucketConfig({ bucket, kinds: ['lifecycle'] }, ctx))
      .then(
        ({ documents }) => (documents.lifecycle === undefined ? [] : decodeLifecycleConfiguration(documents.lifecycle).rules.filter((r) => r.status === 'Enabled')),
        () => [] as LifecycleRule[],
      );
    this.entries.delete(bucket);
    if (this.entries.size >= this.maxBuckets) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(bucket, { until: now + this.ttlMs, rules });
    return rules;
  }

  forget(bucket: string): void {
    this.entries.delete(bucket);
  }
}

/** `x-amz-expiration` for the current version `v`, when an enabled Expiration rule applies to it. */
export function expirationHeaders(rules: readonly LifecycleRule[], v: ObjectVersion): Record<string, string> {
  if (rules.length === 0) return {};
  const expiry = currentVersionExpiry(rules, { key: v.key, size: v.size, ...(v.headers.tags && { tags: v.headers.tags }) }, v.lastModified);
  return expiry ? { 'x-amz-expiration': expirationHeader(expiry) } : {};
}
