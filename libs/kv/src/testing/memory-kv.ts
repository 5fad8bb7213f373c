import {
  KvConflictError,
  type KvKey,
  type KvPair,
  type KvReader,
  type KvSnapshot,
  type KvStore,
  type KvTxn,
  type KvValue,
  type ScanOptions,
} from '../kv';
import { SortedStrings } from './sorted-strings';
import { keyString, mergeScan, WriteBuffer } from '../write-buffer';

/**
 * An in-memory MVCC store with real optimistic conflicts, for tests of code that runs on the KV
 * port (JuiceFS's memory engine idea): retry paths run without a real backend.
 *
 * - Every commit gets the next version number. A transaction or snapshot reads at the version that
 *   was current when it began (plus, for a transaction, its own buffered writes).
 * - Commit fails with KvConflictError when a key it puts, deletes or `lock`s was committed after
 *   its start version. A lock commits like a write that keeps the value, so two overlapping
 *   transactions that lock the same key conflict too (as TiKV's Op::Lock records do).
 * - Keys live in a chunked sorted index (`SortedStrings`): scans cost O(log n + page).
 * - Old versions are kept only while an open transaction or snapshot can still see them.
 *
 * Fault injection for callers' tests: `failNextCommits`, `setDelays`, and `stats()` (e.g. to assert
 * that every snapshot was closed).
 */
export interface MemoryKvDelays {
  /** Waited before each commit validates: widens race windows between concurrent transactions. */
  readonly commitMs?: number;
  /** Waited before each get/batchGet/scan. */
  readonly readMs?: number;
}

export interface MemoryKvStats {
  readonly commits: number;
  /** Real write-write conflicts detected at commit. */
  readonly conflicts: number;
  /** Commits failed on purpose by `failNextCommits`. */
  readonly injectedFailures: number;
  /** Keys with a record (live values, tombstones and lock marks still needed by open readers). */
  readonly keys: number;
  /** Stored versions over all keys. */
  readonly versions: number;
  /** Transactions and snapshots not finished/closed yet. */
  readonly openReaders: number;
}

interface Version {
  readonly at: number;
  /** undefined: deleted at this version. */
  readonly value: KvValue | undefined;
}

interface KeyRecord {
  readonly key: KvKey;
  /** Ascending by `at`. */
  versions: Version[];
  /** Version of the last commit that wrote, deleted or locked the key (>= the newest version). */
  lastCommit: number;
}

export class MemoryKv implements KvStore {
  private readonly records = new Map<string, KeyRecord>();
  private readonly index = new SortedStrings();
  private committed = 0;
  /** start version -> open readers; insertion order is ascending because versions only grow. */
  private readonly readers = new Map<number, number>();
  /** Keys written per commit, in commit order: pruned once no reader is older than the commit. */
  private gcQueue: { readonly key: string; readonly at: number }[] = [];
  private gcHead = 0;
  private readonly pendingFailures: (() => Error)[] = [];
  private delays: MemoryKvDelays;
  private closed = false;
  private commits = 0;
  private conflicts = 0;
  private injectedFailures = 0;

  constructor(options: { delays?: MemoryKvDelays } = {}) {
    this.delays = options.delays ?? {};
  }

  /** The next `n` commits that write or lock something fail with `error` (default: a KvConflictError). */
  failNextCommits(n: number, error: Error | (() => Error) = () => new KvConflictError('injected conflict')): void {
    const make = typeof error === 'function' ? error : () => error;
    for (let i = 0; i < n; i++) this.pendingFailures.push(make);
  }

  setDelays(delays: MemoryKvDelays): void {
    this.delays = delays;
  }

  stats(): MemoryKvStats {
    let versions = 0;
    for (const r of this.records.values()) versions += r.versions.length;
    let openReaders = 0;
    for (const n of this.readers.values()) openReaders += n;
    return {
      commits: this.commits,
      conflicts: this.conflicts,
      injectedFailures: this.injectedFailures,
      keys: this.records.size,
      versions,
      openReaders,
    };
  }

  async txn<T>(fn: (tx: KvTxn) => Promise<T>): Promise<T> {
    this.checkOpen();
    const start = this.openReader();
    const tx = new MemoryTxn(this, start);
    try {
      const result = await fn(tx);
      tx.finish();
      if (!tx.buffer.isEmpty) await this.commit(start, tx.buffer);
      return result;
    } finally {
      tx.finish();
      // Only now: while this reader is open, GC keeps the marks that validation needs.
      this.closeReader(start);
    }
  }

  async snapshot(): Promise<KvSnapshot> {
    this.checkOpen();
    const at = this.openReader();
    return new MemorySnapshot(this, at, () => this.closeReader(at));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** @internal */
  async pauseForRead(): Promise<void> {
    if (this.delays.readMs) await sleep(this.delays.readMs);
    this.checkOpen();
  }

  /** @internal The value of `key` visible at version `at` (a copy). */
  readAt(key: KvKey, at: number): KvValue | undefined {
    const rec = this.records.get(keyString(key));
    const v = rec && visible(rec, at);
    return v && Buffer.from(v);
  }

  /** @internal Lazily yields the pairs visible at `at` with start <= key < end, in scan order. */
  *scanAt(start: KvKey, end: KvKey, reverse: boolean, at: number): Generator<KvPair> {
    const lo = keyString(start);
    const hi = end.length === 0 ? undefined : keyString(end);
    const keys = reverse ? this.index.descending(lo, hi) : this.index.ascending(lo, hi);
    for (const k of keys) {
      const rec = this.records.get(k);
      const v = rec && visible(rec, at);
      if (v && rec) yield { key: Buffer.from(rec.key), value: Buffer.from(v) };
    }
  }

  private async commit(start: number, buf: WriteBuffer): Promise<void> {
    if (this.delays.commitMs) await sleep(this.delays.commitMs);
    this.checkOpen();
    const injected = this.pendingFailures.shift();
    if (injected) {
      this.injectedFailures++;
      throw injected();
    }
    // Validate and apply with no await in between: JS runs this block atomically.
    for (const keys of [buf.writes.keys(), buf.locks.values()]) {
      for (const k of keys) {
        const rec = this.records.get(k);
        if (rec && rec.lastCommit > start) {
          this.conflicts++;
          const key = Buffer.from(k, 'latin1');
          throw new KvConflictError(`write conflict on key ${key.toString('hex')}`, key);
        }
      }
    }
    const at = ++this.committed;
    for (const [k, value] of buf.writes) this.record(k, at).versions.push({ at, value: value ?? undefined });
    for (const k of buf.locks) if (!buf.writes.has(k)) this.record(k, at);
    this.commits++;
    this.gc();
  }

  /** The record of `k`, created if needed, marked as committed at `at`. */
  private record(k: string, at: number): KeyRecord {
    let rec = this.records.get(k);
    if (!rec) {
      rec = { key: Buffer.from(k, 'latin1'), versions: [], lastCommit: at };
      this.records.set(k, rec);
      this.index.insert(k);
    }
    rec.lastCommit = at;
    this.gcQueue.push({ key: k, at });
    return rec;
  }

  private openReader(): number {
    const at = this.committed;
    this.readers.set(at, (this.readers.get(at) ?? 0) + 1);
    return at;
  }

  private closeReader(at: number): void {
    const n = (this.readers.get(at) ?? 1) - 1;
    if (n > 0) this.readers.set(at, n);
    else this.readers.delete(at);
    this.gc();
  }

  /** Drops versions and marks that no open reader (and no future one) can observe. */
  private gc(): void {
    const oldest = this.readers.keys().next();
    const bound = oldest.done ? this.committed : oldest.value;
    while (this.gcHead < this.gcQueue.length && this.gcQueue[this.gcHead].at <= bound) {
      const { key } = this.gcQueue[this.gcHead++];
      const rec = this.records.get(key);
      if (!rec) continue;
      // Every reader reads at >= bound: only the newest version at or below it stays visible.
      let keep = rec.versions.length - 1;
      while (keep > 0 && rec.versions[keep].at > bound) keep--;
      if (keep > 0) rec.versions.splice(0, keep);
      const dead = rec.versions.length === 0 || (rec.versions.length === 1 && rec.versions[0].value === undefined);
      if (dead && rec.lastCommit <= bound) {
        this.records.delete(key);
        this.index.remove(key);
      }
    }
    if (this.gcHead > 1024 && this.gcHead * 2 > this.gcQueue.length) {
      this.gcQueue = this.gcQueue.slice(this.gcHead);
      this.gcHead = 0;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('MemoryKv is closed');
  }
}

class MemoryReader implements KvReader {
  protected finished = false;

  constructor(
    protected readonly store: MemoryKv,
    protected readonly at: number,
  ) {}

  async get(key: KvKey): Promise<KvValue | undefined> {
    await this.ready();
    return this.store.readAt(key, this.at);
  }

  async batchGet(keys: readonly KvKey[]): Promise<(KvValue | undefined)[]> {
    await this.ready();
    return keys.map((k) => this.store.readAt(k, this.at));
  }

  async scan(start: KvKey, end: KvKey, opts: ScanOptions = {}): Promise<KvPair[]> {
    await this.ready();
    const reverse = opts.reverse ?? false;
    return mergeScan(this.store.scanAt(start, end, reverse, this.at), [], reverse, opts.limit ?? Infinity);
  }

  protected async ready(): Promise<void> {
    this.checkLive();
    await this.store.pauseForRead();
    this.checkLive();
  }

  protected checkLive(): void {
    if (this.finished) throw new Error('MemoryKv: transaction or snapshot already finished');
  }
}

class MemorySnapshot extends MemoryReader implements KvSnapshot {
  constructor(
    store: MemoryKv,
    at: number,
    private readonly release: () => void,
  ) {
    super(store, at);
  }

  close(): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
  }
}

class MemoryTxn extends MemoryReader implements KvTxn {
  readonly buffer = new WriteBuffer();

  override async get(key: KvKey): Promise<KvValue | undefined> {
    await this.ready();
    const own = this.buffer.get(key);
    return own === undefined ? this.store.readAt(key, this.at) : (own ?? undefined);
  }

  override async batchGet(keys: readonly KvKey[]): Promise<(KvValue | undefined)[]> {
    await this.ready();
    return keys.map((k) => {
      const own = this.buffer.get(k);
      return own === undefined ? this.store.readAt(k, this.at) : (own ?? undefined);
    });
  }

  override async scan(start: KvKey, end: KvKey, opts: ScanOptions = {}): Promise<KvPair[]> {
    await this.ready();
    const reverse = opts.reverse ?? false;
    const base = this.store.scanAt(start, end, reverse, this.at);
    return mergeScan(base, this.buffer.range(start, end, reverse), reverse, opts.limit ?? Infinity);
  }

  put(key: KvKey, value: KvValue): void {
    this.checkWritable(key);
    this.buffer.put(key, value);
  }

  delete(key: KvKey): void {
    this.checkWritable(key);
    this.buffer.delete(key);
  }

  lock(key: KvKey): void {
    this.checkWritable(key);
    this.buffer.lock(key);
  }

  finish(): void {
    this.finished = true;
  }

  private checkWritable(key: KvKey): void {
    this.checkLive();
    if (key.length === 0) throw new Error('KV keys must not be empty');
  }
}

/** The value visible at version `at` (undefined when absent or deleted). */
function visible(rec: KeyRecord, at: number): KvValue | undefined {
  for (let i = rec.versions.length - 1; i >= 0; i--) if (rec.versions[i].at <= at) return rec.versions[i].value;
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
