/**
 * TiKV's transaction actions (src/storage/txn/actions/*.rs, optimistic path) over MvccStore.
 * Every command validates all of its keys first and applies only when none fails, as TiKV discards
 * a command's whole write batch on error. Results are wire-shaped KeyErrors.
 */
import { MAX_U64, physicalOf, wire } from './codec';
import { MvccLock, MvccStore } from './mvcc';
import { ConflictReason, KeyError, LockInfo, Mutation, Op } from './types';

export function lockInfo(key: Buffer, lock: MvccLock): LockInfo {
  return {
    primary_lock: lock.primary,
    lock_version: wire(lock.startTs),
    key,
    lock_ttl: wire(lock.ttl),
    txn_size: wire(lock.txnSize),
    lock_type: lock.op,
    min_commit_ts: wire(lock.minCommitTs),
  };
}

const txnLockNotFound = (key: Buffer, startTs: bigint, commitTs: bigint): KeyError => ({
  retryable: `TxnLockNotFound { start_ts: ${startTs}, commit_ts: ${commitTs}, key: ${key.toString('hex')} }`,
  txn_lock_not_found: { key },
});

const committedError = (key: Buffer, startTs: bigint, commitTs: bigint): KeyError => ({
  abort: `Committed { start_ts: ${startTs}, commit_ts: ${commitTs}, key: ${key.toString('hex')} }`,
});

/** TiKV expires a lock when lock.ts.physical + ttl < current_ts.physical. */
export const lockExpired = (lock: MvccLock, currentTs: bigint): boolean =>
  physicalOf(lock.startTs) + lock.ttl < physicalOf(currentTs);

function dedupe(keys: readonly Buffer[]): Buffer[] {
  const seen = new Set<string>();
  return keys.filter((k) => !seen.has(k.toString('hex')) && !!seen.add(k.toString('hex')));
}

export interface PrewriteParams {
  readonly mutations: readonly Mutation[];
  readonly primary: Buffer;
  readonly startTs: bigint;
  readonly ttl: bigint;
  readonly txnSize: bigint;
  readonly minCommitTs: bigint;
  readonly skipConstraintCheck: boolean;
}

type Step = () => void;

export class Percolator {
  constructor(readonly store: MvccStore) {}

  /** commands/prewrite.rs: lock errors are collected (nothing written); any other error stops at once. */
  prewrite(p: PrewriteParams): KeyError[] {
    const steps: Step[] = [];
    const locked: KeyError[] = [];
    for (const m of p.mutations) {
      const key = m.key ?? Buffer.alloc(0);
      const op = m.op ?? Op.Put;
      if (![Op.Put, Op.Del, Op.Lock, Op.Insert, Op.CheckNotExists].includes(op as 0)) {
        return [{ abort: `fake-tikv: mutation op ${op} is not modelled (optimistic txns only)` }];
      }
      const lock = this.store.lockOf(key);
      if (lock && lock.startTs !== p.startTs) {
        locked.push({ locked: lockInfo(key, lock) });
        continue;
      }
      if (lock) continue; // duplicated prewrite of our own lock: idempotent
      if (!p.skipConstraintCheck) {
        const w = this.store.newestWrite(key);
        if (w && w.commitTs === p.startTs && w.kind === 'Rollback') {
          return [this.conflict(key, p, w.startTs, w.commitTs, ConflictReason.SelfRolledBack)];
        }
        if (w && w.commitTs > p.startTs) return [this.conflict(key, p, w.startTs, w.commitTs, ConflictReason.Optimistic)];
      }
      if ((op === Op.Insert || op === Op.CheckNotExists) && this.store.committedValue(key, MAX_U64)) {
        return [{ already_exist: { key } }];
      }
      if (op === Op.CheckNotExists) continue;
      const lockOp = op === Op.Insert ? Op.Put : (op as MvccLock['op']);
      const value = m.value ?? Buffer.alloc(0);
      steps.push(() => {
        if (lockOp === Op.Put) this.store.putData(key, p.startTs, value);
        this.store.putLock(key, {
          primary: Buffer.from(p.primary),
          startTs: p.startTs,
          ttl: p.ttl,
          op: lockOp,
          minCommitTs: p.minCommitTs,
          txnSize: p.txnSize,
        });
      });
    }
    if (locked.length > 0) return locked;
    steps.forEach((s) => s());
    return [];
  }

  /** commands/commit.rs + actions/commit.rs. */
  commit(keys: readonly Buffer[], startTs: bigint, commitTs: bigint): KeyError | undefined {
    if (commitTs <= startTs) {
      return { abort: `InvalidTxnTso { start_ts: ${startTs}, commit_ts: ${commitTs} }` };
    }
    const steps: Step[] = [];
    for (const key of dedupe(keys)) {
      const r = this.planCommit(key, startTs, commitTs);
      if ('error' in r) return r.error;
      if (r.step) steps.push(r.step);
    }
    steps.forEach((s) => s());
    return undefined;
  }

  /** commands/rollback.rs: cleanup(key, current_ts = 0) for each key. */
  batchRollback(keys: readonly Buffer[], startTs: bigint): KeyError | undefined {
    const steps: Step[] = [];
    for (const key of dedupe(keys)) {
      const r = this.planCleanup(key, startTs, 0n);
      if ('error' in r) return r.error;
      steps.push(r.step);
    }
    steps.forEach((s) => s());
    return undefined;
  }

  /** KvCleanup (deprecated upstream): rollback unless the lock is still alive at current_ts. */
  cleanup(key: Buffer, startTs: bigint, currentTs: bigint): { error?: KeyError; commitVersion?: bigint } {
    const rec = this.store.txnRecord(key, startTs);
    if (!this.ownLock(key, startTs) && rec && rec.kind !== 'Rollback') return { commitVersion: rec.commitTs };
    const r = this.planCleanup(key, startTs, currentTs);
    if ('error' in r) return { error: r.error };
    r.step();
    return {};
  }

  /** actions/check_txn_status.rs (non-pessimistic, non-async-commit). */
  checkTxnStatus(q: {
    primary: Buffer;
    lockTs: bigint;
    callerStartTs: bigint;
    currentTs: bigint;
    rollbackIfNotExist: boolean;
    verifyIsPrimary: boolean;
  }): TxnStatus {
    const lock = this.store.lockOf(q.primary);
    if (lock && lock.startTs === q.lockTs) {
      if (q.verifyIsPrimary && !lock.primary.equals(q.primary)) {
        return { kind: 'error', error: { primary_mismatch: { lock_info: lockInfo(q.primary, lock) } } };
      }
      if (lockExpired(lock, q.currentTs)) {
        this.rollbackLock(q.primary, lock);
        return { kind: 'ttl-expire-rollback' };
      }
      let pushed = false;
      if (lock.minCommitTs !== 0n && q.callerStartTs !== MAX_U64 && q.callerStartTs >= lock.minCommitTs) {
        lock.minCommitTs = q.callerStartTs + 1n;
        pushed = true;
      }
      return { kind: 'locked', lock, pushed };
    }
    const rec = this.store.txnRecord(q.primary, q.lockTs);
    if (rec?.kind === 'Rollback') return { kind: 'rolled-back' };
    if (rec) return { kind: 'committed', commitTs: rec.commitTs };
    if (!q.rollbackIfNotExist) {
      return { kind: 'error', error: { txn_not_found: { start_ts: wire(q.lockTs), primary_key: q.primary } } };
    }
    this.writeRollback(q.primary, q.lockTs);
    return { kind: 'lock-not-exist-rollback' };
  }

  /**
   * commands/resolve_lock(_lite).rs: commit (commitTs of the txn > 0) or roll back each key; with no
   * keys, every lock in [start, end) whose txn is in `txns` (start_ts -> commit_ts).
   */
  resolveLock(q: {
    txns: ReadonlyMap<bigint, bigint>;
    startTs: bigint;
    keys: readonly Buffer[];
    start: Buffer;
    end: Buffer;
  }): KeyError | undefined {
    const { txns, keys, start, end } = q;
    const targets: { key: Buffer; startTs: bigint }[] =
      keys.length > 0
        ? dedupe(keys).map((key) => ({ key, startTs: q.startTs }))
        : this.store
            .keysInRange(start, end)
            .map((key) => ({ key, lock: this.store.lockOf(key) }))
            .filter((x) => x.lock && txns.has(x.lock.startTs))
            .map((x) => ({ key: x.key, startTs: (x.lock as MvccLock).startTs }));
    const steps: Step[] = [];
    for (const { key, startTs } of targets) {
      const commitTs = txns.get(startTs) ?? 0n;
      const r = commitTs > 0n ? this.planCommit(key, startTs, commitTs) : this.planCleanup(key, startTs, 0n);
      if ('error' in r) return r.error;
      if (r.step) steps.push(r.step);
    }
    steps.forEach((s) => s());
    return undefined;
  }

  /** actions/txn_heart_beat: ttl = max(ttl, advise) on the primary lock. */
  heartBeat(primary: Buffer, startTs: bigint, adviseTtl: bigint): { ttl?: bigint; error?: KeyError } {
    const lock = this.ownLock(primary, startTs);
    if (!lock) return { error: { txn_not_found: { start_ts: wire(startTs), primary_key: primary } } };
    if (lock.ttl < adviseTtl) lock.ttl = adviseTtl;
    return { ttl: lock.ttl };
  }

  // ------------------------------------------------------------------ shared actions

  private planCommit(key: Buffer, startTs: bigint, commitTs: bigint): { step?: Step } | { error: KeyError } {
    const lock = this.ownLock(key, startTs);
    if (lock) {
      if (commitTs < lock.minCommitTs) {
        return {
          error: {
            commit_ts_expired: {
              start_ts: wire(startTs),
              attempted_commit_ts: wire(commitTs),
              key,
              min_commit_ts: wire(lock.minCommitTs),
            },
          },
        };
      }
      const kind = lock.op === Op.Put ? 'Put' : lock.op === Op.Del ? 'Delete' : 'Lock';
      return {
        step: () => {
          this.store.putWrite(key, { startTs, commitTs, kind });
          this.store.deleteLock(key);
        },
      };
    }
    const rec = this.store.txnRecord(key, startTs);
    if (rec && rec.kind !== 'Rollback') return {}; // already committed: idempotent success
    return { error: txnLockNotFound(key, startTs, commitTs) };
  }

  /** actions/cleanup.rs: roll back our lock (unless alive at currentTs), or protect against a late prewrite. */
  private planCleanup(key: Buffer, startTs: bigint, currentTs: bigint): { step: Step } | { error: KeyError } {
    const lock = this.ownLock(key, startTs);
    if (lock) {
      if (currentTs !== 0n && !lockExpired(lock, currentTs)) return { error: { locked: lockInfo(key, lock) } };
      return { step: () => this.rollbackLock(key, lock) };
    }
    const rec = this.store.txnRecord(key, startTs);
    if (rec && rec.kind !== 'Rollback') return { error: committedError(key, startTs, rec.commitTs) };
    if (rec) return { step: () => undefined };
    return { step: () => this.writeRollback(key, startTs) };
  }

  private rollbackLock(key: Buffer, lock: MvccLock): void {
    this.store.deleteLock(key);
    this.store.deleteData(key, lock.startTs);
    this.writeRollback(key, lock.startTs);
  }

  /** A Rollback record at commit_ts = start_ts, unless another txn's commit already sits there (TiKV marks that one overlapped). */
  private writeRollback(key: Buffer, startTs: bigint): void {
    if (this.store.newestWrite(key, startTs)?.commitTs === startTs) return;
    this.store.putWrite(key, { startTs, commitTs: startTs, kind: 'Rollback' });
  }

  private ownLock(key: Buffer, startTs: bigint): MvccLock | undefined {
    const lock = this.store.lockOf(key);
    return lock && lock.startTs === startTs ? lock : undefined;
  }

  private conflict(key: Buffer, p: PrewriteParams, conflictTs: bigint, commitTs: bigint, reason: number): KeyError {
    return {
      conflict: {
        start_ts: wire(p.startTs),
        conflict_ts: wire(conflictTs),
        key,
        primary: p.primary,
        conflict_commit_ts: wire(commitTs),
        reason,
      },
    };
  }
}

export type TxnStatus =
  | { kind: 'locked'; lock: MvccLock; pushed: boolean }
  | { kind: 'committed'; commitTs: bigint }
  | { kind: 'rolled-back' }
  | { kind: 'ttl-expire-rollback' }
  | { kind: 'lock-not-exist-rollback' }
  | { kind: 'error'; error: KeyError };
