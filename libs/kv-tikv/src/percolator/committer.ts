import { KvConflictError, KvUnavailableError, KvUnknownOutcomeError } from '@massive/kv';
import type { Backoffer } from '../backoff';
import { hexOf } from '../codec/keys';
import type { CommitResponse, KeyError, PrewriteResponse, SimpleResponse } from '../grpc/wire';
import { toU64 } from '../pd/timestamp';
import { backoffer, type ClientCore } from '../tikv/core';
import { keyErrorToError, lockFromWire, type Lock } from '../tikv/lock';
import { TransportError } from '../tikv/sender';
import { batchBySize, lockTtlMs, pickPrimary, type TxnMutation } from './mutations';

/**
 * Optimistic Percolator 2PC (client-go `2pc.go`, client-rust `Committer`):
 * 1. prewrite every mutation, grouped by region and batched, primary included;
 * 2. only after every prewrite succeeded, take commit_ts from TSO;
 * 3. commit the primary, first and alone: its success IS the transaction's commit;
 * 4. commit the secondaries (best effort: readers roll leftover locks forward via the primary).
 * A write conflict or a live lock met by prewrite rolls back what was prewritten and throws
 * KvConflictError. A primary commit whose reply was lost and whose status stays unknown throws
 * KvUnknownOutcomeError, never a retryable error.
 */
export class Committer {
  private readonly primary: Buffer;
  private readonly byKey = new Map<string, TxnMutation>();

  constructor(
    private readonly core: ClientCore,
    private readonly startTs: bigint,
    private readonly startTsReceivedAtMs: number,
    mutations: readonly TxnMutation[],
  ) {
    this.primary = pickPrimary(mutations);
    for (const m of mutations) this.byKey.set(hexOf(m.key), m);
  }

  /** Runs 2PC; resolves once the primary is committed (and, unless `background`, the secondaries). */
  async commit(background?: (work: Promise<void>) => void): Promise<bigint> {
    const keys = [...this.byKey.values()].map((m) => m.key);
    try {
      await this.prewrite(backoffer(this.core, this.core.limits.commitBudgetMs, 'prewrite'), keys);
    } catch (err) {
      await this.rollback(keys);
      throw err;
    }
    let commitTs: bigint;
    try {
      commitTs = await this.core.pd.getTimestamp();
    } catch (err) {
      await this.rollback(keys);
      throw err;
    }
    await this.commitPrimary(commitTs);
    const secondaries = keys.filter((k) => !k.equals(this.primary));
    const rest = this.commitSecondaries(secondaries, commitTs);
    if (background) background(rest);
    else await rest;
    return commitTs;
  }

  private async prewrite(bo: Backoffer, keys: readonly Buffer[]): Promise<void> {
    const groups = await this.core.router.groupByRegion(bo, keys);
    const sends = groups.flatMap((g) =>
      batchBySize(g.keys.map((k) => this.mutation(k)), this.core.limits.batchBytes).map(async (batch) => {
        for (;;) {
          const out = await this.core.sender.send<PrewriteResponse>(bo, g.region, 'KvPrewrite', {
            mutations: batch,
            primary_lock: this.primary,
            start_version: toU64(this.startTs),
            lock_ttl: toU64(BigInt(lockTtlMs(this.core.limits.lockTtlMs, this.startTsReceivedAtMs, Date.now()))),
            txn_size: toU64(BigInt(g.keys.length)),
            min_commit_ts: '0',
          });
          // The region changed under us: split this batch again against the fresh cache.
          if (!out.ok) return this.prewrite(bo, batch.map((m) => m.key));
          const errors = out.resp.errors ?? [];
          if (errors.length === 0) return;
          await this.onPrewriteErrors(bo, errors);
        }
      }),
    );
    const results = await Promise.allSettled(sends);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Locks of finished txns are resolved (then the batch is resent); anything else aborts. */
  private async onPrewriteErrors(bo: Backoffer, errors: KeyError[]): Promise<void> {
    const locks: Lock[] = [];
    for (const e of errors) {
      if (e.conflict) {
        const key = e.conflict.key ?? Buffer.alloc(0);
        throw new KvConflictError(`write conflict on key ${key.toString('hex')} (txn ${this.startTs})`, key);
      }
      if (!e.locked) throw keyErrorToError(e, 'prewrite');
      locks.push(lockFromWire(e.locked));
    }
    const newer = locks.find((l) => l.txnId > this.startTs);
    if (newer) throw this.lockedConflict(newer);
    const currentTs = await this.core.pd.getTimestamp();
    for (const lock of locks) {
      const status = await this.core.resolver.status(bo, lock, this.startTs, currentTs);
      if (status.kind === 'alive') throw this.lockedConflict(lock);
      if (!lock.key.equals(lock.primary)) {
        const commitTs = status.kind === 'committed' ? status.commitTs : 0n;
        await this.core.resolver.resolveLocks(bo, lock.txnId, [lock], commitTs);
      }
    }
    await bo.retryFast('txnLock', new Error(`prewrite met ${locks.length} resolved lock(s)`));
  }

  private lockedConflict(lock: Lock): KvConflictError {
    return new KvConflictError(`key ${lock.key.toString('hex')} is locked by live txn ${lock.txnId}`, lock.key);
  }

  /**
   * Commits the primary with the same commit_ts until a definite answer: success (committed), or
   * "lock not found" (a reader rolled us back after our TTL: aborted, retryable). A lost reply is
   * followed by a side-effect-free status check of the primary (current_ts = 0 never expires it).
   * If the budget runs out with the outcome still open, we try to settle it by rolling the primary
   * back ourselves: TiKV refuses that if the commit landed, so either answer is definite.
   */
  private async commitPrimary(commitTs: bigint): Promise<void> {
    const bo = backoffer(this.core, this.core.limits.commitBudgetMs, 'commit primary');
    let unknown: TransportError | undefined;
    for (;;) {
      try {
        const { resp } = await this.core.sender.onKey<CommitResponse>(
          bo,
          this.primary,
          'KvCommit',
          () => ({ start_version: toU64(this.startTs), keys: [this.primary], commit_version: toU64(commitTs) }),
          { transportErrors: 'throw' },
        );
        if (!resp.error) return;
        if (resp.error.txn_lock_not_found || resp.error.retryable?.includes('TxnLockNotFound')) {
          throw new KvConflictError(`txn ${this.startTs} was rolled back before its commit (lock TTL expired)`, this.primary);
        }
        throw keyErrorToError(resp.error, 'commit primary');
      } catch (err) {
        if (err instanceof TransportError) unknown = err;
        else if (unknown && err instanceof KvUnavailableError) return this.settle(unknown);
        else {
          if (!(err instanceof KvConflictError)) await this.rollback(this.allKeys());
          throw err;
        }
      }
      try {
        const status = await this.ownStatus(bo);
        if (status === 'committed') return;
        if (status === 'rolledBack') {
          throw new KvConflictError(`txn ${this.startTs} was rolled back before its commit`, this.primary);
        }
        await bo.backoff('tikvRpc', unknown);
      } catch (err) {
        if (err instanceof KvUnavailableError) return this.settle(unknown);
        throw err;
      }
    }
  }

  private async ownStatus(bo: Backoffer): Promise<'committed' | 'rolledBack' | 'locked'> {
    const res = await this.core.resolver.checkTxnStatus(bo, this.primary, this.startTs, 0n, 0n, false);
    if (res === 'notFound') return 'locked'; // cannot be: our prewrite landed; ask again
    return res.kind === 'committed' ? 'committed' : res.kind === 'rolledBack' ? 'rolledBack' : 'locked';
  }

  /** Rolls the primary back to learn the outcome: refused = committed; done = aborted; no answer = unknown. */
  private async settle(cause: Error): Promise<void> {
    const bo = backoffer(this.core, this.core.limits.cleanupBudgetMs, 'settle primary');
    let error: KeyError | undefined;
    try {
      const [reply] = await this.core.sender.onKeys<SimpleResponse>(bo, [this.primary], 'KvBatchRollback', () => ({
        start_version: toU64(this.startTs),
        keys: [this.primary],
      }));
      error = reply?.resp.error;
    } catch (err) {
      throw new KvUnknownOutcomeError(
        `commit of txn ${this.startTs} has an unknown outcome (primary ${this.primary.toString('hex')}): ${cause.message}; ` +
          `settling it failed too: ${(err as Error).message}`,
      );
    }
    if (error?.abort) return; // TiKV refuses to roll back a committed key: the commit landed
    if (error) throw keyErrorToError(error, 'settle primary');
    await this.rollback(this.allKeys());
    throw new KvUnavailableError(`commit of txn ${this.startTs} failed and was rolled back: ${cause.message}`);
  }

  private async commitSecondaries(keys: Buffer[], commitTs: bigint): Promise<void> {
    if (keys.length === 0) return;
    const bo = backoffer(this.core, this.core.limits.cleanupBudgetMs, 'commit secondaries');
    try {
      await this.core.sender.onKeys<CommitResponse>(bo, keys, 'KvCommit', (_r, ks) => ({
        start_version: toU64(this.startTs),
        keys: ks,
        commit_version: toU64(commitTs),
      }));
    } catch {
      // Best effort: a reader meeting a leftover lock rolls it forward from the committed primary.
    }
  }

  /** Best effort: primary first, so readers see the txn as rolled back, then the rest. */
  private async rollback(keys: Buffer[]): Promise<void> {
    const bo = backoffer(this.core, this.core.limits.cleanupBudgetMs, 'rollback');
    const body = (_r: unknown, ks: Buffer[]) => ({ start_version: toU64(this.startTs), keys: ks });
    try {
      await this.core.sender.onKeys<SimpleResponse>(bo, [this.primary], 'KvBatchRollback', body);
      const rest = keys.filter((k) => !k.equals(this.primary));
      await this.core.sender.onKeys<SimpleResponse>(bo, rest, 'KvBatchRollback', body);
    } catch {
      // Leftover locks expire after their TTL and are rolled back by readers.
    }
  }

  private allKeys(): Buffer[] {
    return [...this.byKey.values()].map((m) => m.key);
  }

  private mutation(key: Buffer): TxnMutation {
    const m = this.byKey.get(hexOf(key));
    if (!m) throw new Error(`no mutation for key ${key.toString('hex')}`);
    return m;
  }
}
