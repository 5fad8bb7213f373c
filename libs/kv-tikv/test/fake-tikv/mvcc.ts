/**
 * The fake's storage: Percolator's three column families per user key, exactly as TiKV lays them out
 * in RocksDB, only in memory.
 * - lock CF:    key -> the one lock of an in-flight transaction (primary, start_ts, ttl, op, ...)
 * - write CF:   key -> commit records {start_ts, commit_ts, kind}, newest commit_ts first; a Rollback
 *               record sits at commit_ts = start_ts
 * - default CF: (key, start_ts) -> value written by prewrite, referenced by a Put commit record
 * Keys are raw user keys (API V1). Nothing here knows about regions or the wire. `gc` is TiKV's MVCC
 * garbage collection below a safe point (gc.ts drives it from PD's).
 */
import { MAX_U64, hex, unhex } from './codec';
import { serializeLock, type JournalEntry } from './journal';
import { Op } from './types';

export type LockOp = typeof Op.Put | typeof Op.Del | typeof Op.Lock;
export type WriteKind = 'Put' | 'Delete' | 'Lock' | 'Rollback';

export interface MvccLock {
  readonly primary: Buffer;
  readonly startTs: bigint;
  ttl: bigint;
  readonly op: LockOp;
  minCommitTs: bigint;
  readonly txnSize: bigint;
}

export interface MvccWrite {
  readonly startTs: bigint;
  readonly commitTs: bigint;
  readonly kind: WriteKind;
}

interface Row {
  lock?: MvccLock;
  writes: MvccWrite[];
  data: Map<bigint, Buffer>;
}

/** Transactions a read may look through (Context.resolved_locks / committed_locks). */
export interface ReadBypass {
  readonly resolved?: ReadonlySet<bigint>;
  readonly committed?: ReadonlySet<bigint>;
}

/** What one GC pass removed: write records, default-CF values, keys left with no column at all. */
export interface GcRun {
  readonly safePoint: bigint;
  readonly versionsRemoved: number;
  readonly valuesRemoved: number;
  readonly keysRemoved: number;
}

export type ReadResult =
  | { readonly kind: 'locked'; readonly lock: MvccLock }
  | { readonly kind: 'value'; readonly value: Buffer; readonly commitTs: bigint }
  | { readonly kind: 'none' };

export class MvccStore {
  /** Set by FileJournal.open: every mutation below is logged there (fake:tikv --data-dir). */
  journal: { record(e: JournalEntry): void } | undefined;
  /** The safe point the last GC pass collected at (0 = never): a read below it may miss versions. */
  gcSafePoint = 0n;
  private readonly rows = new Map<string, Row>();
  /** Hex keys in byte order (hex of equal-width bytes sorts like the bytes). */
  private order: string[] = [];

  // ------------------------------------------------------------------ column families

  lockOf(key: Buffer): MvccLock | undefined {
    return this.rows.get(hex(key))?.lock;
  }

  putLock(key: Buffer, lock: MvccLock): void {
    this.row(key).lock = lock;
    this.journal?.record({ op: 'lock', key: hex(key), lock: serializeLock(lock) });
  }

  deleteLock(key: Buffer): void {
    const row = this.rows.get(hex(key));
    if (row) row.lock = undefined;
    this.journal?.record({ op: 'unlock', key: hex(key) });
  }

  putData(key: Buffer, startTs: bigint, value: Buffer): void {
    this.row(key).data.set(startTs, Buffer.from(value));
    this.journal?.record({ op: 'data', key: hex(key), startTs: String(startTs), value: value.toString('base64') });
  }

  dataOf(key: Buffer, startTs: bigint): Buffer | undefined {
    return this.rows.get(hex(key))?.data.get(startTs);
  }

  deleteData(key: Buffer, startTs: bigint): void {
    this.rows.get(hex(key))?.data.delete(startTs);
    this.journal?.record({ op: 'undata', key: hex(key), startTs: String(startTs) });
  }

  putWrite(key: Buffer, write: MvccWrite): void {
    const writes = this.row(key).writes;
    let i = 0;
    while (i < writes.length && writes[i].commitTs > write.commitTs) i++;
    if (i < writes.length && writes[i].commitTs === write.commitTs) {
      throw new Error(`fake-tikv: two write records of ${hex(key)} at commit_ts ${write.commitTs}`);
    }
    writes.splice(i, 0, write);
    this.journal?.record({ op: 'write', key: hex(key), startTs: String(write.startTs), commitTs: String(write.commitTs), kind: write.kind });
  }

  /** Newest write record with commit_ts <= maxCommitTs (any kind). */
  newestWrite(key: Buffer, maxCommitTs = MAX_U64): MvccWrite | undefined {
    return this.rows.get(hex(key))?.writes.find((w) => w.commitTs <= maxCommitTs);
  }

  /** The record a transaction left on `key`: its commit record, or its Rollback (TiKV get_txn_commit_record). */
  txnRecord(key: Buffer, startTs: bigint): MvccWrite | undefined {
    return this.rows.get(hex(key))?.writes.find((w) => w.startTs === startTs);
  }

  /** Newest committed Put/Delete at or before `ts` (Lock and Rollback records are skipped). */
  committedValue(key: Buffer, ts: bigint): { value: Buffer; commitTs: bigint } | undefined {
    const row = this.rows.get(hex(key));
    const w = row?.writes.find((x) => x.commitTs <= ts && (x.kind === 'Put' || x.kind === 'Delete'));
    if (!row || !w || w.kind === 'Delete') return undefined;
    const value = row.data.get(w.startTs);
    if (!value) throw new Error(`fake-tikv: missing default-CF value of ${hex(key)}@${w.startTs}`);
    return { value, commitTs: w.commitTs };
  }

  // ------------------------------------------------------------------ snapshot read

  /**
   * A read at `ts` (TiKV point getter + check_ts_conflict_si): a lock blocks it when
   * lock.start_ts <= ts, the lock is a Put/Del lock, min_commit_ts <= ts and the txn is not in
   * resolved_locks; a ts of u64::MAX reads through the primary's own lock.
   */
  read(key: Buffer, ts: bigint, bypass: ReadBypass = {}): ReadResult {
    const lock = this.lockOf(key);
    if (lock && this.blocks(key, lock, ts, bypass)) {
      if (!bypass.committed?.has(lock.startTs)) return { kind: 'locked', lock };
      if (lock.op === Op.Del) return { kind: 'none' };
      const value = this.dataOf(key, lock.startTs);
      return value ? { kind: 'value', value, commitTs: 0n } : { kind: 'none' };
    }
    const v = this.committedValue(key, ts);
    return v ? { kind: 'value', ...v } : { kind: 'none' };
  }

  private blocks(key: Buffer, lock: MvccLock, ts: bigint, bypass: ReadBypass): boolean {
    if (lock.startTs > ts) return false;
    if (lock.op === Op.Lock) return false;
    if (ts === MAX_U64 && lock.primary.equals(key)) return false;
    if (lock.minCommitTs > ts) return false;
    return !bypass.resolved?.has(lock.startTs);
  }

  // ------------------------------------------------------------------ garbage collection

  /**
   * TiKV's MVCC GC of every key at `safePoint` (storage/txn/actions/gc.rs; the compaction filter,
   * TiKV's default since 5.0, reaches the same end state during compactions). Per key, newest
   * record first: records above the safe point stay. At or below it, Lock and Rollback records go
   * (they carry no data); the newest Put stays with its value and every older record goes, Puts
   * with their values; if a Delete comes first, it goes too, with everything older: the key is
   * gone below the safe point. So every read at a ts >= safePoint answers as before, while the
   * status of a txn whose records went is no longer known (in TiKV neither): its locks must be
   * resolved before the safe point passes it. The lock CF is never touched. A safe point at or
   * below the last one collects nothing (undefined): TiKV's GC manager acts only when PD's safe
   * point advanced. Logged as one `gc` journal entry, which replay runs again: the log rebuilds
   * the same state up to that line, and the pass is a function of it.
   */
  gc(safePoint: bigint): GcRun | undefined {
    if (safePoint <= this.gcSafePoint) return undefined;
    let versionsRemoved = 0;
    let valuesRemoved = 0;
    let keysRemoved = 0;
    for (const [k, row] of this.rows) {
      const kept: MvccWrite[] = [];
      let older = false; // past the newest Put/Delete at or below the safe point
      for (const w of row.writes) {
        if (w.commitTs > safePoint || (!older && w.kind === 'Put')) {
          if (w.commitTs <= safePoint) older = true;
          kept.push(w);
          continue;
        }
        if (w.kind === 'Delete') older = true;
        versionsRemoved++;
        // A live lock of the same txn would share this value (key@start_ts): never reached through
        // the protocol (a committed txn holds no lock on the key), but a fabricated state must not
        // lose a pending prewrite's value.
        if (w.kind === 'Put' && row.lock?.startTs !== w.startTs && row.data.delete(w.startTs)) valuesRemoved++;
      }
      row.writes = kept;
      if (!row.lock && kept.length === 0 && row.data.size === 0) {
        this.rows.delete(k);
        keysRemoved++;
      }
    }
    if (keysRemoved > 0) this.order = this.order.filter((k) => this.rows.has(k));
    this.gcSafePoint = safePoint;
    this.journal?.record({ op: 'gc', safePoint: String(safePoint) });
    return { safePoint, versionsRemoved, valuesRemoved, keysRemoved };
  }

  // ------------------------------------------------------------------ iteration and inspection

  /** Raw keys with start <= key < end (empty end = +inf) that have any column, in byte order. */
  keysInRange(start: Buffer, end: Buffer, reverse = false): Buffer[] {
    const lo = hex(start);
    const hi = end.length === 0 ? undefined : hex(end);
    const out: Buffer[] = [];
    for (let i = this.lowerBound(lo); i < this.order.length; i++) {
      if (hi !== undefined && this.order[i] >= hi) break;
      out.push(unhex(this.order[i]));
    }
    return reverse ? out.reverse() : out;
  }

  /** Every key's lock, in key order. */
  locks(): { key: Buffer; lock: MvccLock }[] {
    const out: { key: Buffer; lock: MvccLock }[] = [];
    for (const k of this.order) {
      const lock = this.rows.get(k)?.lock;
      if (lock) out.push({ key: unhex(k), lock });
    }
    return out;
  }

  /** The write column of `key`, newest first, with the value each Put points at. */
  versions(key: Buffer): (MvccWrite & { value?: Buffer })[] {
    const row = this.rows.get(hex(key));
    if (!row) return [];
    return row.writes.map((w) => (w.kind === 'Put' ? { ...w, value: row.data.get(w.startTs) } : { ...w }));
  }

  private row(key: Buffer): Row {
    const k = hex(key);
    let row = this.rows.get(k);
    if (!row) {
      row = { writes: [], data: new Map() };
      this.rows.set(k, row);
      this.order.splice(this.lowerBound(k), 0, k);
    }
    return row;
  }

  private lowerBound(k: string): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.order[mid] < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
