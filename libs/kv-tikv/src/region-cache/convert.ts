import { decodeBoundary } from '../codec/memcomparable';
import type { WPeer, WRegion } from '../grpc/wire';
import { fromU64 } from '../pd/timestamp';
import type { Peer, RegionInfo } from './region';

/** A region from the wire without its leader: boundaries decoded to raw keys. */
export type RegionMeta = Omit<RegionInfo, 'leader'>;

export function peerFromWire(p: WPeer): Peer {
  return { id: fromU64(p.id), storeId: fromU64(p.store_id) };
}

export function regionFromWire(w: WRegion): RegionMeta {
  return {
    id: fromU64(w.id),
    startKey: decodeBoundary(w.start_key),
    endKey: decodeBoundary(w.end_key),
    epoch: { confVer: fromU64(w.region_epoch?.conf_ver), version: fromU64(w.region_epoch?.version) },
    peers: (w.peers ?? []).map(peerFromWire),
  };
}

/** Attaches a leader; undefined when it is not one of the region's peers (or not known). */
export function withLeaderFromWire(meta: RegionMeta, leader: WPeer | Peer | undefined): RegionInfo | undefined {
  if (!leader) return undefined;
  const l = 'storeId' in leader ? leader : peerFromWire(leader);
  const peer = meta.peers.find((p) => p.id === l.id && p.storeId === l.storeId);
  return peer ? { ...meta, leader: peer } : undefined;
}
