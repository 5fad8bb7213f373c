/**
 * Matching the client's 2PC steps on the wire, so tests can make one step never arrive (a writer
 * crashing between steps) or lose its reply. The primary batch of a prewrite is the one holding
 * `primary_lock`; a primary commit is one whose keys include a primary lock of that txn (or the
 * request's `primary_key`).
 */
import { u64 } from './codec';
import { TikvMatch, TikvRequestInfo } from './faults';
import { MvccStore } from './mvcc';
import { CommitRequest, PrewriteRequest } from './types';

export type TxnStep = 'prewrite-primary' | 'prewrite-secondaries' | 'commit-primary' | 'commit-secondaries';

export function isPrimaryPrewrite(req: PrewriteRequest): boolean {
  const primary = req.primary_lock;
  return !!primary && (req.mutations ?? []).some((m) => !!m.key && m.key.equals(primary));
}

export function isPrimaryCommit(req: CommitRequest, mvcc: MvccStore): boolean {
  const startTs = u64(req.start_version);
  return (req.keys ?? []).some((k) => {
    if (req.primary_key && req.primary_key.length > 0 && k.equals(req.primary_key)) return true;
    const lock = mvcc.lockOf(k);
    return !!lock && lock.startTs === startTs && lock.primary.equals(k);
  });
}

/** A fault matcher for one 2PC step, optionally of one transaction (by start_ts). */
export function txnStepMatch(step: TxnStep, mvcc: MvccStore, startTs?: bigint): TikvMatch {
  const sameTxn = (req: { start_version?: string }): boolean => startTs === undefined || u64(req.start_version) === startTs;
  const prewrite = step.startsWith('prewrite');
  return {
    method: prewrite ? 'KvPrewrite' : 'KvCommit',
    when: (info: TikvRequestInfo) => {
      if (prewrite) {
        const req = info.request as PrewriteRequest;
        return sameTxn(req) && isPrimaryPrewrite(req) === (step === 'prewrite-primary');
      }
      const req = info.request as CommitRequest;
      return sameTxn(req) && isPrimaryCommit(req, mvcc) === (step === 'commit-primary');
    },
  };
}
