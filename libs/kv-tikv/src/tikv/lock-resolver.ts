import type { Backoffer } from '../backoff';
import { hexOf } from '../codec/keys';
import type { CheckTxnStatusResponse, SimpleResponse } from '../grpc/wire';
import type { TikvMetrics } from '../metrics';
import { fromU64, MAX_U64, toU64 } from '../pd/timestamp';
import { keyErrorToError, msUntilExpiry, type Lock } from './lock';
import type { TikvSender } from './sender';

export type TxnStatus =
  | { readonly kind: 'committed'; readonly commitTs: bigint }
  | { readonly kind: 'rolledBack' }
  /** Still locked (or its primary not written yet): wait up to `waitMs`. */
  | { readonly kind: 'alive'; readonly waitMs: number };

/** Final statuses cached per txn id (never "alive"); bounded. */
const STATUS_CACHE_MAX = 4096;

/**
 * Lock resolution (client-go `ResolveLocksForRead`, client-rust `lock.rs`): ask the primary's
 * region for the owner's status (KvCheckTxnStatus, which also rolls back an expired primary),
 * then roll each secondary lock forward (commit) or back with KvResolveLock.
 */
export class LockResolver {
  private readonly final = new Map<bigint, bigint>();

  constructor(
    private readonly sender: TikvSender,
    private readonly now: () => Promise<bigint>,
    private readonly metrics: TikvMetrics,
  ) {}

  /**
   * Resolves what can be resolved among `locks` met at `callerTs`. Returns 0 when all of them are
   * gone, else the ms to wait before the live ones may have expired.
   */
  async resolve(bo: Backoffer, locks: readonly Lock[], callerTs: bigint): Promise<number> {
    if (locks.length === 0) return 0;
    const currentTs = await this.now();
    const byTxn = new Map<bigint, Lock[]>();
    for (const l of locks) byTxn.set(l.txnId, [...(byTxn.get(l.txnId) ?? []), l]);
    let wait = 0;
    for (const [, txnLocks] of byTxn) {
      const status = await this.status(bo, txnLocks[0], callerTs, currentTs);
      if (status.kind === 'alive') {
        wait = wait === 0 ? status.waitMs : Math.min(wait, status.waitMs);
        continue;
      }
      const commitTs = status.kind === 'committed' ? status.commitTs : 0n;
      const secondaries = txnLocks.filter((l) => !l.key.equals(l.primary));
      await this.resolveLocks(bo, txnLocks[0].txnId, secondaries, commitTs);
    }
    return wait;
  }

  /** The status of the transaction owning `lock`, as seen at caller_start_ts = callerTs. */
  async status(bo: Backoffer, lock: Lock, callerTs: bigint, currentTs: bigint): Promise<TxnStatus> {
    if (lock.useAsyncCommit) throw new Error('async-commit locks are not supported by this client');
    const cached = this.final.get(lock.txnId);
    if (cached !== undefined) return cached > 0n ? { kind: 'committed', commitTs: cached } : { kind: 'rolledBack' };
    // ttl 0 means "resolve unconditionally": the primary is treated as expired.
    const checkTs = lock.ttlMs === 0n ? MAX_U64 : currentTs;
    const expired = lock.ttlMs === 0n || msUntilExpiry(lock, currentTs) < 0;
    const res = await this.checkTxnStatus(bo, lock.primary, lock.txnId, callerTs, checkTs, expired);
    if (res === 'notFound') {
      // The primary's prewrite has not landed: wait for this lock's own TTL, then roll back.
      this.metrics.lockResolutions.inc({ outcome: 'not_found' });
      return { kind: 'alive', waitMs: Math.max(1, msUntilExpiry(lock, currentTs)) };
    }
    if (res.kind === 'alive') {
      this.metrics.lockResolutions.inc({ outcome: 'alive' });
      return { kind: 'alive', waitMs: Math.max(1, msUntilExpiry(lock, currentTs)) };
    }
    this.metrics.lockResolutions.inc({ outcome: res.kind === 'committed' ? 'committed' : 'rolled_back' });
    this.remember(lock.txnId, res.kind === 'committed' ? res.commitTs : 0n);
    return res;
  }

  /**
   * KvCheckTxnStatus on the primary's region. `currentTs = 0` asks without side effects (no TTL
   * expiry): how the committer checks its own primary after an unknown commit outcome.
   */
  async checkTxnStatus(
    bo: Backoffer,
    primary: Buffer,
    txnId: bigint,
    callerTs: bigint,
    currentTs: bigint,
    rollbackIfNotExist: boolean,
  ): Promise<TxnStatus | 'notFound'> {
    const { resp } = await this.sender.onKey<CheckTxnStatusResponse>(bo, primary, 'KvCheckTxnStatus', () => ({
      primary_key: primary,
      lock_ts: toU64(txnId),
      caller_start_ts: toU64(callerTs),
      current_ts: toU64(currentTs),
      rollback_if_not_exist: rollbackIfNotExist,
      // TiKV checks the key really is the txn's primary (client-go sets it too): a lock whose
      // primary field points at a secondary must not let us roll that secondary back as if primary.
      verify_is_primary: true,
    }));
    if (resp.error) {
      if (resp.error.txn_not_found) return 'notFound';
      throw keyErrorToError(resp.error, `check txn ${txnId} status`);
    }
    const commitTs = fromU64(resp.commit_version);
    if (commitTs > 0n) return { kind: 'committed', commitTs };
    if (fromU64(resp.lock_ttl) > 0n) return { kind: 'alive', waitMs: 0 };
    return { kind: 'rolledBack' };
  }

  /** Commits (commitTs > 0) or rolls back the given locks of one txn, region by region. */
  async resolveLocks(bo: Backoffer, txnId: bigint, locks: readonly Lock[], commitTs: bigint): Promise<void> {
    if (locks.length === 0) return;
    const keys = dedupe(locks.map((l) => l.key));
    const replies = await this.sender.onKeys<SimpleResponse>(bo, keys, 'KvResolveLock', (_r, ks) => ({
      start_version: toU64(txnId),
      commit_version: toU64(commitTs),
      keys: ks,
    }));
    for (const r of replies) if (r.resp.error) throw keyErrorToError(r.resp.error, `resolve locks of txn ${txnId}`);
  }

  private remember(txnId: bigint, commitTs: bigint): void {
    if (this.final.size >= STATUS_CACHE_MAX) this.final.clear();
    this.final.set(txnId, commitTs);
  }
}

function dedupe(keys: Buffer[]): Buffer[] {
  const seen = new Map<string, Buffer>();
  for (const k of keys) seen.set(hexOf(k), k);
  return [...seen.values()];
}
