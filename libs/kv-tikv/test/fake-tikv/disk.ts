/**
 * A store's disk as TiKV sees it (`DiskUsage`): Normal, AlmostFull (free space below
 * `storage.reserve-space`) or AlreadyFull (below half of it, where TiKV stops every write). The
 * leader checks a write before proposing it, as raftstore `check_proposal_with_disk_full_opt`:
 * - leader AlmostFull: only writes carrying DiskFullOpt.AllowedOnAlmostFull pass; AlreadyFull:
 *   none. Refused: `disk_full {store_id: [leader's store]}`, and when a quorum of peers has room the
 *   leader moves to a peer with a Normal disk (`pre_transfer_leader`), so a retry gets NotLeader.
 * - leader fine, but a quorum of the region's peers is full (the leader counts as Normal): only
 *   AllowedOnAlmostFull passes, and only while the peers that are not AlreadyFull make a quorum.
 *   Refused: `disk_full {store_id: [the full followers' stores]}`.
 * Commands that only release or refresh locks use the reserve by themselves (TiKV's
 * `WriteData::set_allowed_on_disk_almost_full`): commit, rollback, cleanup, resolve lock, check txn
 * status, heartbeat. So on an almost-full store only prewrite needs the flag; reads never meet
 * the check.
 */
import { wire } from './codec';
import { FakeRegion } from './regions';
import { DiskFullOpt, RegionError, TikvMethod, WireContext } from './types';

export type DiskUsage = 'normal' | 'almostFull' | 'alreadyFull';

const RELEASES_LOCKS = new Set<TikvMethod>(['KvCommit', 'KvBatchRollback', 'KvCleanup', 'KvResolveLock', 'KvCheckTxnStatus', 'KvTxnHeartBeat']);
const PROPOSES = new Set<TikvMethod>(['KvPrewrite', ...RELEASES_LOCKS]);

const USAGE_NAME: Record<DiskUsage, string> = { normal: 'Normal', almostFull: 'AlmostFull', alreadyFull: 'AlreadyFull' };
const OPT_NAME = ['NotAllowedOnFull', 'AllowedOnAlmostFull', 'AllowedOnAlreadyFull'];

export class DiskUsages {
  private readonly usage = new Map<bigint, DiskUsage>();

  of(storeId: bigint): DiskUsage {
    return this.usage.get(storeId) ?? 'normal';
  }

  set(storeId: bigint, usage: DiskUsage): void {
    if (usage === 'normal') this.usage.delete(storeId);
    else this.usage.set(storeId, usage);
  }

  clear(): void {
    this.usage.clear();
  }

  /**
   * The DiskFull refusal of `method` on `region` (led from here), if any, and the peer's store the
   * leader then moves to. `canLead` says whether a store could take over (it is running).
   */
  check(
    method: TikvMethod,
    ctx: WireContext | undefined,
    region: FakeRegion,
    canLead: (storeId: bigint) => boolean,
  ): { error: RegionError; transferTo?: bigint } | undefined {
    if (!PROPOSES.has(method) || this.usage.size === 0) return undefined;
    const asked = ctx?.disk_full_opt ?? DiskFullOpt.NotAllowedOnFull;
    const opt = RELEASES_LOCKS.has(method) ? Math.max(asked, DiskFullOpt.AllowedOnAlmostFull) : asked;
    const leader = region.leaderStoreId;
    const leaderUsage = this.of(leader);
    const followers = region.peers.filter((p) => p.storeId !== leader);
    const fullFollowers = followers.filter((p) => this.of(p.storeId) !== 'normal');
    const quorum = Math.floor(region.peers.length / 2) + 1;
    const majorityFull = region.peers.length - fullFollowers.length < quorum;
    const refuse = (stores: bigint[]): RegionError => {
      const reason = `propose failed: tikv disk full, cmd diskFullOpt=${OPT_NAME[opt] ?? opt}, leader diskUsage=${USAGE_NAME[leaderUsage]}`;
      return { message: reason, disk_full: { store_id: stores.map(wire), reason } };
    };
    const leaderAllowed = leaderUsage === 'normal' || (leaderUsage === 'almostFull' && opt !== DiskFullOpt.NotAllowedOnFull);
    if (!leaderAllowed) {
      const target = majorityFull ? undefined : followers.find((p) => this.of(p.storeId) === 'normal' && canLead(p.storeId));
      return { error: refuse([leader]), transferTo: target?.storeId };
    }
    if (!majorityFull) return undefined;
    const notAlreadyFull = region.peers.filter((p) => p.storeId === leader || this.of(p.storeId) !== 'alreadyFull').length;
    if (opt === DiskFullOpt.AllowedOnAlmostFull && notAlreadyFull >= quorum) return undefined;
    return { error: refuse(fullFollowers.map((p) => p.storeId)) };
  }
}
