import { backgroundCtx, MAX_WRITE_INTENTS_PER_CALL, type CallCtx, type MetadataApi, type WriteIntent } from '@massive/contracts';

export interface IntentPoolOptions {
  /** TTL of the intents created (the gateway's intentTtlMs). */
  readonly ttlMs: number;
  /** Intents kept ready. 0 turns the pool off (every take creates one). */
  readonly size: number;
  /** An intent older than this (since it was created) is not handed out. Default min(ttl / 10, 1 min). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

/** After a failed batch refill, refills create intents one by one for this long. */
export const BATCH_RETRY_MS = 60_000;

interface Ready {
  readonly intent: WriteIntent;
  /** Local receipt time: age is measured on this clock, never against the metadata service's. */
  readonly at: number;
}

/**
 * Write intents created ahead of need, so that a large write does not wait for its intent's
 * transaction (and its flush) before the first byte goes to the blob store. DESIGN §2 holds: the intent
 * is durable before any chunk is named under it, just earlier. A refill creates the missing intents
 * with one createWriteIntents call: one round trip and one transaction (with TiKV, one Percolator
 * commit instead of one per intent), whose flush the metadata store's group commit shares with other
 * requests' commits. If that call fails (a metadata service of an older release does not have it, or
 * it is down) the refill creates them one by one, concurrently, and so do refills for BATCH_RETRY_MS.
 *
 * An intent only leaves the pool young (`maxAgeMs`), so its holder has nearly its whole TTL and renews
 * it as usual. Intents left unused when traffic stops simply expire: the janitor reclaims them like
 * any abandoned write (they have no chunks). At most `size` such per burst.
 */
export class IntentPool {
  private readonly ready: Ready[] = [];
  private refilling = false;
  /** Refills before this time (this.now()) create intents one by one: the last batch call failed. */
  private batchAgainAt = 0;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly metadata: Pick<MetadataApi, 'createWriteIntent' | 'createWriteIntents'>,
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
    const missing = Math.min(this.opts.size - this.ready.length, MAX_WRITE_INTENTS_PER_CALL);
    if (this.refilling || missing <= 0) return;
    this.refilling = true;
    const ttlMs = this.opts.ttlMs;
    const ctx = backgroundCtx('intent-pool');
    const add = (intent: WriteIntent): void => {
      this.ready.push({ intent, at: this.now() });
    };
    const oneByOne = (): Promise<unknown> => Promise.allSettled(Array.from({ length: missing }, () => this.metadata.createWriteIntent({ ttlMs }, ctx).then(add)));
    const refilled =
      this.now() < this.batchAgainAt
        ? oneByOne()
        : this.metadata.createWriteIntents({ ttlMs, count: missing }, ctx).then(
            (intents) => intents.forEach(add),
            () => {
              this.batchAgainAt = this.now() + BATCH_RETRY_MS;
              return oneByOne();
            },
          );
    // A failed refill is not an error of any request: the next take creates its intent itself.
    void refilled.then(() => {
      this.refilling = false;
    });
  }
}
