import { statfsSync } from 'node:fs';
import {
  KvConflictError,
  KvStoreFullError,
  type KvKey,
  type KvPair,
  type KvReader,
  type KvSnapshot,
  type KvStore,
  type KvTxn,
  type KvValue,
  type ScanOptions,
} from '@massive/kv';
import { open, type Database, type DatabaseOptions, type RangeOptions, type RootDatabase, type Transaction } from 'lmdb';
import { ConflictTracker } from './conflict-tracker';
import { mergeScan, WriteBuffer } from '@massive/kv';

export interface LmdbKvOptions {
  /** Directory of the LMDB environment (created if missing). */
  readonly path: string;
  /** Initial map size in bytes (virtual address space; lmdb-js grows it when full). Default 64 GiB. */
  readonly mapSize?: number;
  /**
   * Page size of a store this creates (default 8192, DEFAULT_PAGE_SIZE); an existing store keeps the
   * page size it was made with (LMDB records it in the meta pages), so older 4 KiB stores open as before.
   */
  readonly pageSize?: number;
}

/**
 * 8 KiB pages, not the OS's 4 KiB. A value that does not fit in a leaf goes to overflow pages, as one
 * contiguous run: a 4 KiB object's record (about 4.4 KB with its version record) takes a run of two 4 KiB
 * pages, but one 8 KiB page. lmdb-js's free-page bookkeeping inserts each freed run into a sorted array
 * (`mdb_midl_insert`), which churn makes quadratic once the free list is large and fragmented. Measured
 * with `tools/bench/lmdb-churn.mjs` (cycles of PUT 60,000 such records, DELETE nine in ten): write CPU per
 * object rose from 9 to 33-40 µs within three or four cycles on 4 KiB pages and stayed at 8-9 µs over
 * eight cycles on 8 KiB pages; `perf` put 31% of a local server's CPU in `mdb_midl_insert` during its
 * sixth bench DELETE row. A fresh store's 4 KiB PUT rate is the same on both (four interleaved rounds,
 * 2026-12-05). 16 KiB pages would keep 4 KiB objects in the leaves, but write 16 KiB per dirtied page and
 * round every larger inline value up to 16 KiB. Values over 8 KiB still take runs (their churn cost
 * doubled in the same test at 4, 8 or 16 KiB pages).
 */
export const DEFAULT_PAGE_SIZE = 8192;

/**
 * Address space an LmdbKv maps up front (`mapSize`). Not a limit: lmdb-js maps more as the file grows.
 * Lower it where virtual memory is capped (`ulimit -v`, valgrind).
 */
export const DEFAULT_MAP_SIZE = 64 * 2 ** 30;

/**
 * The embedded KvStore on LMDB (lmdb-js), for local mode. One process owns the directory, and one
 * LmdbKv instance per directory: conflict detection lives in this object's memory.
 *
 * - Reads: a transaction pins an LMDB read transaction on first use and reads everything through it
 *   (one consistent snapshot, no locks, zero writer interference). Writes are buffered in memory.
 * - Commit: validated in memory on the event loop (`ConflictTracker.claim`), then queued as one
 *   `batch` of puts and deletes with the new commit seq. lmdb-js's writer thread applies queued
 *   batches in order, each whole, many in one LMDB write transaction and one fsync (group commit),
 *   without calling back into the event loop. (Until 2026-12-06 each commit was a `transaction(cb)`
 *   callback, validated and applied inside the write transaction: the writer thread then waited once
 *   per batch for the event loop to run the callbacks, 0.3-0.5 ms of every commit's latency at low
 *   concurrency; see `commit`.) A refused commit never reaches LMDB, so it cannot disturb the commits
 *   batched with it.
 * - Conflicts: each commit gets a sequence number, persisted in the `meta` database in the same LMDB
 *   transaction, so a snapshot reads exactly which commit it reflects. `ConflictTracker` remembers,
 *   in memory and only while a live transaction could care, the last commit seq of each written or
 *   locked key. Cost: a Map lookup per written key, no extra LMDB reads or writes per key. (Rejected:
 *   per-key version headers in values, which cost bytes and tombstones on disk forever; comparing
 *   values with the snapshot, which misses A-B-A changes and cannot express `lock`.)
 * - Durability: `overlappingSync: false`, so a commit resolves only once flushed to disk (see the
 *   open options); `apps/gateway/test/durability.spec.ts` proves the order at the syscall.
 * - Layout: user pairs live in the named database `data` (the root database holds LMDB's own
 *   catalogue of named databases), bookkeeping in `meta`: `format` (= 1) and `seq`.
 */
export class LmdbKv implements KvStore {
  private readonly root: RootDatabase<Buffer, Buffer>;
  private readonly data: Database<Buffer, Buffer>;
  private readonly meta: Database<Buffer, Buffer>;
  private readonly tracker: ConflictTracker;
  /** The longest key LMDB accepts in this store (lmdb-js: 1978 bytes on 4 KiB pages, 4026 on larger). */
  readonly maxKeySize: number;
  /** The store's page size (what it was created with). */
  readonly pageSize: number;
  private closed = false;
  private readonly running = new Set<Promise<unknown>>();
  /** Settles when the last commit queued so far has (every earlier one has too). */
  private lastQueued: Promise<void> = Promise.resolve();
  private readonly path: string;

  constructor(options: LmdbKvOptions) {
    this.path = options.path;
    this.root = open<Buffer, Buffer>({
      path: options.path,
      mapSize: options.mapSize ?? DEFAULT_MAP_SIZE,
      keyEncoding: 'binary',
      encoding: 'binary',
      maxDbs: 4,
      // Durability, explicitly (never a library default): a commit's promise resolves only after
      // mdb_txn_commit has fdatasync'd the data file and written the meta page through LMDB's O_DSYNC
      // descriptor, so the flush is part of the commit. lmdb-js's default on Linux, overlappingSync,
      // makes a commit visible first and flushes it later on a separate event; we do not want readers
      // to see, or replies to acknowledge, a state that a power cut can undo. Group commit still
      // happens: every transaction queued while a flush runs goes into the next LMDB write
      // transaction and shares its one flush (16 concurrent PUTs: 2 flushes, measured with the
      // LD_PRELOAD shim of apps/gateway/test/durability, which guards this ordering).
      overlappingSync: false,
      noSync: false,
      pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
    });
    this.data = this.root.openDB<Buffer, Buffer>('data', { keyEncoding: 'binary', encoding: 'binary', encoder: POOLED_COPY } as DatabaseOptions);
    this.meta = this.root.openDB<Buffer, Buffer>('meta', { keyEncoding: 'binary', encoding: 'binary' });
    const format = this.meta.get(FORMAT_KEY);
    if (format === undefined) this.meta.putSync(FORMAT_KEY, Buffer.from([FORMAT_VERSION]));
    else if (format[0] !== FORMAT_VERSION) throw new Error(`LmdbKv: unknown store format ${format[0]} at ${options.path}`);
    this.tracker = new ConflictTracker(decodeSeq(this.meta.get(SEQ_KEY)));
    this.maxKeySize = (this.root as { maxKeySize?: number }).maxKeySize ?? 511;
    this.pageSize = (this.root.getStats() as { pageSize: number }).pageSize;
  }

  /**
   * Bytes the store can fill without growing its file: pages freed by deletes, which LMDB reuses but
   * never gives back to the filesystem. Counted as free space by the metadata store's reserve, so that
   * deleting small (inline) objects lets writes in again. From LMDB's own counts: the file's pages up to
   * the last one used, less every page of every database (the catalogue, the free list, `data`, `meta`)
   * and the two meta pages. Pages still pinned by a long read are included: they come back when it ends.
   */
  reusableBytes(): number {
    const root = this.root.getStats() as LmdbStats & { lastPageNumber: number; free: LmdbStats };
    const used = 2 + pagesOf(root) + pagesOf(root.free) + pagesOf(this.data.getStats() as LmdbStats) + pagesOf(this.meta.getStats() as LmdbStats);
    return Math.max(0, root.lastPageNumber + 1 - used) * this.pageSize;
  }

  async txn<T>(fn: (tx: KvTxn) => Promise<T>): Promise<T> {
    this.checkOpen();
    const run = this.run(fn);
    this.running.add(run);
    try {
      return await run;
    } finally {
      this.running.delete(run);
    }
  }

  private async run<T>(fn: (tx: KvTxn) => Promise<T>): Promise<T> {
    const tx = new LmdbTxn(this);
    try {
      const result = await fn(tx);
      tx.finish();
      if (!tx.buffer.isEmpty) await this.commit(tx.view(), tx.buffer);
      return result;
    } finally {
      tx.release();
    }
  }

  async snapshot(): Promise<KvSnapshot> {
    this.checkOpen();
    return new LmdbSnapshot(this, this.root.useReadTransaction());
  }

  /** Refuses new work, waits for running transactions, then closes LMDB. Close snapshots first. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.running]);
    await this.root.close();
  }

  /** @internal Pins a read transaction and registers it for conflict tracking. */
  openView(): View {
    // No checkOpen: a transaction that began before close() may still start reading.
    const rtx = this.root.useReadTransaction();
    return { rtx, registration: this.tracker.begin(), seq: undefined };
  }

  /** @internal The exact commit seq a view reflects; read once, while its read txn is alive. */
  viewSeq(view: View): number {
    view.seq ??= decodeSeq(this.meta.get(SEQ_KEY, { transaction: view.rtx }));
    return view.seq;
  }

  /** @internal */
  closeView(view: View, rtxDone: boolean): void {
    if (!rtxDone) view.rtx.done();
    this.tracker.end(view.registration);
  }

  /** @internal */
  read(key: KvKey, rtx: Transaction): KvValue | undefined {
    if (key.length === 0 || key.length > this.maxKeySize) return undefined; // cannot be stored
    return this.data.get(key, { transaction: rtx });
  }

  /** @internal Lazily yields stored pairs with start <= key < end, in scan order. */
  range(start: KvKey, end: KvKey, reverse: boolean, rtx: Transaction, limit?: number): Iterable<KvPair> {
    if (end.length > 0 && Buffer.compare(start, end) >= 0) return [];
    const lo = start.length > 0 ? start : undefined;
    const hi = end.length > 0 ? end : undefined;
    const opts: RangeOptions = reverse
      ? { start: hi, end: lo, reverse: true, exclusiveStart: hi !== undefined, inclusiveEnd: true }
      : { start: lo, end: hi };
    return this.data.getRange({ ...opts, limit, transaction: rtx });
  }

  /** @internal Checks a key before it is buffered, so that applying a commit cannot fail on it. */
  checkKey(key: KvKey): void {
    if (key.length === 0) throw new Error('KV keys must not be empty');
    if (key.length > this.maxKeySize) {
      throw new Error(`KV key of ${key.length} bytes exceeds LMDB's limit of ${this.maxKeySize}`);
    }
  }

  private async commit(view: View, buf: WriteBuffer): Promise<void> {
    const snapshotSeq = view.seq ?? 0; // set by the first put/delete/lock
    // Validated and claimed here, on the event loop, in the order the commits are queued, which is the
    // order lmdb-js applies them in: a claim's keys carry its seq from now on, so a later commit that
    // read them from an older snapshot conflicts even while this one is still on its way to disk.
    const claimed = this.tracker.claim(snapshotSeq, [[...buf.writes.keys()], [...buf.locks]]);
    if (typeof claimed !== 'number') {
      // The commit it conflicts with may not be on disk yet: the retry's snapshot must see it, or it
      // would meet the same conflict again. Queued commits finish in order, so wait for the last one.
      await this.lastQueued;
      if (claimed.conflict === '') throw new KvConflictError('snapshot too old to validate');
      const key = Buffer.from(claimed.conflict, 'latin1');
      throw new KvConflictError(`write conflict on key ${key.toString('hex')}`, key);
    }
    let done: Promise<boolean>;
    try {
      // One conditional block with no condition: lmdb-js's writer thread applies it whole, in one LMDB
      // write transaction, never split across two, without calling back into the event loop (a
      // transaction callback made the writer wait for a busy loop once per batch).
      done = this.root.batch(() => {
        for (const [k, v] of buf.writes) {
          const key = Buffer.from(k, 'latin1');
          if (v) void this.data.put(key, v);
          else void this.data.remove(key);
        }
        void this.meta.put(SEQ_KEY, encodeSeq(claimed));
      });
    } catch (e) {
      this.tracker.abandon(claimed);
      throw e;
    }
    this.lastQueued = done.then(settled, settled);
    try {
      await done;
    } catch (e) {
      // LMDB aborted the write transaction (with every commit batched into it): nothing of it reached
      // the file, so its claim must not make later transactions conflict.
      this.tracker.abandon(claimed);
      throw await commitFailure(e, this.path);
    }
    this.tracker.markResolved(claimed);
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('LmdbKv is closed');
  }
}

interface View {
  readonly rtx: Transaction;
  /** Registration in the tracker (a lower bound of `seq`). */
  readonly registration: number;
  /** Snapshot seq, read on the first write only. */
  seq: number | undefined;
}

class LmdbSnapshot implements KvSnapshot {
  private closed = false;

  constructor(
    private readonly store: LmdbKv,
    private readonly rtx: Transaction,
  ) {}

  async get(key: KvKey): Promise<KvValue | undefined> {
    return this.store.read(key, this.live());
  }

  async batchGet(keys: readonly KvKey[]): Promise<(KvValue | undefined)[]> {
    const rtx = this.live();
    return keys.map((k) => this.store.read(k, rtx));
  }

  async scan(start: KvKey, end: KvKey, opts: ScanOptions = {}): Promise<KvPair[]> {
    return collect(this.store.range(start, end, opts.reverse ?? false, this.live(), opts.limit));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rtx.done();
  }

  private live(): Transaction {
    if (this.closed) throw new Error('LmdbKv: snapshot already closed');
    return this.rtx;
  }
}

class LmdbTxn implements KvTxn, KvReader {
  readonly buffer = new WriteBuffer();
  private pinned?: View;
  private finished = false;
  private rtxDone = false;

  constructor(private readonly store: LmdbKv) {}

  async get(key: KvKey): Promise<KvValue | undefined> {
    const rtx = this.readable();
    const own = this.buffer.get(key);
    return own === undefined ? this.store.read(key, rtx) : (own ?? undefined);
  }

  async batchGet(keys: readonly KvKey[]): Promise<(KvValue | undefined)[]> {
    const rtx = this.readable();
    return keys.map((k) => {
      const own = this.buffer.get(k);
      return own === undefined ? this.store.read(k, rtx) : (own ?? undefined);
    });
  }

  async scan(start: KvKey, end: KvKey, opts: ScanOptions = {}): Promise<KvPair[]> {
    const rtx = this.readable();
    const reverse = opts.reverse ?? false;
    const overlay = this.buffer.range(start, end, reverse);
    if (overlay.length === 0) return collect(this.store.range(start, end, reverse, rtx, opts.limit));
    return mergeScan(this.store.range(start, end, reverse, rtx), overlay, reverse, opts.limit ?? Infinity);
  }

  put(key: KvKey, value: KvValue): void {
    this.writable(key);
    this.buffer.put(key, value);
  }

  delete(key: KvKey): void {
    this.writable(key);
    this.buffer.delete(key);
  }

  lock(key: KvKey): void {
    this.writable(key);
    this.buffer.lock(key);
  }

  /** The snapshot, pinned on first use (a transaction that touches nothing costs nothing). */
  view(): View {
    this.pinned ??= this.store.openView();
    return this.pinned;
  }

  /** fn has returned: no more operations; the read transaction is no longer needed. */
  finish(): void {
    this.finished = true;
    if (this.pinned && !this.rtxDone) {
      this.rtxDone = true;
      this.pinned.rtx.done();
    }
  }

  /** The txn call is over (committed, failed or thrown): unregister from conflict tracking. */
  release(): void {
    this.finished = true;
    if (this.pinned) this.store.closeView(this.pinned, this.rtxDone);
    this.rtxDone = true;
  }

  private readable(): Transaction {
    if (this.finished) throw new Error('LmdbKv: transaction already finished');
    return this.view().rtx;
  }

  private writable(key: KvKey): void {
    if (this.finished) throw new Error('LmdbKv: transaction already finished');
    this.store.checkKey(key);
    this.store.viewSeq(this.view());
  }
}

/** Pairs out of lmdb-js, as Buffers the caller owns (lmdb-js returns fresh copies for 'binary'). */
function collect(pairs: Iterable<KvPair>): KvPair[] {
  const out: KvPair[] = [];
  for (const { key, value } of pairs) out.push({ key, value });
  return out;
}

const FORMAT_VERSION = 1;
/**
 * How values leave lmdb-js: a copy of the bytes into Node's Buffer pool (values under 4 KiB share an
 * 8 KiB ArrayBuffer, as every small Buffer does), handed to the caller, who owns it. lmdb-js's own
 * `binary` encoding copies each value with Uint8Array#slice, an ArrayBuffer of its own per value:
 * three per local-mode GET (bucket, object and version records) and 1,000 per listing page, each
 * tracked by V8's GC as external memory. Writes pass the caller's Buffer through unchanged. With a
 * decoder lmdb-js hands over its reused read buffer (`decoderCopies`); the second argument is the
 * value's size in range scans and the read options in `get` (where the buffer's length is the size).
 */
const POOLED_COPY = {
  encode: (value: Buffer): Buffer => value,
  decode(bytes: Uint8Array, size?: unknown): Buffer {
    // lmdb-js's read buffer carries the value's size as an own `length` (its typed-array length is the
    // whole buffer's): take the size from there, the bytes through subarray.
    const n = typeof size === 'number' ? size : bytes.length;
    const out = n < Buffer.poolSize >>> 1 || n > SLAB_VALUE_MAX ? Buffer.allocUnsafe(n) : fromSlab(n);
    out.set(bytes.subarray(0, n));
    return out;
  },
  needsStableBuffer: false,
};

/**
 * Values from 4 KiB (where Node's pool stops) to 16 KiB are cut from a 128 KiB slab of our own, as Node's
 * pool does below 4 KiB: an ArrayBuffer of their own cost 3-4 µs each (malloc, V8's external-memory
 * accounting, the GC's sweep of it), and a local-mode GET of a 4 KiB object reads one such value, the
 * version record with its inline bytes. A value keeps its slab alive as long as it lives, as a pooled
 * Buffer keeps its 8 KiB: at most 8x its size.
 */
const SLAB_BYTES = 128 * 1024;
const SLAB_VALUE_MAX = SLAB_BYTES / 8;
let slab = Buffer.allocUnsafeSlow(0);
let slabUsed = 0;
function fromSlab(n: number): Buffer {
  if (slab.length - slabUsed < n) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + n);
  slabUsed = (slabUsed + n + 7) & ~7; // 8-byte aligned, as Node's pool
  return out;
}

const settled = (): void => undefined;
const FORMAT_KEY = Buffer.from('format');
const SEQ_KEY = Buffer.from('seq');

function encodeSeq(seq: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(seq));
  return b;
}

function decodeSeq(raw: Buffer | undefined): number {
  return raw ? Number(raw.readBigUInt64BE()) : 0;
}

interface LmdbStats {
  readonly treeBranchPageCount: number;
  readonly treeLeafPageCount: number;
  readonly overflowPages: number;
}

function pagesOf(s: LmdbStats): number {
  return s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages;
}

/** Free bytes under which a failed commit is taken for a full disk (LMDB turns a short write into EIO). */
const FULL_DISK_SLACK = 64 * 2 ** 20;
/** How long a failed commit waits for lmdb-js to name the cause (it does so in the same turn). */
const CAUSE_WAIT_MS = 1000;

/**
 * A failed LMDB commit → the error `txn` throws. lmdb-js rejects every transaction of the failed batch
 * with "Commit failed" and puts the cause in `commitError`, a promise rejected once for the batch; left
 * unhandled, that rejection kills the process, so it is always handled here. A full disk (ENOSPC,
 * EDQUOT, or the EIO that LMDB makes of a short write, when the disk has next to no space left) is
 * KvStoreFullError; anything else keeps its cause.
 */
async function commitFailure(err: unknown, path: string): Promise<Error> {
  const pending = (err as { commitError?: unknown } | undefined)?.commitError;
  let cause: unknown = err;
  if (pending instanceof Promise) {
    let timer: NodeJS.Timeout | undefined;
    cause = await Promise.race([
      pending.then(
        () => err,
        (reason: unknown) => reason,
      ),
      new Promise<unknown>((resolve) => (timer = setTimeout(resolve, CAUSE_WAIT_MS, err))),
    ]);
    clearTimeout(timer);
  }
  const code = (cause as { code?: unknown } | undefined)?.code;
  const what = cause instanceof Error ? cause.message : String(cause);
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 28 || code === 122 || diskAlmostFull(path)) {
    return new KvStoreFullError(`LMDB commit failed, the disk holding ${path} is full: ${what}`);
  }
  return new Error(`LMDB commit failed: ${what}`, { cause });
}

function diskAlmostFull(path: string): boolean {
  try {
    const s = statfsSync(path);
    return s.bavail * s.bsize < FULL_DISK_SLACK;
  } catch {
    return false;
  }
}
