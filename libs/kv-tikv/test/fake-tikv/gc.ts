/**
 * PD's GC safe point and TiKV's GC worker acting on it. The stores share one MVCC engine, so one pass
 * (mvcc.ts `gc`) stands for every store's. TiKV's GC manager polls PD's safe point (every 10-60 s,
 * by version) and collects when it advanced; here, by default, the pass runs inside
 * UpdateGCSafePoint before PD answers, so a test that advanced the safe point finds the garbage
 * gone when the call returns. With `auto` off only `run()` collects: TiKV's lag, for tests that
 * must not count on GC being prompt.
 */
import { status } from '@grpc/grpc-js';
import type { GcRun, MvccStore } from './mvcc';

/** Totals since start (or `reset`), and the safe point the stores last collected at. */
export interface GcStats {
  readonly safePoint: bigint;
  readonly runs: number;
  readonly versionsRemoved: number;
  readonly valuesRemoved: number;
  readonly keysRemoved: number;
}

export interface GcWorkerOptions {
  /** Collect as soon as PD's safe point advances (default true). */
  readonly auto?: boolean;
  /** Called after each pass that ran (the standalone fake logs it). */
  readonly onRun?: (run: GcRun) => void;
}

export class GcWorker {
  private pdSafePoint = 0n;
  private runs = 0;
  private versionsRemoved = 0;
  private valuesRemoved = 0;
  private keysRemoved = 0;

  constructor(
    private readonly mvcc: MvccStore,
    private readonly opts: GcWorkerOptions = {},
  ) {}

  /**
   * PD's GC safe point. Never behind what the stores collected: after a journal replay (fake:tikv
   * --data-dir) the collected one is all that is left of it, where PD would have kept it in etcd.
   */
  safePoint(): bigint {
    return this.pdSafePoint > this.mvcc.gcSafePoint ? this.pdSafePoint : this.mvcc.gcSafePoint;
  }

  /** PD's UpdateGCSafePoint: keeps the larger one and answers it (PD only logs a smaller one). */
  update(safePoint: bigint): bigint {
    this.advance(safePoint);
    if (this.opts.auto !== false) this.run();
    return this.safePoint();
  }

  /**
   * One pass of TiKV's GC worker at PD's safe point, after moving that to `safePoint` if given (never
   * backwards, as UpdateGCSafePoint). Undefined when the stores already collected at PD's safe point.
   */
  run(safePoint?: bigint): GcRun | undefined {
    if (safePoint !== undefined) this.advance(safePoint);
    const run = this.mvcc.gc(this.safePoint());
    if (!run) return undefined;
    this.runs++;
    this.versionsRemoved += run.versionsRemoved;
    this.valuesRemoved += run.valuesRemoved;
    this.keysRemoved += run.keysRemoved;
    this.opts.onRun?.(run);
    return run;
  }

  stats(): GcStats {
    const { runs, versionsRemoved, valuesRemoved, keysRemoved } = this;
    return { safePoint: this.mvcc.gcSafePoint, runs, versionsRemoved, valuesRemoved, keysRemoved };
  }

  /** Zeroes the totals; the safe points stay. */
  reset(): void {
    this.runs = this.versionsRemoved = this.valuesRemoved = this.keysRemoved = 0;
  }

  private advance(safePoint: bigint): void {
    if (safePoint > this.pdSafePoint) this.pdSafePoint = safePoint;
  }
}

/** PD keeps a service safe point with an "infinite" TTL as expiring at i64::MAX seconds. */
const NEVER = (1n << 63n) - 1n;
/** PD's `gcWorkerServiceSafePointID`: TiDB's GC worker, or whatever drives GC in its place. */
export const GC_WORKER_SERVICE = 'gc_worker';

export interface ServiceSafePoint {
  readonly serviceId: string;
  readonly safePoint: bigint;
  /** Unix seconds (NEVER for gc_worker). */
  readonly expiredAt: bigint;
}

/**
 * PD's service GC safe points (UpdateServiceGCSafePoint, PD 4.0-8.x `LoadMinServiceGCSafePoint`):
 * each service (BR, TiCDC, the GC driver as `gc_worker`) keeps one with a TTL, and every update is
 * answered with the smallest live one. PD does not apply them to the GC safe point itself: the GC
 * driver takes min(its candidate, that answer) before UpdateGCSafePoint. Not journaled (PD keeps them
 * in etcd): after a fake:tikv restart only a `gc_worker` at 0 is there, as on a new cluster.
 */
export class ServiceSafePoints {
  private readonly points = new Map<string, ServiceSafePoint>();

  /**
   * One UpdateServiceGCSafePoint at `now` (Unix seconds of PD's TSO): TTL <= 0 removes the service's
   * safe point (never gc_worker's); otherwise it is saved unless it is below the current minimum.
   * Returns the minimum after the update, as PD answers it.
   */
  update(serviceId: string, ttl: bigint, safePoint: bigint, now: bigint): ServiceSafePoint {
    if (ttl <= 0n) {
      if (serviceId === GC_WORKER_SERVICE) throw pdError('cannot remove service safe point of gc_worker');
      this.points.delete(serviceId);
    }
    let min = this.min(now);
    if (ttl > 0n && safePoint >= min.safePoint) {
      const expiredAt = NEVER - now <= ttl ? NEVER : now + ttl;
      if (serviceId === '') throw pdError('service id of service safepoint cannot be empty');
      if (serviceId === GC_WORKER_SERVICE && expiredAt !== NEVER) throw pdError("TTL of gc_worker's service safe point must be infinity");
      this.points.set(serviceId, { serviceId, safePoint, expiredAt });
      if (serviceId === min.serviceId) min = this.min(now);
    }
    return min;
  }

  /** The live service safe points at `now`, by service id. */
  list(now: bigint): ServiceSafePoint[] {
    return [...this.points.values()].filter((p) => p.expiredAt >= now).sort(byServiceId);
  }

  /** The smallest live one; with none at all, gc_worker at 0 (what PD stores on a new cluster). */
  private min(now: bigint): ServiceSafePoint {
    if (this.points.size === 0) this.points.set(GC_WORKER_SERVICE, { serviceId: GC_WORKER_SERVICE, safePoint: 0n, expiredAt: NEVER });
    let min: ServiceSafePoint | undefined;
    // etcd hands them over in key order; the first of equal safe points wins.
    for (const p of [...this.points.values()].sort(byServiceId)) {
      if (p.expiredAt < now) {
        this.points.delete(p.serviceId);
        continue;
      }
      if (!min || p.safePoint < min.safePoint) min = p;
    }
    return min as ServiceSafePoint; // gc_worker never expires: there is always one
  }
}

const byServiceId = (a: ServiceSafePoint, b: ServiceSafePoint): number => (a.serviceId < b.serviceId ? -1 : a.serviceId > b.serviceId ? 1 : 0);

/** An error PD's handler returns: grpc-go sends it as status UNKNOWN with its text. */
function pdError(message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code: status.UNKNOWN });
}
