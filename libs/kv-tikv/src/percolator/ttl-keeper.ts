import type { TxnHeartBeatResponse } from '../grpc/wire';
import { toU64 } from '../pd/timestamp';
import { backoffer, type ClientCore } from '../tikv/core';
import type { SendOptions } from '../tikv/sender';
import { lockTtlMs } from './mutations';

/** Shortest heartbeat period, whatever the TTL (keeps a misconfigured TTL from spinning). */
const MIN_PERIOD_MS = 50;

/**
 * Keeps a transaction's primary lock alive while it runs (client-go `ttlManager`): from the
 * primary's successful prewrite until the primary commit is decided or the txn rolls back, it
 * sends KvTxnHeartBeat every TTL/2 asking for TTL = (time since start_ts) + base TTL. A reader
 * that meets one of our locks therefore always sees at least half a TTL left while we are alive,
 * however long a PD failover, a busy store or a large prewrite keeps us; if we die, the lock
 * expires one base TTL after the last beat. TiKV only ever raises a lock's TTL
 * (`ttl = max(ttl, advise)`), so beats racing each other are harmless.
 */
export class TtlKeeper {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private stopped = false;
  /** Heartbeats TiKV acknowledged (tests and logs). */
  beats = 0;

  constructor(
    private readonly core: ClientCore,
    private readonly primary: Buffer,
    private readonly startTs: bigint,
    private readonly startTsReceivedAtMs: number,
    private readonly baseTtlMs: number,
    private readonly sendOpts: SendOptions = {},
  ) {}

  get periodMs(): number {
    return Math.max(MIN_PERIOD_MS, Math.floor(this.baseTtlMs / 2));
  }

  /** Starts beating (idempotent; no-op once stopped). */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      this.beating ??= this.beat().finally(() => (this.beating = undefined));
    }, this.periodMs);
    this.timer.unref();
  }

  /** Stops beating; waits for a beat in flight so none lands after the caller moved on. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
  }

  private async beat(): Promise<void> {
    // One beat may back off for at most one period: the next one takes over after that.
    const bo = backoffer(this.core, this.periodMs, 'txn heartbeat');
    const ttl = lockTtlMs(this.baseTtlMs, this.startTsReceivedAtMs, Date.now());
    try {
      const { resp } = await this.core.sender.onKey<TxnHeartBeatResponse>(
        bo,
        this.primary,
        'KvTxnHeartBeat',
        () => ({ primary_lock: this.primary, start_version: toU64(this.startTs), advise_lock_ttl: toU64(BigInt(ttl)) }),
        this.sendOpts,
      );
      if (this.stopped) return;
      if (resp.error) {
        // The lock is gone (committed, or rolled back by a reader): nothing left to keep alive.
        this.core.metrics.heartbeats.inc({ result: 'lock_gone' });
        this.stopped = true;
        if (this.timer) clearInterval(this.timer);
        return;
      }
      this.beats++;
      this.core.metrics.heartbeats.inc({ result: 'ok' });
    } catch {
      // No answer within one period: the next beat tries again (the lock still has half a TTL).
      this.core.metrics.heartbeats.inc({ result: 'failed' });
    }
  }
}
