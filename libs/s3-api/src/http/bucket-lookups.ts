import type { CallCtx } from '@massive/contracts';

export interface BucketLookupsOptions {
  /** How long a bucket's result is reused before it is looked up again (other gateways' changes show within it). */
  readonly ttlMs: number;
  /** Buckets remembered at once (the oldest entry goes first). */
  readonly maxEntries: number;
  readonly now?: () => number;
}

interface Entry<T> {
  readonly at: number;
  readonly value: Promise<T>;
  /** Set once the lookup finished, so a hit can be answered synchronously (`peek`). */
  settled?: { readonly value: T };
}

/** A lookup shared by several requests gets its own deadline, never the first request's hang-up signal. */
const LOOKUP_TIMEOUT_MS = 10_000;

/**
 * One metadata lookup per bucket per `ttlMs` on each gateway, for what the hot path needs of a bucket's
 * configuration (its policy, CORS rules, default encryption, lifecycle rules): concurrent requests share
 * one lookup, a result is reused for `ttlMs`, the gateway's own changes drop it at once (`forget`), other
 * gateways' apply within `ttlMs`. A lookup that fails is not kept (a loader that wants a failure cached
 * answers a value for it instead). At most `maxEntries` buckets are kept, the oldest dropped first.
 */
export class BucketLookups<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly now: () => number;

  constructor(
    private readonly load: (bucket: string, ctx: CallCtx) => Promise<T>,
    private readonly opts: BucketLookupsOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  get(bucket: string, ctx: CallCtx): Promise<T> {
    const t = this.now();
    const hit = this.entries.get(bucket);
    if (hit && t - hit.at < this.opts.ttlMs) return hit.value;
    if (hit) this.entries.delete(bucket);
    // A loader that throws rather than rejects fails this lookup, not the caller's turn.
    const value = Promise.resolve({ requestId: ctx.requestId, deadline: t + LOOKUP_TIMEOUT_MS }).then((c) => this.load(bucket, c));
    const entry: Entry<T> = { at: t, value };
    if (this.entries.size >= this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(bucket, entry);
    value.then(
      (v) => (entry.settled = { value: v }),
      () => {
        if (this.entries.get(bucket) === entry) this.entries.delete(bucket);
      },
    );
    return value;
  }

  /** The bucket's result if a fresh lookup has finished, else undefined (then call `get`). */
  peek(bucket: string): { readonly value: T } | undefined {
    const hit = this.entries.get(bucket);
    return hit && this.now() - hit.at < this.opts.ttlMs ? hit.settled : undefined;
  }

  /** Drops a bucket's entry (its configuration changed through this gateway, or it was deleted). */
  forget(bucket: string): void {
    this.entries.delete(bucket);
  }
}
