import { KvConflictError, KvUnavailableError, KvUnknownOutcomeError } from '@massive/kv';
import type { Backoffer } from '../backoff';
import type { CommitResponse, KeyError, SimpleResponse } from '../grpc/wire';
import { toU64 } from '../pd/timestamp';
import { backoffer, type ClientCore } from '../tikv/core';
import { keyErrorToError } from '../tikv/lock';

/** What is known about the primary after a check. */
type Evidence = 'committed' | 'rolledBack' | 'open' | 'unanswered';

export const isLockNotFound = (e: KeyError): boolean => !!e.txn_lock_not_found || !!e.retryable?.includes('TxnLockNotFound');

/**
 * The primary commit, and the decision of its outcome from evidence only.
 *
 * Once a KvCommit of the primary may have been applied without a success coming back (a gRPC
 * error: the reply may be lost; StaleCommand, RegionNotFound or UndeterminedResult, which TiKV can
 * send after the proposal applied), nothing but TiKV's own word decides the outcome:
 * - a retried commit with the same commit_ts answering OK (TiKV answers OK for a committed key);
 * - KvCheckTxnStatus on the primary (side-effect free: current_ts = 0) saying committed or rolled back;
 * - our own KvBatchRollback of the primary answered without error: it wrote a Rollback record, so
 *   no late commit can land any more. A refused rollback (TiKV's `abort`, which is also where
 *   every unclassified error goes) proves nothing: the status is asked again.
 * Anything else is KvUnknownOutcomeError. A budget that runs out before any commit could have
 * applied (every attempt refused before the proposal: NotLeader, EpochNotMatch, ServerIsBusy, …)
 * is a definite "not committed".
 */
export class PrimaryOutcome {
  /** Why an attempt may have been applied (first reason), if one may have been. */
  private maybeApplied: string | undefined;

  constructor(
    private readonly core: ClientCore,
    private readonly primary: Buffer,
    private readonly startTs: bigint,
  ) {}

  /**
   * Commits the primary. Resolves `true` when committed, or the error to throw when it is known
   * NOT to be committed (the caller then rolls the rest back); throws KvUnknownOutcomeError when
   * neither can be proven.
   */
  async commit(commitTs: bigint): Promise<true | Error> {
    const bo = backoffer(this.core, this.core.limits.commitBudgetMs, 'commit primary');
    let resp: CommitResponse;
    try {
      ({ resp } = await this.core.sender.onKey<CommitResponse>(
        bo,
        this.primary,
        'KvCommit',
        () => ({ start_version: toU64(this.startTs), keys: [this.primary], commit_version: toU64(commitTs) }),
        { onMaybeApplied: (why) => (this.maybeApplied ??= why) },
      ));
    } catch (err) {
      if (this.maybeApplied === undefined) return err as Error; // no attempt got past TiKV's checks
      return this.decide(err as Error);
    }
    if (!resp.error) return true;
    if (this.maybeApplied === undefined && isLockNotFound(resp.error)) {
      return new KvConflictError(`txn ${this.startTs} was rolled back before its commit (lock TTL expired)`, this.primary);
    }
    return this.decide(keyErrorToError(resp.error, 'commit primary'));
  }

  /** Status, then our own rollback, then status again; each step with its own cleanup budget. */
  private async decide(cause: Error): Promise<true | Error> {
    const first = await this.evidence();
    if (first === 'committed') return true;
    if (first === 'rolledBack') return this.rolledBackByOthers(cause);
    const rollback = await this.rollbackPrimary(this.fresh('roll back primary'));
    if (rollback === 'done') {
      return new KvUnavailableError(`commit of txn ${this.startTs} did not complete and was rolled back: ${cause.message}`);
    }
    const second = await this.evidence();
    if (second === 'committed') return true;
    if (second === 'rolledBack') return this.rolledBackByOthers(cause);
    throw new KvUnknownOutcomeError(
      `commit of txn ${this.startTs} has an unknown outcome (primary ${this.primary.toString('hex')}): ` +
        `${this.maybeApplied ?? cause.message}; last error: ${cause.message}; ` +
        `status ${first}/${second}, rollback ${rollback}`,
    );
  }

  private rolledBackByOthers(cause: Error): Error {
    return new KvConflictError(`txn ${this.startTs} was rolled back before its commit (${cause.message})`, this.primary);
  }

  /** KvCheckTxnStatus on our own primary, without side effects (current_ts = 0 never expires it). */
  private async evidence(): Promise<Evidence> {
    try {
      const res = await this.core.resolver.checkTxnStatus(this.fresh('check primary'), this.primary, this.startTs, 0n, 0n, false);
      if (res === 'notFound') return 'open'; // no lock, no record: a Rollback record settles it
      return res.kind === 'committed' ? 'committed' : res.kind === 'rolledBack' ? 'rolledBack' : 'open';
    } catch {
      return 'unanswered';
    }
  }

  private async rollbackPrimary(bo: Backoffer): Promise<'done' | 'refused' | 'unanswered'> {
    try {
      const replies = await this.core.sender.onKeys<SimpleResponse>(bo, [this.primary], 'KvBatchRollback', () => ({
        start_version: toU64(this.startTs),
        keys: [this.primary],
      }));
      return replies.length > 0 && replies.every((r) => !r.resp.error) ? 'done' : 'refused';
    } catch {
      return 'unanswered';
    }
  }

  private fresh(what: string): Backoffer {
    return backoffer(this.core, this.core.limits.cleanupBudgetMs, what);
  }
}
