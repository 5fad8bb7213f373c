import type { CallCtx } from '@massive/contracts';
import { leaseKey } from '../keys/keys';
import { codecs } from '../model/records';
import type { TxnRunner } from '../txn/run-txn';

/**
 * A lease in the KV that makes one process at a time the runner of a singleton loop (the GC collector
 * and janitor), however many metadata replicas share the store. The holder renews it on every pass
 * and between batches; when it dies, another process takes over once the lease expires. The loops it
 * guards are idempotent, so the lease is about not doing the work N times (and not racing N janitors
 * into conflicts), never about correctness: a paused holder that wakes up after losing the lease finds
 * out at its next renewal and stops.
 */
export class LeaderLease {
  private heldUntil = 0;

  constructor(
    private readonly txn: TxnRunner,
    private readonly name: string,
    /** Unique per process (and per start). */
    readonly holder: string,
    private readonly leaseMs: number,
    private readonly clock: () => number,
  ) {
    if (!Number.isFinite(leaseMs) || leaseMs <= 0) throw new RangeError(`lease duration must be > 0, got ${leaseMs}`);
  }

  /** True while this process holds the lease by its own clock (no KV read). */
  get held(): boolean {
    return this.clock() < this.heldUntil;
  }

  /** Takes the lease if it is free, expired or ours, renewing it for `leaseMs`. True if we hold it. */
  async acquire(ctx: CallCtx): Promise<boolean> {
    const key = leaseKey(this.name);
    const expiresAt = await this.txn.run(
      'LeaseAcquire',
      async (tx) => {
        const raw = await tx.get(key);
        const now = this.clock();
        const cur = raw && codecs.lease.decodeValue(raw);
        if (cur && cur.holder !== this.holder && cur.expiresAt > now) return 0;
        const until = now + this.leaseMs;
        tx.put(key, codecs.lease.encode({ holder: this.holder, expiresAt: until }));
        return until;
      },
      ctx,
    );
    // Our own view ends a little before the record's, so we stop before anyone else may start.
    this.heldUntil = expiresAt === 0 ? 0 : expiresAt - Math.min(1000, this.leaseMs / 10);
    return expiresAt !== 0;
  }

  /** Renews when a third of the lease has passed; false once it is lost. */
  async keep(ctx: CallCtx): Promise<boolean> {
    if (this.heldUntil - this.clock() > (this.leaseMs * 2) / 3) return true;
    return this.acquire(ctx);
  }

  /** Gives the lease up (on shutdown), so another process takes over at once. */
  async release(ctx: CallCtx): Promise<void> {
    const key = leaseKey(this.name);
    this.heldUntil = 0;
    await this.txn.run(
      'LeaseRelease',
      async (tx) => {
        const raw = await tx.get(key);
        if (raw && codecs.lease.decodeValue(raw).holder === this.holder) tx.delete(key);
      },
      ctx,
    );
  }
}
