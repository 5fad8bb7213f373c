import { containsEnd, containsKey, isOlderEpoch, overlaps, withLeader, type Peer, type RegionInfo } from './region';

/**
 * Regions sorted by (raw) start key, with lookups by key and by end key. Entries are hints: any
 * region error invalidates or replaces them, and an insert never lets an older epoch overwrite
 * newer knowledge (PD can lag TiKV right after a split).
 */
export class RegionCache {
  /** Non-overlapping, ascending by startKey. */
  private regions: RegionInfo[] = [];

  get size(): number {
    return this.regions.length;
  }

  all(): readonly RegionInfo[] {
    return this.regions;
  }

  /** The cached region holding `key`. */
  lookup(key: Buffer): RegionInfo | undefined {
    const i = this.lastStartingAtOrBefore(key);
    const r = i >= 0 ? this.regions[i] : undefined;
    return r && containsKey(r, key) ? r : undefined;
  }

  /** The cached region with start < key <= end (empty key: the last region). */
  lookupEnd(key: Buffer): RegionInfo | undefined {
    if (key.length === 0) {
      const last = this.regions[this.regions.length - 1];
      return last && last.endKey.length === 0 ? last : undefined;
    }
    // The region with the greatest start strictly below key.
    let lo = 0;
    let hi = this.regions.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (Buffer.compare(this.regions[mid].startKey, key) < 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const r = found >= 0 ? this.regions[found] : undefined;
    return r && containsEnd(r, key) ? r : undefined;
  }

  byId(id: bigint): RegionInfo | undefined {
    return this.regions.find((r) => r.id === id);
  }

  /**
   * Adds `region`, dropping the entries it overlaps, unless one of those is newer (higher epoch
   * version or conf_ver): then the stale view is refused and false returned.
   */
  insert(region: RegionInfo): boolean {
    const clashing = this.regions.filter((r) => overlaps(r, region));
    if (clashing.some((r) => isOlderEpoch(region.epoch, r.epoch))) return false;
    if (clashing.length) this.regions = this.regions.filter((r) => !clashing.includes(r));
    const at = this.lastStartingAtOrBefore(region.startKey) + 1;
    this.regions.splice(at, 0, region);
    return true;
  }

  invalidate(id: bigint): void {
    this.regions = this.regions.filter((r) => r.id !== id);
  }

  /** Drops every region led from `storeId` (its address changed or it is down). */
  invalidateStore(storeId: bigint): void {
    this.regions = this.regions.filter((r) => r.leader.storeId !== storeId);
  }

  /**
   * Points region `id` at a new leader (NotLeader with a leader). False when the region is not
   * cached or the leader is not one of its known peers (then it was invalidated: reload it).
   */
  updateLeader(id: bigint, leader: Peer): boolean {
    const i = this.regions.findIndex((r) => r.id === id);
    if (i < 0) return false;
    const next = withLeader(this.regions[i], leader);
    if (!next) {
      this.regions.splice(i, 1);
      return false;
    }
    this.regions[i] = next;
    return true;
  }

  clear(): void {
    this.regions = [];
  }

  private lastStartingAtOrBefore(key: Buffer): number {
    let lo = 0;
    let hi = this.regions.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (Buffer.compare(this.regions[mid].startKey, key) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}

export interface KeyGroup {
  readonly region: RegionInfo;
  /** Ascending, all inside `region`. */
  readonly keys: Buffer[];
}

/**
 * Splits `keys` by region (the order of groups and of keys within each is ascending), locating
 * each region once. Duplicate keys are kept.
 */
export async function groupByRegion(
  keys: readonly Buffer[],
  locate: (key: Buffer) => Promise<RegionInfo>,
): Promise<KeyGroup[]> {
  const sorted = [...keys].sort(Buffer.compare);
  const groups: KeyGroup[] = [];
  let current: KeyGroup | undefined;
  for (const key of sorted) {
    if (!current || !containsKey(current.region, key)) {
      current = { region: await locate(key), keys: [] };
      groups.push(current);
    }
    current.keys.push(key);
  }
  return groups;
}
