/**
 * The KV port: an ordered byte-key store with snapshot reads and optimistic transactions.
 *
 * Semantics every adapter must provide (checked by `describeKvContract`):
 * - Reads inside a transaction see one snapshot taken when the transaction started, plus the
 *   transaction's own writes.
 * - Commit is atomic: all writes become visible together or none do.
 * - Snapshot isolation: a commit fails with KvConflictError when any key it writes (or `lock`s) was
 *   committed by someone else after this transaction's snapshot. A key that a transaction only reads
 *   is NOT protected (TiKV's optimistic model): when a decision depends on a read staying true, the
 *   transaction must `lock` (or write) that key.
 * - `lock(key)` commits like a write that keeps the value: it fails when `key` changed after the
 *   snapshot, and it makes every overlapping transaction that writes or locks `key` fail in turn
 *   (TiKV's Op::Lock record). Two overlapping transactions that both lock a key: one of them fails.
 * - Keys are non-empty byte strings ordered by unsigned bytes; adapters bound their length (LMDB:
 *   1978 bytes). Values are copied on `put`, and every read returns a buffer the caller owns.
 * - A transaction handle must not be used after its `txn` call settles; adapters throw if it is.
 * - `txn` runs the function once: it does not retry. Retrying (backoff, metrics) is the caller's job.
 */
export type KvKey = Buffer;
export type KvValue = Buffer;

export interface KvPair {
  readonly key: KvKey;
  readonly value: KvValue;
}

export interface ScanOptions {
  /** At most this many pairs (default: no limit; callers should always bound it). */
  readonly limit?: number;
  /** Walk from `end` (exclusive) down to `start` (inclusive). */
  readonly reverse?: boolean;
}

export interface KvReader {
  get(key: KvKey): Promise<KvValue | undefined>;
  batchGet(keys: readonly KvKey[]): Promise<(KvValue | undefined)[]>;
  /** Pairs with start <= key < end (an empty `end` means no upper bound), in byte order (or reverse). */
  scan(start: KvKey, end: KvKey, opts?: ScanOptions): Promise<KvPair[]>;
}

export interface KvTxn extends KvReader {
  put(key: KvKey, value: KvValue): void;
  delete(key: KvKey): void;
  /** Take part in conflict detection for `key` without changing it (TiKV's Op::Lock). */
  lock(key: KvKey): void;
}

export interface KvSnapshot extends KvReader {
  /** Releases the snapshot (adapters may pin resources while it lives). Idempotent. */
  close(): void;
}

export interface TxnOptions {
  /**
   * The transaction must keep working on a store too full for new data: it frees space (deletes,
   * garbage collection, aborts) or keeps reads and the collector running (read leases, the
   * collector's own lease). It may use the space the store keeps in reserve, so that a full store can
   * still be read and emptied (TiKV's `DiskFullOpt::AllowedOnAlmostFull`). Default false.
   */
  readonly useReserve?: boolean;
}

export interface KvStore {
  /**
   * Runs `fn` in a new transaction and commits what it wrote. Throws KvConflictError on a write
   * conflict, KvStoreFullError when the store has no room for the commit; any error thrown by `fn`
   * rolls the transaction back and propagates unchanged.
   */
  txn<T>(fn: (tx: KvTxn) => Promise<T>, opts?: TxnOptions): Promise<T>;
  /** A consistent read-only view of the whole store. */
  snapshot(): Promise<KvSnapshot>;
  close(): Promise<void>;
  /**
   * Stores that keep old versions of every key (TiKV's MVCC) drop those no read from
   * `now - lifetimeMs` on can see. Stores that keep none (LMDB) leave this out.
   */
  collectMvccGarbage?(lifetimeMs: number): Promise<MvccGcReport>;
}

/** What one MVCC garbage collection run did. */
export interface MvccGcReport {
  /** 'advanced': the safe point moved; 'unchanged': it was already there, or a service holds it back. */
  readonly outcome: 'advanced' | 'unchanged';
  /** The safe point after the run, as Unix ms: reads below it are refused. */
  readonly safePointMs: number;
  /** Transactions older than the safe point committed or rolled back first, and their locks. */
  readonly txnsResolved: number;
  readonly locksResolved: number;
  /** The service holding the safe point back (a backup, a changefeed), when one does. */
  readonly heldBy?: string;
}

/** A write-write conflict (or a lock held by a live transaction): safe to retry the whole transaction. */
export class KvConflictError extends Error {
  override readonly name = 'KvConflictError';
  constructor(message = 'transaction write conflict', readonly key?: KvKey) {
    super(message);
  }
}

/** The backend is unreachable or overloaded after the adapter's own retries. */
export class KvUnavailableError extends Error {
  override readonly name = 'KvUnavailableError';
}

/**
 * The store has no room for the commit (the disk is full, or TiKV refuses writes below its reserved
 * space): nothing was written. Not retried: space does not come back in a backoff's time.
 */
export class KvStoreFullError extends Error {
  override readonly name = 'KvStoreFullError';
}

/**
 * The commit's outcome is unknown: the request that decides it (TiKV: the primary's commit) was
 * sent but no definite answer came back, even after checking. The transaction may or may not have
 * committed. NOT a KvConflictError: a caller must not blindly retry a non-idempotent transaction;
 * it should re-read the state (or make its writes idempotent) before deciding.
 */
export class KvUnknownOutcomeError extends Error {
  override readonly name = 'KvUnknownOutcomeError';
}

/**
 * The smallest key greater than every key starting with `prefix` (JuiceFS's nextKey).
 * An all-0xff prefix has no such key: returns an empty buffer, which callers treat as "to the end".
 */
export function prefixEnd(prefix: KvKey): KvKey {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] !== 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.alloc(0);
}

/** Reads a snapshot and releases it whatever happens. */
export async function withSnapshot<T>(kv: KvStore, fn: (s: KvSnapshot) => Promise<T>): Promise<T> {
  const snap = await kv.snapshot();
  try {
    return await fn(snap);
  } finally {
    snap.close();
  }
}
