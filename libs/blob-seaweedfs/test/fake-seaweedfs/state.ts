import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** One needle as a volume server holds it (weed/storage/needle). */
export interface Needle {
  cookie: number;
  data: Buffer;
  mime: string;
  lastModified: number;
  deleted: boolean;
  pairs: Record<string, string>;
  etag: string;
  expiresAt?: number;
}

/** One volume as the master knows it. */
export interface Volume {
  readonly id: number;
  readonly collection: string;
  readonly replication: string;
  readonly holders: number[];
  readOnly: boolean;
  size: number;
}

export interface Proc {
  readonly index: number;
  /** `127.0.0.1:port`, kept across kill/revive. */
  hostPort: string;
  alive: boolean;
  server?: Server;
  readonly sockets: Set<Socket>;
}

export interface VolumeServerState extends Proc {
  readonly rack: string;
  readonly dataCenter: string;
  /** Heartbeating to the master: lookup lists it and assign places volumes on it. */
  registered: boolean;
  readonly needles: Map<number, Map<bigint, Needle>>;
}

export interface LoggedRequest {
  readonly target: string;
  readonly method: string;
  readonly url: string;
  status?: number;
}

/** A live needle as tests see it: fid and the servers holding an undeleted copy. */
export interface LiveNeedle {
  readonly fid: string;
  readonly volumeId: number;
  readonly servers: number[];
  readonly size: number;
}

/** One volume copy's bytes, and its tombstones and their bytes: what `garbageLevel` and `/status` count. */
export function volumeUsage(m: ReadonlyMap<bigint, Needle> | undefined): { bytes: number; deletes: number; deletedBytes: number } {
  const u = { bytes: 0, deletes: 0, deletedBytes: 0 };
  for (const n of m?.values() ?? []) {
    u.bytes += n.data.length;
    if (!n.deleted) continue;
    u.deletes++;
    u.deletedBytes += n.data.length;
  }
  return u;
}

export const REPLICATION = /^[0-9]{3}$/;

export function copiesOf(replication: string): number {
  return 1 + Number(replication[0]) + Number(replication[1]) + Number(replication[2]);
}

/** `formatNeedleIdCookie`: key bytes with leading zero bytes stripped, then the 4 cookie bytes, in hex. */
export function formatFid(vid: number, key: bigint, cookie: number): string {
  const b = Buffer.alloc(12);
  b.writeBigUInt64BE(key, 0);
  b.writeUInt32BE(cookie >>> 0, 8);
  let i = 0;
  while (i < 8 && b[i] === 0) i++;
  return `${vid},${b.subarray(i).toString('hex')}`;
}

/**
 * `parseURLPath` + `ParseFileIdFromString` + `ParseNeedleIdCookie`: `/3,01637037d6[.ext]`,
 * `/3/01637037d6[/name.ext]`, with an optional `_N` delta on the key. undefined when malformed.
 */
export function parseFidPath(path: string): { vid: number; key: bigint; cookie: number; fid: string } | undefined {
  let m = /^\/([0-9]+),([0-9a-fA-F]+)(?:_([0-9]+))?(?:\.[^/]*)?$/.exec(path);
  if (!m) m = /^\/([0-9]+)\/([0-9a-fA-F]+)(?:_([0-9]+))?(?:\/[^/]*)?$/.exec(path);
  if (!m) return undefined;
  const vid = Number(m[1]);
  const hex = m[2];
  if (!Number.isSafeInteger(vid) || vid > 0xffffffff || hex.length <= 8 || hex.length > 24) return undefined;
  const cookie = parseInt(hex.slice(-8), 16);
  let key = BigInt(`0x${hex.slice(0, -8)}`);
  if (m[3]) key += BigInt(m[3]);
  return { vid, key, cookie, fid: `${vid},${hex}` };
}
