/**
 * Keeps a write intent alive while its body makes progress. Every `everyMs` the intent is renewed if
 * bytes arrived since the previous look; if none did, it is not renewed, so a writer that stalls (or a
 * gateway bug that forgets to finish) lets the intent lapse and the janitor reclaims its chunks. A live
 * upload always renews well before expiry (`everyMs` is a fraction of the TTL).
 */
export function renewWhileProgressing(opts: {
  readonly everyMs: number;
  /** A counter that grows with progress (bytes received so far). */
  readonly progress: () => number;
  readonly renew: () => Promise<unknown>;
  /**
   * True once the client is done sending (the body fully received): the gateway's own work (the last
   * chunk writes) follows, and the intent is renewed meanwhile whether or not bytes moved. A slow store
   * must not make a finished upload's intent lapse under it.
   */
  readonly received?: () => boolean;
  /** Told when a renewal was skipped for want of progress (metrics, logs). */
  readonly onStalled?: () => void;
}): () => void {
  let seen = opts.progress();
  const timer = setInterval(() => {
    const now = opts.progress();
    if (now === seen && !opts.received?.()) return opts.onStalled?.();
    seen = now;
    // A failed renewal is not fatal here: the commit checks the intent and answers RequestTimeout if it lapsed.
    opts.renew().catch(() => undefined);
  }, opts.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * How often an intent with this TTL is looked at: three chances before it lapses (so at most once a
 * second for any TTL of 3 s or more; the shortest TTLs, in tests, get their three chances too: a period
 * equal to the TTL would let a live upload's intent lapse before its first renewal).
 */
export function renewalPeriod(ttlMs: number): number {
  return Math.max(10, Math.floor(ttlMs / 3));
}
