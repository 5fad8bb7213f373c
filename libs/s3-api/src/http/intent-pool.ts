import { backgroundCtx, type CallCtx, type MetadataApi, type WriteIntent } from '@massive/contracts';

export interface IntentPoolOptions {
  /** TTL of the intents created (the gateway's intentTtlMs). */
  readonly ttlMs: number;
  /** Intents kept ready. 0 turns the pool off (every take creates one). */
  readonly size: number;
  /** An intent older than this (since it was created) is not handed out. Default min(ttl / 10, 1 min). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

interface Ready {
  readonly intent: WriteIntent;
  /** Local receipt time: age is measured on this clock, never against the metadata service's. */
  readonly at: number;
}

/**
 * Write intents created ahead of need, so that a large write does not wait for its intent's
 * transaction (and its flush) before the first byte goes to the blob store. DESIGN §2 holds: the intent
 * is durable before any chunk is named under it, just earlier. Refills create the missing intents
 * concurrently, so the metadata store's group commit makes them one or two flushes, shared with other
 * requests' commits, instead of one serialised flush in front of every upload.
 *
 * An intent only leaves the pool young (`maxAgeMs`), so its holder has nearly its whole TTL and renews
 * it as usual. Intents left unused when traffic stops simply expire: the janitor reclaims them like
 * any abandoned write (they have no chunks). At most `size` such per burst.
 */
export class IntentPool {
  private readonly ready: Ready[] = [];
  private refilling = false;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly metadata: Pick<MetadataApi, 'createWriteIntent'>,
    private readonly opts: IntentPoolOptions,
  ) {
    this.maxAgeMs = opts.maxAgeMs ?? Math.min(opts.ttlMs / 10, 60_000);
    this.now = opts.now ?? Date.now;
  }

  /** A fresh intent: a pooled one if any is young enough, else one created now (whose errors surface). */
  async take(ctx: CallCtx): Promise<WriteIntent> {
    const now = this.now();
    while (this.ready.length > 0 && now - this.ready[0].at > this.maxAgeMs) this.ready.shift();
    const pooled = this.ready.shift();
    if (this.ready.length <= this.opts.size / 2) this.refill();
    return pooled ? pooled.intent : this.metadata.createWriteIntent({ ttlMs: this.opts.ttlMs }, ctx);
  }

  /** Intents ready now (tests, metrics). */
  get available(): number {
    return this.ready.length;
  }

  private refill(): void {
    const missing = this.opts.size - this.ready.length;
    if (this.refilling || missing <= 0) return;
    this.refilling = true;
    const ctx = backgroundCtx('intent-pool');
    const creates = Array.from({ length: missing }, () =>
      this.metadata.createWriteIntent({ ttlMs: this.opts.ttlMs }, ctx).then((intent) => {
        this.ready.push({ intent, at: this.now() });
      }),
    );
    // A failed refill is not an error of any request: the next take creates its intent itself.
    void Promise.allSettled(creates).then(() => {
      this.refilling = false;
    });
  }
}
