import { backgroundCtx, type CallCtx } from '@massive/contracts';
import type { KvStore, MvccGcReport } from '@massive/kv';
import { Counter, Gauge, Registry } from 'prom-client';
import { createMetadataMetrics } from '../txn/metrics';
import { DEFAULT_RETRY, TxnRunner } from '../txn/run-txn';
import { LeaderLease } from './leader-lease';
import { PeriodicLoop } from './periodic-loop';

export interface MvccGcWorkerOptions {
  /** A store that keeps old versions (TiKV): `collectMvccGarbage` is required. */
  readonly kv: KvStore;
  readonly registry?: Registry;
  /** How long a version stays readable after it was replaced (TiDB's `tikv_gc_life_time`: 10 min). */
  readonly lifetimeMs: number;
  /** Pause between runs (TiDB's `tikv_gc_run_interval`: 10 min). */
  readonly intervalMs: number;
  /** Unique per process: one replica at a time runs the collection (a lease in the KV). */
  readonly holderId: string;
  readonly clock?: () => number;
  readonly onRun?: (report: MvccGcReport) => void;
  readonly onError?: (err: unknown) => void;
}

/**
 * Drives the store's MVCC garbage collection from one metadata replica (a lease, as for the chunk
 * GC): a TiKV cluster without TiDB has no GC worker of its own, and without one every overwrite,
 * delete and lease renewal leaves a version behind forever.
 */
export class MvccGcWorker {
  private readonly collect: (lifetimeMs: number) => Promise<MvccGcReport>;
  private readonly lease: LeaderLease;
  private readonly loop: PeriodicLoop;
  private readonly runs: Counter<'result'>;
  private readonly locks: Counter<string>;
  private readonly safePoint: Gauge<string>;

  constructor(private readonly o: MvccGcWorkerOptions) {
    const collect = o.kv.collectMvccGarbage?.bind(o.kv);
    if (!collect) throw new Error('this store keeps no old versions: it needs no MVCC garbage collection');
    if (!Number.isFinite(o.lifetimeMs) || o.lifetimeMs <= 0) throw new RangeError(`MVCC GC lifetime must be > 0, got ${o.lifetimeMs}`);
    this.collect = collect;
    const registry = o.registry ?? new Registry();
    const txn = new TxnRunner(o.kv, createMetadataMetrics(registry), DEFAULT_RETRY);
    // Three intervals: a replica that died holding it is replaced after at most that long.
    this.lease = new LeaderLease(txn, 'mvcc-gc', o.holderId, Math.max(1000, 3 * o.intervalMs), o.clock ?? Date.now);
    this.loop = new PeriodicLoop(o.intervalMs, () => this.tick());
    this.runs = new Counter({
      name: 'metadata_mvcc_gc_runs_total',
      help: 'MVCC garbage collection runs by this replica, by result (advanced, unchanged, held: a backup or changefeed holds the safe point back, error)',
      labelNames: ['result'],
      registers: [registry],
    });
    for (const result of ['advanced', 'unchanged', 'held', 'error']) this.runs.labels({ result }).inc(0);
    this.locks = new Counter({
      name: 'metadata_mvcc_gc_locks_resolved_total',
      help: 'Locks of transactions older than the GC safe point that a run committed or rolled back',
      registers: [registry],
    });
    this.safePoint = new Gauge({
      name: 'metadata_mvcc_gc_safe_point_seconds',
      help: 'The GC safe point after the last run of this replica, as Unix time (0: none yet)',
      registers: [registry],
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(ctx: CallCtx = backgroundCtx('mvcc-gc')): Promise<void> {
    await this.loop.stop();
    if (this.lease.held) await this.lease.release(ctx).catch(() => undefined);
  }

  /** One run if this replica holds (or can take) the lease; undefined otherwise. */
  async runOnce(ctx: CallCtx = backgroundCtx('mvcc-gc')): Promise<MvccGcReport | undefined> {
    if (!(await this.lease.acquire(ctx))) return undefined;
    const report = await this.collect(this.o.lifetimeMs);
    this.runs.inc({ result: report.heldBy ? 'held' : report.outcome });
    this.locks.inc(report.locksResolved);
    this.safePoint.set(report.safePointMs / 1000);
    this.o.onRun?.(report);
    return report;
  }

  private async tick(): Promise<void> {
    try {
      await this.runOnce();
    } catch (err) {
      this.runs.inc({ result: 'error' });
      this.o.onError?.(err);
    }
  }
}
