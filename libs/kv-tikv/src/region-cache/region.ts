import { compareEnds, inRange } from '../codec/keys';

/** A region as the client sees it: boundaries are RAW keys (decoded from PD's memcomparable form). */
export interface Peer {
  readonly id: bigint;
  readonly storeId: bigint;
}

export interface RegionEpoch {
  readonly confVer: bigint;
  readonly version: bigint;
}

export interface RegionInfo {
  readonly id: bigint;
  /** Inclusive; empty = -infinity. */
  readonly startKey: Buffer;
  /** Exclusive; empty = +infinity. */
  readonly endKey: Buffer;
  readonly epoch: RegionEpoch;
  readonly peers: readonly Peer[];
  /** Where requests go (TiKV rejects non-leaders with NotLeader). */
  readonly leader: Peer;
}

export const containsKey = (r: RegionInfo, key: Buffer): boolean => inRange(key, r.startKey, r.endKey);

/** r.start < key <= r.end (empty key = +infinity): the region holding the keys just below `key`. */
export function containsEnd(r: RegionInfo, key: Buffer): boolean {
  if (key.length === 0) return r.endKey.length === 0;
  return Buffer.compare(r.startKey, key) < 0 && compareEnds(key, r.endKey) <= 0;
}

/** Whether the ranges [a.start, a.end) and [b.start, b.end) share a key. */
export function overlaps(a: RegionInfo, b: RegionInfo): boolean {
  const below = (start: Buffer, end: Buffer) => end.length === 0 || Buffer.compare(start, end) < 0;
  return below(a.startKey, b.endKey) && below(b.startKey, a.endKey);
}

/** `a` is older than `b`: a split/merge (version) or a membership change (conf_ver) happened since. */
export function isOlderEpoch(a: RegionEpoch, b: RegionEpoch): boolean {
  return a.version < b.version || a.confVer < b.confVer;
}

export function sameEpoch(a: RegionEpoch, b: RegionEpoch): boolean {
  return a.version === b.version && a.confVer === b.confVer;
}

/** The same region with another leader, when `leader` is one of its peers. */
export function withLeader(r: RegionInfo, leader: Peer): RegionInfo | undefined {
  const peer = r.peers.find((p) => p.id === leader.id && p.storeId === leader.storeId);
  return peer ? { ...r, leader: peer } : undefined;
}

export function describeRegion(r: RegionInfo): string {
  const b = (k: Buffer, inf: string) => (k.length ? k.toString('hex') : inf);
  return `region ${r.id} [${b(r.startKey, '-inf')}, ${b(r.endKey, '+inf')}) v${r.epoch.version}`;
}
