import type { MvccGcReport } from '@massive/kv';
import { EMPTY, nextKey } from '../codec/keys';
import type { ScanLockResponse } from '../grpc/wire';
import { composeTs, MAX_U64, physicalMsOf, toU64 } from '../pd/timestamp';
import { backoffer, type ClientCore } from './core';
import { keyErrorToError, lockFromWire, type Lock } from './lock';

/**
 * The service safe point TiDB's GC worker keeps in PD (`gcWorkerServiceSafePointID`). PD gives it an
 * infinite TTL and reports the smallest service safe point on every update, which is how BR and TiCDC
 * hold GC back. A cluster runs one GC driver: this client, or a TiDB's, never both with different
 * lifetimes.
 */
export const GC_WORKER_SERVICE = 'gc_worker';
/** PD requires the GC worker's service safe point to never expire: TTL = i64 max. */
const INFINITE_TTL = (1n << 63n) - 1n;
/** Locks per KvScanLock (client-go `gcScanLockLimit`). */
const SCAN_LOCK_LIMIT = 1024;

export interface MvccGcResult extends MvccGcReport {
  /** PD's GC safe point after the run (a TSO timestamp). */
  readonly safePoint: bigint;
  /** PD's GC safe point before it. */
  readonly previous: bigint;
}

/**
 * One MVCC GC run, the work TiDB's GC worker does for a TiKV cluster and nobody does for a cluster
 * without TiDB (where the MVCC versions of every overwrite, delete and lease renewal would otherwise
 * pile up forever, and scans over rewritten ranges slow down with them):
 * 1. the candidate is `now - lifetimeMs` by PD's clock (TSO);
 * 2. it is set as the `gc_worker` service safe point; PD answers the smallest service safe point, and
 *    the safe point is the smaller of the two (a BR backup or a TiCDC changefeed holds GC back);
 * 3. every lock below the safe point, in every region, is resolved: its transaction started more than
 *    `lifetimeMs` ago, so it is committed if its primary committed and rolled back otherwise (client-go
 *    `BatchResolveLocks`: CheckTxnStatus at current_ts = max, rollback_if_not_exist);
 * 4. PD's GC safe point is moved there; TiKV's GC worker then drops, for every key, the versions no
 *    read at or above the safe point can see.
 * Reads below the safe point are no longer safe: `lifetimeMs` must exceed the longest transaction
 * and snapshot (TiDB's default, 10 minutes, is far beyond ours, which last one request). A run that
 * fails part way leaves the safe point where it was; the next one starts over.
 */
export async function collectMvccGarbage(core: ClientCore, lifetimeMs: number): Promise<MvccGcResult> {
  if (!Number.isFinite(lifetimeMs) || lifetimeMs <= 0) throw new RangeError(`GC lifetime must be > 0 ms, got ${lifetimeMs}`);
  const now = await core.pd.getTimestamp();
  const candidate = composeTs(Math.max(0, physicalMsOf(now) - lifetimeMs), 0);
  const previous = await core.pd.getGcSafePoint();
  const unchanged = (heldBy?: string): MvccGcResult => ({
    outcome: 'unchanged',
    safePoint: previous,
    safePointMs: physicalMsOf(previous),
    previous,
    txnsResolved: 0,
    locksResolved: 0,
    heldBy,
  });
  if (candidate <= previous) return unchanged();
  const min = await core.pd.updateServiceGcSafePoint(GC_WORKER_SERVICE, INFINITE_TTL, candidate);
  const heldBy = min.minSafePoint < candidate && min.serviceId !== GC_WORKER_SERVICE ? min.serviceId : undefined;
  const safePoint = min.minSafePoint < candidate ? min.minSafePoint : candidate;
  if (safePoint <= previous) return unchanged(heldBy);
  const resolved = await resolveLocksBelow(core, safePoint);
  const advanced = await core.pd.updateGcSafePoint(safePoint);
  if (advanced > core.gcSafePoint.value) core.gcSafePoint.value = advanced;
  return { outcome: advanced > previous ? 'advanced' : 'unchanged', safePoint: advanced, safePointMs: physicalMsOf(advanced), previous, ...resolved, heldBy };
}

/** Scans every region for locks with start_ts < safePoint and resolves them, region by region. */
async function resolveLocksBelow(core: ClientCore, safePoint: bigint): Promise<{ txnsResolved: number; locksResolved: number }> {
  const bo = backoffer(core, core.limits.cleanupBudgetMs, 'MVCC GC lock resolution');
  const txns = new Set<bigint>();
  let locksResolved = 0;
  let cursor: Buffer = EMPTY;
  for (;;) {
    const region = await core.router.locateKey(bo, cursor);
    const sent = await core.sender.send<ScanLockResponse>(bo, region, 'KvScanLock', {
      max_version: toU64(safePoint),
      start_key: cursor,
      end_key: region.endKey,
      limit: SCAN_LOCK_LIMIT,
    });
    if (!sent.ok) continue; // region changed: locate again from the same key
    if (sent.resp.error) throw keyErrorToError(sent.resp.error, 'scan locks for MVCC GC');
    const locks = (sent.resp.locks ?? []).map(lockFromWire);
    for (const [txnId, txnLocks] of byTxn(locks)) {
      await resolveTxn(core, bo, txnId, txnLocks);
      txns.add(txnId);
      locksResolved += txnLocks.length;
    }
    if (locks.length >= SCAN_LOCK_LIMIT) {
      cursor = nextKey(locks[locks.length - 1].key);
      continue;
    }
    if (region.endKey.length === 0) return { txnsResolved: txns.size, locksResolved };
    cursor = region.endKey;
  }
}

/**
 * Commits or rolls back one transaction's locks. Its owner started it before the safe point, so it is
 * treated as expired whatever its TTL says: current_ts = max rolls back a primary that is still
 * locked, and rollback_if_not_exist settles a primary that never got written.
 */
async function resolveTxn(core: ClientCore, bo: ReturnType<typeof backoffer>, txnId: bigint, locks: Lock[]): Promise<void> {
  if (locks.some((l) => l.useAsyncCommit)) throw new Error(`async-commit lock of txn ${txnId}: not supported by this client`);
  const status = await core.resolver.checkTxnStatus(bo, locks[0].primary, txnId, 0n, MAX_U64, true);
  if (status === 'notFound' || status.kind === 'alive') {
    throw new Error(`txn ${txnId} below the GC safe point is still alive at its primary: not advancing the safe point`);
  }
  const commitTs = status.kind === 'committed' ? status.commitTs : 0n;
  await core.resolver.resolveLocks(bo, txnId, locks.filter((l) => !l.key.equals(l.primary)), commitTs);
}

function byTxn(locks: readonly Lock[]): Map<bigint, Lock[]> {
  const out = new Map<bigint, Lock[]>();
  for (const l of locks) out.set(l.txnId, [...(out.get(l.txnId) ?? []), l]);
  return out;
}
