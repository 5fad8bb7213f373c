/**
 * The cluster's region map as PD and TiKV keep it: boundaries are memcomparable-ENCODED keys
 * (empty = -inf / +inf), every region has one peer per store, one of them the leader, and an epoch
 * {conf_ver, version} that a split bumps. TiKV checks a request's Context against this map
 * (raftstore `check_region_epoch`, mocktikv `CheckRequestContext`); PD may serve a stale copy.
 */
import { decodeBound, encodeKey, inRange, u64, wire } from './codec';
import { RegionError, WireContext, WirePeer, WireRegion } from './types';

export interface FakePeer {
  readonly id: bigint;
  readonly storeId: bigint;
}

export interface FakeRegion {
  readonly id: bigint;
  /** Encoded boundaries. */
  readonly start: Buffer;
  readonly end: Buffer;
  readonly confVer: bigint;
  readonly version: bigint;
  readonly peers: readonly FakePeer[];
  readonly leaderStoreId: bigint;
}

/** A region as tests see it: raw (decoded) boundaries next to the encoded ones. */
export interface RegionView extends FakeRegion {
  readonly rawStart: Buffer;
  readonly rawEnd: Buffer;
}

export const view = (r: FakeRegion): RegionView => ({ ...r, rawStart: decodeBound(r.start), rawEnd: decodeBound(r.end) });

export function regionToWire(r: FakeRegion): WireRegion {
  return {
    id: wire(r.id),
    ...bounds(r),
    region_epoch: { conf_ver: wire(r.confVer), version: wire(r.version) },
    peers: r.peers.map(peerToWire),
  };
}

/** Empty boundaries are left unset, as proto3 servers (rust-protobuf, gogoproto) never send empty bytes. */
const bounds = (r: FakeRegion): { start_key?: Buffer; end_key?: Buffer } => ({
  ...(r.start.length > 0 ? { start_key: r.start } : {}),
  ...(r.end.length > 0 ? { end_key: r.end } : {}),
});

export const peerToWire = (p: FakePeer): WirePeer => ({ id: wire(p.id), store_id: wire(p.storeId) });

export function leaderOf(r: FakeRegion): FakePeer {
  const p = r.peers.find((x) => x.storeId === r.leaderStoreId);
  if (!p) throw new Error(`fake-tikv: region ${r.id} has no peer on leader store ${r.leaderStoreId}`);
  return p;
}

export class RegionTable {
  /** Sorted by start key; together they cover the whole key space. */
  private regions: FakeRegion[];
  private pdSnapshot: FakeRegion[] | undefined;
  private nextId: bigint;

  constructor(storeIds: readonly bigint[], firstId = 2n) {
    this.nextId = firstId;
    const id = this.allocId();
    this.regions = [
      {
        id,
        start: Buffer.alloc(0),
        end: Buffer.alloc(0),
        confVer: 1n,
        version: 1n,
        peers: storeIds.map((storeId) => ({ id: this.allocId(), storeId })),
        leaderStoreId: storeIds[0],
      },
    ];
  }

  all(): readonly FakeRegion[] {
    return this.regions;
  }

  /** What PD answers from: the live map, or the copy frozen by `freezePd`. */
  pdView(): readonly FakeRegion[] {
    return this.pdSnapshot ?? this.regions;
  }

  freezePd(frozen: boolean): void {
    this.pdSnapshot = frozen ? [...this.regions] : undefined;
  }

  byId(id: bigint): FakeRegion | undefined {
    return this.regions.find((r) => r.id === id);
  }

  /** The region holding an ENCODED key (byte comparison, as PD does with whatever it is sent). */
  locateEncoded(enc: Buffer, regions: readonly FakeRegion[] = this.regions): FakeRegion | undefined {
    return regions.find((r) => inRange(enc, r.start, r.end));
  }

  locateRaw(raw: Buffer): FakeRegion {
    const r = this.locateEncoded(encodeKey(raw));
    if (!r) throw new Error('fake-tikv: regions do not cover the key space');
    return r;
  }

  /**
   * Splits the region holding `rawKey` at it (TiKV right_derive_when_split = true: the original id
   * keeps the right half, the left half gets a new id and new peers on the same stores). Both halves
   * get version + 1. Splitting at an existing boundary is a no-op.
   */
  split(rawKey: Buffer): { left: FakeRegion; right: FakeRegion } | undefined {
    const at = encodeKey(rawKey);
    const r = this.locateEncoded(at);
    if (!r || r.start.equals(at)) return undefined;
    const left: FakeRegion = {
      ...r,
      id: this.allocId(),
      end: at,
      version: r.version + 1n,
      peers: r.peers.map((p) => ({ id: this.allocId(), storeId: p.storeId })),
    };
    const right: FakeRegion = { ...r, start: at, version: r.version + 1n };
    this.replace([r], [left, right]);
    return { left, right };
  }

  /** Merges the region holding `rawKey` with its right neighbour (the right one absorbs it, version = max + 1). */
  mergeRight(rawKey: Buffer): FakeRegion | undefined {
    const r = this.locateRaw(rawKey);
    const i = this.regions.indexOf(r);
    const next = this.regions[i + 1];
    if (!next) return undefined;
    const merged: FakeRegion = { ...next, start: r.start, version: (r.version > next.version ? r.version : next.version) + 1n };
    this.replace([r, next], [merged]);
    return merged;
  }

  transferLeader(regionId: bigint, storeId: bigint): FakeRegion {
    const r = this.byId(regionId);
    if (!r) throw new Error(`fake-tikv: no region ${regionId}`);
    if (!r.peers.some((p) => p.storeId === storeId)) throw new Error(`fake-tikv: region ${regionId} has no peer on store ${storeId}`);
    const moved: FakeRegion = { ...r, leaderStoreId: storeId };
    this.replace([r], [moved]);
    return moved;
  }

  /**
   * Conf change: the region's peer on `from` is replaced by a new peer on `to` (a new peer id),
   * conf_ver + 1 (PD's operator adds the learner, promotes it, removes the old peer; we show the
   * end state). A leader on `from` moves to the new peer. `to` undefined only removes the peer.
   */
  movePeer(regionId: bigint, from: bigint, to: bigint | undefined): FakeRegion {
    const r = this.byId(regionId);
    if (!r) throw new Error(`fake-tikv: no region ${regionId}`);
    if (to !== undefined && r.peers.some((p) => p.storeId === to)) throw new Error(`fake-tikv: region ${regionId} already has a peer on store ${to}`);
    const kept = r.peers.filter((p) => p.storeId !== from);
    if (kept.length === r.peers.length) return r;
    const peers = to === undefined ? kept : [...kept, { id: this.allocId(), storeId: to }];
    if (peers.length === 0) throw new Error(`fake-tikv: region ${regionId} would have no peer left`);
    const leaderStoreId = r.leaderStoreId === from ? (to ?? peers[0].storeId) : r.leaderStoreId;
    const moved: FakeRegion = { ...r, peers, leaderStoreId, confVer: r.confVer + 1n };
    this.replace([r], [moved]);
    return moved;
  }

  /**
   * The regions EpochNotMatch reports: the current one plus the siblings a split derived from it
   * (raftstore `collect_sibling_region`; with right_derive_when_split they lie to the LEFT), i.e.
   * left neighbours newer than the requester's version, at most (current - requested) of them.
   */
  currentRegions(r: FakeRegion, requestedVersion = r.version - 1n): FakeRegion[] {
    const out = [r];
    for (let i = this.regions.indexOf(r) - 1; i >= 0 && BigInt(out.length) <= r.version - requestedVersion; i--) {
      if (this.regions[i].version <= requestedVersion) break;
      out.push(this.regions[i]);
    }
    return out;
  }

  /**
   * TiKV's request-context check for store `storeId`, in raftstore's order: region known on this
   * store, store id, peer id, leadership, epoch version. Key-range checks are per command.
   */
  check(ctx: WireContext | undefined, storeId: bigint): { region: FakeRegion } | { error: RegionError } {
    const regionId = u64(ctx?.region_id);
    const r = this.byId(regionId);
    const local = r?.peers.find((p) => p.storeId === storeId);
    if (!r || !local) {
      return { error: { message: `region ${regionId} not found`, region_not_found: { region_id: wire(regionId) } } };
    }
    const reqStore = u64(ctx?.peer?.store_id);
    if (reqStore !== storeId) {
      return {
        error: {
          message: `store not match, request store id ${reqStore}, actual ${storeId}`,
          store_not_match: { request_store_id: wire(reqStore), actual_store_id: wire(storeId) },
        },
      };
    }
    const reqPeer = u64(ctx?.peer?.id);
    if (reqPeer !== local.id) {
      return {
        error: {
          message: `mismatch peer id ${reqPeer} != ${local.id}`,
          mismatch_peer_id: { request_peer_id: wire(reqPeer), store_peer_id: wire(local.id) },
        },
      };
    }
    if (r.leaderStoreId !== storeId) return { error: notLeader(r) };
    if (!ctx?.region_epoch) return { error: { message: 'missing epoch!' } };
    if (u64(ctx.region_epoch.version) !== r.version) return { error: this.epochNotMatch(r, u64(ctx.region_epoch.version)) };
    return { region: r };
  }

  epochNotMatch(r: FakeRegion, requestedVersion?: bigint): RegionError {
    return {
      message: `epoch not match for region ${r.id}`,
      epoch_not_match: { current_regions: this.currentRegions(r, requestedVersion).map(regionToWire) },
    };
  }

  private replace(old: readonly FakeRegion[], fresh: readonly FakeRegion[]): void {
    const i = this.regions.indexOf(old[0]);
    this.regions = [...this.regions.slice(0, i), ...fresh, ...this.regions.slice(i + old.length)];
  }

  private allocId(): bigint {
    return this.nextId++;
  }
}

/** NotLeader naming `leader` (default: the current one); null = leader unknown. */
export function notLeader(r: FakeRegion, leader: FakePeer | null = leaderOf(r)): RegionError {
  return {
    message: `peer is not leader for region ${r.id}`,
    not_leader: leader ? { region_id: wire(r.id), leader: peerToWire(leader) } : { region_id: wire(r.id) },
  };
}

export function keyNotInRegion(key: Buffer, r: FakeRegion): RegionError {
  return {
    message: `key ${key.toString('hex')} is not in region ${r.id}`,
    key_not_in_region: { key, region_id: wire(r.id), ...bounds(r) },
  };
}

/** Is a RAW request key inside the (encoded) region range? TiKV compares the encoded key. */
export const rawInRegion = (raw: Buffer, r: FakeRegion): boolean => inRange(encodeKey(raw), r.start, r.end);
