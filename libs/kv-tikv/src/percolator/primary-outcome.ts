import { KvConflictError, KvStoreFullError, KvUnavailableError, KvUnknownOutcomeError } from '@massive/kv';
import type { Backoffer } from '../backoff';
import type { CommitResponse, KeyError, SimpleResponse } from '../grpc/wire';
import { toU64 } from '../pd/timestamp';
import { backoffer, type ClientCore } from '../tikv/core';
import { keyErrorToError } from '../tikv/lock';
import type { SendOptions } from '../tikv/sender';

/** What is known about the primary after a check. */
type Evidence = 'committed' | 'rolledBack' | 'open' | 'unanswered';

export const isLockNotFound = (e: KeyError): boolean => !!e.txn_lock_not_found || !!e.retryable?.includes('TxnLockNotFound');

/**
 * The primary commit, and the decision of its outcome from evidence only.
 *
 * Once a KvCommit of the primary may have been applied without a success coming back (a gRPC
 * error: the reply may be lost; StaleCommand, RegionNotFound or UndeterminedResult, which TiKV can
 * send after the proposal was applied or while it may still be), only TiKV's own word decides:
 * - a commit with the same commit_ts answering OK (TiKV answers OK for a committed key, and commits
 *   a lock that is still there): committed;
 * - KvCheckTxnStatus on the primary (side-effect free: current_ts = 0): committed, or rolled back /
 *   no trace (a lock-less primary can never commit any more): not committed;
 * - our own KvBatchRollback of the primary answered without error: it wrote a Rollback record, so
 *   no later commit can land (not committed). Only used when every doubt came from lost replies:
 *   TiKV's latches then order our rollback after any commit that executed. After StaleCommand or
 *   UndeterminedResult the proposal may still be applied by the next leader, so a rollback proves
 *   nothing. A refused rollback (TiKV's `abort`, where every unclassified error goes too) proves
 *   nothing either: the status is asked once more.
 * Anything else is KvUnknownOutcomeError. A budget spent before any attempt could have applied
 * (every attempt refused up front: NotLeader, EpochNotMatch, ServerIsBusy, …) is a definite
 * "not committed", and so is DiskFull (TiKV refuses before proposing): KvStoreFullError.
 */
export class PrimaryOutcome {
  /** Why an attempt may have been applied (first reason), if one may have been. */
  private maybeApplied: string | undefined;
  /** An attempt ended in a region error after which the proposal may still apply later. */
  private proposalInDoubt = false;

  constructor(
    private readonly core: ClientCore,
    private readonly primary: Buffer,
    private readonly startTs: bigint,
    /** Context of our own commit and rollback requests (disk_full_opt). */
    private readonly sendOpts: SendOptions = {},
  ) {}

  /**
   * Commits the primary. Resolves `true` when committed, or the error to throw when it is known
   * NOT to be committed (the caller then rolls every lock back); throws KvUnknownOutcomeError
   * when neither can be proven.
   */
  async commit(commitTs: bigint): Promise<true | Error> {
    const bo = backoffer(this.core, this.core.limits.commitBudgetMs, 'commit primary');
    const attempt = await this.send(bo, commitTs);
    if (attempt === true) return true;
    if (this.maybeApplied === undefined) {
      // Nothing can have applied: the answer or the exhausted budget is definite.
      return attempt instanceof LockNotFound
        ? new KvConflictError(`txn ${this.startTs} was rolled back before its commit (lock TTL expired)`, this.primary)
        : attempt;
    }
    return this.decide(commitTs, attempt);
  }

  /** One commit run: true, a not-found lock, or the error that ended it (key error or budget). */
  private async send(bo: Backoffer, commitTs: bigint): Promise<true | Error> {
    try {
      const { resp } = await this.core.sender.onKey<CommitResponse>(
        bo,
        this.primary,
        'KvCommit',
        () => ({ start_version: toU64(this.startTs), keys: [this.primary], commit_version: toU64(commitTs) }),
        {
          ...this.sendOpts,
          onMaybeApplied: (why, via) => {
            this.maybeApplied ??= why;
            if (via === 'region') this.proposalInDoubt = true;
          },
        },
      );
      if (!resp.error) return true;
      if (isLockNotFound(resp.error)) return new LockNotFound('commit primary: txn lock not found');
      return keyErrorToError(resp.error, 'commit primary');
    } catch (err) {
      return err as Error;
    }
  }

  private async decide(commitTs: bigint, cause: Error): Promise<true | Error> {
    const first = await this.evidence();
    if (first === 'committed') return true;
    if (first === 'rolledBack') return this.rolledBackByOthers(cause);
    let retried: true | Error | undefined;
    if (first === 'open') {
      // Our lock is still there: committing it again is always right.
      retried = await this.send(this.fresh('commit primary again'), commitTs);
      if (retried === true) return true;
    }
    let rollback: 'done' | 'refused' | 'unanswered' | 'not tried' = 'not tried';
    if (!this.proposalInDoubt) {
      rollback = await this.rollbackPrimary(this.fresh('roll back primary'));
      if (rollback === 'done') {
        // Not committed for sure; a store that refused the commit for space is the reason to report.
        const last = retried instanceof Error ? retried : cause;
        if (last instanceof KvStoreFullError) return last;
        return new KvUnavailableError(`commit of txn ${this.startTs} did not complete and was rolled back: ${cause.message}`);
      }
    }
    const second = await this.evidence();
    if (second === 'committed') return true;
    if (second === 'rolledBack') return this.rolledBackByOthers(cause);
    throw new KvUnknownOutcomeError(
      `commit of txn ${this.startTs} has an unknown outcome (primary ${this.primary.toString('hex')}): ` +
        `${this.maybeApplied ?? cause.message}; last error: ${(retried instanceof Error ? retried : cause).message}; ` +
        `status ${first}/${second}, rollback ${rollback}`,
    );
  }

  private rolledBackByOthers(cause: Error): Error {
    return new KvConflictError(`txn ${this.startTs} was rolled back before its commit (${cause.message})`, this.primary);
  }

  /**
   * KvCheckTxnStatus on our own primary, without side effects (current_ts = 0 never expires it).
   * No lock and no record ("not found") counts as rolled back: a primary without its lock can
   * never be committed any more.
   */
  private async evidence(): Promise<Evidence> {
    try {
      const res = await this.core.resolver.checkTxnStatus(this.fresh('check primary'), this.primary, this.startTs, 0n, 0n, false);
      if (res === 'notFound') return 'rolledBack';
      return res.kind === 'committed' ? 'committed' : res.kind === 'rolledBack' ? 'rolledBack' : 'open';
    } catch {
      return 'unanswered';
    }
  }

  private async rollbackPrimary(bo: Backoffer): Promise<'done' | 'refused' | 'unanswered'> {
    try {
      const replies = await this.core.sender.onKeys<SimpleResponse>(
        bo,
        [this.primary],
        'KvBatchRollback',
        () => ({ start_version: toU64(this.startTs), keys: [this.primary] }),
        this.sendOpts,
      );
      return replies.length > 0 && replies.every((r) => !r.resp.error) ? 'done' : 'refused';
    } catch {
      return 'unanswered';
    }
  }

  private fresh(what: string): Backoffer {
    return backoffer(this.core, this.core.limits.cleanupBudgetMs, what);
  }
}

class LockNotFound extends Error {
  override readonly name = 'TxnLockNotFound';
}
