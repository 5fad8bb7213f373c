/**
 * Open files kept between reads, by key: a GET of a chunk read a moment ago reuses its descriptor
 * instead of opening, stat'ing and closing the file again.
 *
 * Why: every file operation of Node's fs goes through libuv's thread pool, and each one is a hand-off
 * to a pool thread and back (a futex wake-up one way, an eventfd write the other). On the bench box,
 * a VM where a wake-up is expensive, `strace` counted 20 futex calls per 1 MiB GET on the blob service
 * (open, fstat, pread, close: four round trips) and a CPU profile put open, fstat and close at a fifth
 * of its main thread's time; with the descriptor kept, a GET is one pread.
 *
 * Chunk files are written once and never change, so a kept descriptor reads what a new one would. What
 * can change is whether the file is there: the store evicts a key before it deletes the file (its
 * space is freed once the last read holding it finishes), and an open still in flight when the key
 * is evicted serves the reads that were waiting for it and is then closed, never kept.
 *
 * Bounded: at most `capacity` descriptors are kept, least recently used dropped first; one unused for
 * `idleMs` is closed. A dropped or evicted entry in use closes when its last user lets go.
 */
export interface HandleCacheOptions<H> {
  /** Entries kept (open descriptors), least recently used dropped first. */
  readonly capacity: number;
  /** An entry nobody used for this long is closed. */
  readonly idleMs: number;
  readonly close: (h: H) => Promise<void>;
}

/** One use of an entry: `value` until `release`. */
export interface HandleLease<H> {
  readonly value: H;
  release(): void;
}

interface Entry<H> {
  readonly key: string;
  readonly value: Promise<H>;
  users: number;
  lastUsed: number;
  /** Out of the map (evicted, dropped, or its open failed): closed once unused. */
  gone: boolean;
}

export class HandleCache<H> {
  private readonly entries = new Map<string, Entry<H>>();
  private sweeper?: NodeJS.Timeout;
  /** Uses served by a kept entry (or an open already in flight): `blob_chunk_file_reuses_total`. */
  hits = 0;

  constructor(private readonly opts: HandleCacheOptions<H>) {
    if (!(opts.capacity >= 0) || !(opts.idleMs > 0)) throw new RangeError('HandleCache: capacity must be ≥ 0 and idleMs > 0');
  }

  /** Entries kept now, open or opening (`blob_chunk_files_open`). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The entry of `key`, opened with `open` unless kept (or opening); hold it until `release`. An open
   * that fails is not kept: the next use tries again.
   */
  async acquire(key: string, open: () => Promise<H>): Promise<HandleLease<H>> {
    let e = this.entries.get(key);
    if (e) {
      this.hits++;
      // Most recently used last: Map iteration order is the LRU order.
      this.entries.delete(key);
      this.entries.set(key, e);
    } else {
      e = { key, value: open(), users: 0, lastUsed: 0, gone: false };
      const opened = e;
      if (this.opts.capacity > 0) {
        this.entries.set(key, e);
        this.trim();
        this.armSweeper();
      } else e.gone = true;
      e.value.catch(() => {
        if (this.entries.get(key) === opened) this.entries.delete(key);
        opened.gone = true;
      });
    }
    e.users++;
    let value: H;
    try {
      value = await e.value;
    } catch (err) {
      e.users--;
      throw err;
    }
    const lease = e;
    let released = false;
    return {
      value,
      release: () => {
        if (released) return;
        released = true;
        lease.users--;
        lease.lastUsed = Date.now();
        if (lease.gone && lease.users === 0) this.closeEntry(lease);
      },
    };
  }

  /** Drops `key` (its file is about to be deleted or replaced): the next use opens it again. */
  evict(key: string): void {
    const e = this.entries.get(key);
    if (e) this.drop(e);
  }

  /** Drops every key `match` accepts. */
  evictWhere(match: (key: string) => boolean): void {
    for (const e of [...this.entries.values()]) if (match(e.key)) this.drop(e);
  }

  /** Drops everything; entries in use close when released. */
  clear(): void {
    for (const e of [...this.entries.values()]) this.drop(e);
  }

  private drop(e: Entry<H>): void {
    this.entries.delete(e.key);
    e.gone = true;
    if (e.users === 0) this.closeEntry(e);
    if (this.entries.size === 0) this.disarmSweeper();
  }

  private trim(): void {
    for (const e of this.entries.values()) {
      if (this.entries.size <= this.opts.capacity) return;
      this.drop(e);
    }
  }

  private closeEntry(e: Entry<H>): void {
    e.value.then((h) => this.opts.close(h)).catch(() => undefined);
  }

  private armSweeper(): void {
    if (this.sweeper) return;
    const every = Math.max(10, Math.floor(this.opts.idleMs / 2));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  private disarmSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Closes entries unused for idleMs (the timer stops once nothing is kept, so no descriptor outlives its use by long). */
  private sweep(): void {
    const cutoff = Date.now() - this.opts.idleMs;
    for (const e of [...this.entries.values()]) {
      if (e.users === 0 && e.lastUsed !== 0 && e.lastUsed <= cutoff) this.drop(e);
    }
    if (this.entries.size === 0) this.disarmSweeper();
  }
}
