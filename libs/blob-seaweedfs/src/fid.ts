import { ServiceError } from '@massive/contracts';

/**
 * SeaweedFS file ids and our chunk ids.
 *
 * A fid is `<vid>,<key hex><cookie 8 hex>` (weed/storage/needle/file_id.go): vid a decimal uint32, the
 * key a uint64 with leading zero bytes stripped (so an even number of hex digits), the cookie the last
 * 8 hex digits; key+cookie is 9..24 characters. Masters print lowercase hex.
 *
 * Our chunk id is `sw1:<fid>`: the `sw1` prefix names this store and the needle format version (see
 * needle-format.ts), so a chunk id says by itself where and how its bytes are stored and any blob replica
 * can read it. Ids are validated strictly: only the exact shape a master mints is accepted (lowercase,
 * even-length key+cookie of 10..24 hex digits, vid 1..2^32-1 without leading zeros), so nothing a client
 * could smuggle in (paths, `..`, query strings, `_N` suffixes) ever reaches a URL.
 */
export const CHUNK_ID_PREFIX = 'sw1:';
const FID = /^([1-9][0-9]{0,9}),((?:[0-9a-f]{2}){5,12})$/;
const MAX_VID = 0xffffffff;

export interface Fid {
  readonly volumeId: number;
  /** key+cookie hex, as printed by the master. */
  readonly needle: string;
  /** `<vid>,<needle>` */
  readonly fid: string;
}

/** Parses a fid as a master returns it; undefined when it is not exactly that shape. */
export function parseFid(fid: string): Fid | undefined {
  const m = typeof fid === 'string' ? FID.exec(fid) : null;
  if (!m) return undefined;
  const volumeId = Number(m[1]);
  if (volumeId > MAX_VID) return undefined;
  return { volumeId, needle: m[2], fid };
}

export function chunkIdOf(fid: Fid): string {
  return CHUNK_ID_PREFIX + fid.fid;
}

/** Parses one of our chunk ids, or throws InvalidArgument (the port's rule for ids a store did not mint). */
export function parseChunkId(id: string): Fid {
  const fid = typeof id === 'string' && id.startsWith(CHUNK_ID_PREFIX) ? parseFid(id.slice(CHUNK_ID_PREFIX.length)) : undefined;
  if (!fid) throw new ServiceError('InvalidArgument', `malformed chunk id ${JSON.stringify(String(id).slice(0, 200))}`);
  return fid;
}

/** Intent ids are metadata's 32-hex ids; anything else is refused before it is used. */
export function assertIntentId(intentId: string): void {
  if (typeof intentId !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(intentId)) {
    throw new ServiceError('InvalidArgument', `malformed intent id ${JSON.stringify(String(intentId).slice(0, 200))}`);
  }
}

export function assertSeq(seq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 0 || seq > 0xffffffff) {
    throw new ServiceError('InvalidArgument', `malformed chunk sequence number ${seq}`);
  }
}
