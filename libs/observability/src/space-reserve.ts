import { statfsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { Gauge, type Registry } from 'prom-client';
import type { StatFs } from './disk-metrics';
import type { Logger } from './logger';

/** Default free space kept for deletes on a data dir's filesystem (`--reserve-space`). */
export const DEFAULT_RESERVE_BYTES = 256 * 2 ** 20;

/** Fastest rate at which a store is assumed to fill its disk, in bytes per ms (4 GiB/s). */
const FILL_BYTES_PER_MS = 4 * 2 ** 20;
/**
 * Near (or below) the reserve, synchronous measurements are at least this far apart: a check costs
 * about 30 µs with LMDB's page counts, and a flood of refused writes must not turn into a flood of
 * them. At 4 GiB/s the disk takes 4 MiB in that time, well inside any sensible reserve.
 */
const MIN_SYNC_INTERVAL_MS = 1;

export interface DiskSpaceReserveOptions {
  /** statfs, injectable so tests can fake a full disk. */
  readonly stat?: StatFs;
  /** The same, synchronous: used when the last measurement is too close to the reserve to trust. */
  readonly statSync?: (path: string) => { bsize: number; blocks: number; bavail: number };
  /**
   * Bytes the store can still fill without taking more of the filesystem (an LMDB file's free pages),
   * counted as free space with what statfs reports.
   */
  readonly reusable?: () => number;
  /** A measurement older than this is refreshed (in the background) on the next check. Default 1 s. */
  readonly maxAgeMs?: number;
  /** ms clock. Default Date.now. */
  readonly now?: () => number;
  /** Told when the store crosses the reserve, either way (for a log line). */
  readonly onChange?: (low: boolean, description: string) => void;
  /** Registers `space_reserve_bytes` and `space_reserve_low` with this store's label. */
  readonly metrics?: { readonly registry: Registry; readonly store: string };
}

/**
 * A store's free-space reserve over statfs (contracts' SpaceReserve, structurally: observability is a
 * util library and depends on no domain one).
 *
 * Far from the reserve, checks never wait on the disk: `low()` answers from the last measurement and
 * starts a new one in the background when that is older than `maxAgeMs`, so a request costs a clock
 * read and the disk is asked about once a second whatever the load. Near it, a stale measurement could
 * let a second of writes run through the reserve (a disk fills at hundreds of MiB/s): when the headroom
 * left at the last measurement is smaller than what the disk could have taken since (at 4 GiB/s), the
 * check measures synchronously before answering (one statfs, a few µs; about 30 µs with LMDB's page
 * counts), at most once a millisecond. Writes admitted at once still share the headroom: keep the
 * reserve above the bytes in flight (`--max-inflight-body-bytes`).
 *
 * Free space is statfs's f_bavail (what an unprivileged writer may still use). A reserve of 0 turns the
 * check off (writes then fail only when the disk itself is full, with the same error). A failed statfs
 * keeps the last value: the check never invents a full disk.
 */
export class DiskSpaceReserve {
  private free = Number.POSITIVE_INFINITY;
  private measuredAt = Number.NEGATIVE_INFINITY;
  private measuring?: Promise<void>;
  private wasLow = false;
  private readonly stat: StatFs;
  private readonly statSync: NonNullable<DiskSpaceReserveOptions['statSync']>;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    readonly dir: string,
    readonly reserveBytes: number,
    private readonly options: DiskSpaceReserveOptions = {},
  ) {
    this.stat = options.stat ?? statfs;
    this.statSync = options.statSync ?? statfsSync;
    this.maxAgeMs = options.maxAgeMs ?? 1000;
    this.now = options.now ?? Date.now;
    if (options.metrics) registerMetrics(this, options.metrics.registry, options.metrics.store);
  }

  /** Measures once; await it before serving, so that a store started full refuses from the first request. */
  refresh(): Promise<void> {
    this.measuring ??= this.measure().finally(() => (this.measuring = undefined));
    return this.measuring;
  }

  low(): boolean {
    if (this.reserveBytes <= 0) return false;
    const age = this.now() - this.measuredAt;
    if (age >= MIN_SYNC_INTERVAL_MS && age * FILL_BYTES_PER_MS > this.free - this.reserveBytes) this.measureSync();
    else if (age > this.maxAgeMs) void this.refresh();
    return this.free < this.reserveBytes;
  }

  noteFull(): void {
    this.measuredAt = Number.NEGATIVE_INFINITY;
    void this.refresh();
  }

  /** Free bytes at the last measurement (Infinity before the first). */
  get freeBytes(): number {
    return this.free;
  }

  describe(): string {
    const free = Number.isFinite(this.free) ? formatBytes(this.free) : 'unknown space';
    return `${free} free on ${this.dir}, below the ${formatBytes(this.reserveBytes)} reserve kept for deletes`;
  }

  private async measure(): Promise<void> {
    try {
      const s = await this.stat(this.dir);
      this.free = s.bavail * s.bsize + this.reusable();
    } catch {
      // Keep the last value.
    }
    this.measured();
  }

  private measureSync(): void {
    try {
      const s = this.statSync(this.dir);
      this.free = s.bavail * s.bsize + this.reusable();
    } catch {
      // Keep the last value.
    }
    this.measured();
  }

  private reusable(): number {
    try {
      return this.options.reusable?.() ?? 0;
    } catch {
      return 0; // the store is closing: count the filesystem alone
    }
  }

  private measured(): void {
    this.measuredAt = this.now();
    const low = this.reserveBytes > 0 && this.free < this.reserveBytes;
    if (low !== this.wasLow) {
      this.wasLow = low;
      this.options.onChange?.(low, low ? this.describe() : `${formatBytes(this.free)} free on ${this.dir}, above the ${formatBytes(this.reserveBytes)} reserve again`);
    }
  }
}

/**
 * A service's reserve over `dir`, measured once before it returns (so a store started full refuses
 * from its first request), with its metrics and a log line at each crossing.
 */
export async function openSpaceReserve(
  dir: string,
  reserveBytes: number,
  deps: { readonly logger: Logger; readonly registry: Registry; readonly store: string; readonly reusable?: () => number },
): Promise<DiskSpaceReserve> {
  const reserve = new DiskSpaceReserve(dir, reserveBytes, {
    ...(deps.reusable && { reusable: deps.reusable }),
    metrics: { registry: deps.registry, store: deps.store },
    onChange: (low, what) =>
      low
        ? deps.logger.warn('free space is below the reserve: writes that add data are refused (507 InsufficientStorage) until space is freed; reads and deletes go on', { store: deps.store, space: what })
        : deps.logger.info('free space is back above the reserve: writes are accepted again', { store: deps.store, space: what }),
  });
  await reserve.refresh();
  return reserve;
}

/** The reserves reported on each registry (local mode runs two stores in one process: blob and metadata). */
const reported = new WeakMap<Registry, Map<string, DiskSpaceReserve>>();

function registerMetrics(reserve: DiskSpaceReserve, registry: Registry, store: string): void {
  let stores = reported.get(registry);
  if (!stores) {
    const all = (stores = new Map());
    reported.set(registry, all);
    new Gauge({
      name: 'space_reserve_bytes',
      help: 'Free space a store keeps for deletes: below it, writes that add data are refused (507 InsufficientStorage)',
      labelNames: ['store'],
      registers: [registry],
      collect() {
        for (const [name, r] of all) this.labels(name).set(r.reserveBytes);
      },
    });
    new Gauge({
      name: 'space_reserve_low',
      help: 'Whether a store is below its free-space reserve and refuses writes that add data (1) or not (0)',
      labelNames: ['store'],
      registers: [registry],
      collect() {
        for (const [name, r] of all) this.labels(name).set(r.low() ? 1 : 0);
      },
    });
  }
  stores.set(store, reserve);
}

function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${v >= 100 ? Math.round(v) : v.toFixed(1).replace(/\.0$/, '')} ${units[u]}`;
}
