import { KvConflictError, KvUnavailableError } from '@massive/kv';
import type { Backoffer } from '../backoff';
import { hexOf } from '../codec/keys';
import type { CommitResponse, DiskFullOptCode, KeyError, PrewriteResponse, SimpleResponse } from '../grpc/wire';
import { toU64 } from '../pd/timestamp';
import { backoffer, type ClientCore } from '../tikv/core';
import { keyErrorToError, lockFromWire, type Lock } from '../tikv/lock';
import type { SendOptions } from '../tikv/sender';
import { batchBySize, lockTtlMs, pickPrimary, sizedLockTtlMs, txnBytesOf, type TxnMutation } from './mutations';
import { PrimaryOutcome } from './primary-outcome';
import { TtlKeeper } from './ttl-keeper';

export interface CommitOptions {
  /**
   * Context.disk_full_opt of every write this transaction sends (prewrite, heartbeat, commit,
   * rollback): AllowedOnAlmostFull for a txn that may use the reserve (TxnOptions.useReserve).
   */
  readonly diskFullOpt?: DiskFullOptCode;
}

/**
 * Optimistic Percolator 2PC (client-go `2pc.go`, client-rust `Committer`):
 * 1. prewrite every mutation, grouped by region and batched, primary included; the lock TTL is
 *    sized by the transaction's bytes and kept alive by a heartbeat from the primary's prewrite on;
 * 2. only after every prewrite succeeded, take commit_ts from TSO;
 * 3. commit the primary, first and alone: its success IS the transaction's commit;
 * 4. commit the secondaries (best effort: readers roll leftover locks forward via the primary).
 * A write conflict rolls back what was prewritten and throws KvConflictError. A primary commit
 * whose outcome stays open throws KvUnknownOutcomeError (see PrimaryOutcome), never a retryable error.
 * A store too full for the write (DiskFull, see TikvSender) fails prewrite or the primary commit
 * with KvStoreFullError, and what was prewritten is rolled back like after any other failure.
 */
export class Committer {
  private readonly primary: Buffer;
  private readonly byKey = new Map<string, TxnMutation>();
  private readonly baseTtlMs: number;
  private readonly sendOpts: SendOptions;
  readonly keeper: TtlKeeper;

  constructor(
    private readonly core: ClientCore,
    private readonly startTs: bigint,
    private readonly startTsReceivedAtMs: number,
    mutations: readonly TxnMutation[],
    opts: CommitOptions = {},
  ) {
    this.primary = pickPrimary(mutations);
    for (const m of mutations) this.byKey.set(hexOf(m.key), m);
    this.baseTtlMs = sizedLockTtlMs(core.limits.lockTtlMs, txnBytesOf(mutations));
    this.sendOpts = { diskFullOpt: opts.diskFullOpt };
    this.keeper = new TtlKeeper(core, this.primary, startTs, startTsReceivedAtMs, this.baseTtlMs, this.sendOpts);
  }

  /** Runs 2PC; resolves once the primary is committed (and, unless `background`, the secondaries). */
  async commit(background?: (work: Promise<void>) => void): Promise<bigint> {
    const keys = this.allKeys();
    let commitTs: bigint;
    try {
      await this.prewrite(backoffer(this.core, this.core.limits.commitBudgetMs, 'prewrite'), keys);
      commitTs = await this.core.pd.getTimestamp();
    } catch (err) {
      await this.keeper.stop();
      await this.rollback(keys);
      throw err;
    }
    try {
      await this.commitPrimary(commitTs);
    } finally {
      await this.keeper.stop();
    }
    const secondaries = keys.filter((k) => !k.equals(this.primary));
    const rest = this.commitSecondaries(secondaries, commitTs);
    if (background) background(rest);
    else await rest;
    return commitTs;
  }

  private async prewrite(bo: Backoffer, keys: readonly Buffer[]): Promise<void> {
    const groups = await this.core.router.groupByRegion(bo, keys);
    const batches = groups.flatMap((g) =>
      batchBySize(
        g.keys.map((k) => this.mutation(k)),
        this.core.limits.batchBytes,
      ).map((batch) => ({ region: g.region, batch, regionKeys: g.keys.length })),
    );
    const sends = batches.map(async ({ region, batch, regionKeys }) => {
      // Every parallel batch backs off on its own copy of the remaining budget.
      const bbo = batches.length > 1 ? bo.branch() : bo;
      for (;;) {
        const out = await this.core.sender.send<PrewriteResponse>(
          bbo,
          region,
          'KvPrewrite',
          {
            mutations: batch,
            primary_lock: this.primary,
            start_version: toU64(this.startTs),
            lock_ttl: toU64(BigInt(lockTtlMs(this.baseTtlMs, this.startTsReceivedAtMs, Date.now()))),
            txn_size: toU64(BigInt(regionKeys)),
            min_commit_ts: '0',
          },
          this.sendOpts,
        );
        // The region changed under us: split this batch again against the fresh cache.
        if (!out.ok) return this.prewrite(bbo, batch.map((m) => m.key));
        const errors = out.resp.errors ?? [];
        if (errors.length === 0) {
          if (batch.some((m) => m.key.equals(this.primary))) this.keeper.start();
          return;
        }
        await this.onPrewriteErrors(bbo, errors);
      }
    });
    const results = await Promise.allSettled(sends);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Locks of finished txns are resolved, live locks of older txns are waited for (at most until
   * their TTL runs out, then resolved), and the batch is resent; a conflict, or a lock of a newer
   * txn (client-go: fail fast, we would conflict with it anyway), aborts.
   */
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
    let waitMs = 0;
    let live: Lock | undefined;
    for (const lock of locks) {
      const status = await this.core.resolver.status(bo, lock, this.startTs, currentTs);
      if (status.kind === 'alive') {
        if (waitMs === 0 || status.waitMs < waitMs) [waitMs, live] = [status.waitMs, lock];
        continue;
      }
      if (!lock.key.equals(lock.primary)) {
        const commitTs = status.kind === 'committed' ? status.commitTs : 0n;
        await this.core.resolver.resolveLocks(bo, lock.txnId, [lock], commitTs);
      }
    }
    if (live) {
      // An older txn is still running: wait for it, in steps no longer than its lock has left.
      // Past the budget the wait ends in KvUnavailableError... reported as the conflict it is.
      try {
        await bo.backoff('txnLock', this.lockedConflict(live), waitMs);
      } catch (err) {
        if (err instanceof KvUnavailableError) throw this.lockedConflict(live);
        throw err;
      }
      return;
    }
    await bo.retryFast('txnLock', new Error(`prewrite met ${locks.length} resolved lock(s)`));
  }

  private lockedConflict(lock: Lock): KvConflictError {
    return new KvConflictError(`key ${lock.key.toString('hex')} is locked by live txn ${lock.txnId}`, lock.key);
  }

  /** Commits the primary; throws unless it is known to be committed (see PrimaryOutcome). */
  private async commitPrimary(commitTs: bigint): Promise<void> {
    const outcome = new PrimaryOutcome(this.core, this.primary, this.startTs, this.sendOpts);
    const committed = await outcome.commit(commitTs);
    if (committed === true) return;
    // Definitely not committed: clear every lock (secondaries too) so readers need not wait out the TTL.
    await this.rollback(this.allKeys());
    throw committed;
  }

  private async commitSecondaries(keys: Buffer[], commitTs: bigint): Promise<void> {
    if (keys.length === 0) return;
    const bo = backoffer(this.core, this.core.limits.cleanupBudgetMs, 'commit secondaries');
    try {
      await this.core.sender.onKeys<CommitResponse>(
        bo,
        keys,
        'KvCommit',
        (_r, ks) => ({ start_version: toU64(this.startTs), keys: ks, commit_version: toU64(commitTs) }),
        this.sendOpts,
      );
    } catch {
      // Best effort: a reader meeting a leftover lock rolls it forward from the committed primary.
    }
  }

  /**
   * Best effort, for a txn whose primary commit was never sent (or is known not to have landed):
   * primary first, so readers see the txn as rolled back, then the rest.
   */
  private async rollback(keys: Buffer[]): Promise<void> {
    const bo = backoffer(this.core, this.core.limits.cleanupBudgetMs, 'rollback');
    const body = (_r: unknown, ks: Buffer[]) => ({ start_version: toU64(this.startTs), keys: ks });
    try {
      if (keys.some((k) => k.equals(this.primary))) {
        const replies = await this.core.sender.onKeys<SimpleResponse>(bo, [this.primary], 'KvBatchRollback', body, this.sendOpts);
        // Refused (e.g. TiKV's abort for a committed key): leave everything to the lock resolvers.
        if (replies.some((r) => r.resp.error)) return;
      }
      const rest = keys.filter((k) => !k.equals(this.primary));
      await this.core.sender.onKeys<SimpleResponse>(bo, rest, 'KvBatchRollback', body, this.sendOpts);
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
