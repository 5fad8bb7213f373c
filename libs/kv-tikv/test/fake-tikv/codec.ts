/**
 * Byte and timestamp helpers of the fake, written independently of the client's codec on purpose:
 * a bug in the client's memcomparable code must not be mirrored here.
 *
 * Memcomparable (TiKV `EncodeBytes`): 8-byte groups, each padded with 0x00 and followed by the
 * marker 0xFF - padCount; a final group is always emitted. PD and TiKV keep region boundaries in
 * this form (API V1) while request keys stay raw.
 */
export const MAX_U64 = (1n << 64n) - 1n;
export const LOGICAL_BITS = 18n;

export function encodeKey(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i <= raw.length; i += 8) {
    const group = Buffer.alloc(9);
    const chunk = raw.subarray(i, i + 8);
    chunk.copy(group);
    group[8] = 0xff - (8 - chunk.length);
    parts.push(group);
    if (chunk.length < 8) break;
  }
  return Buffer.concat(parts);
}

export function decodeKey(enc: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let off = 0; off + 9 <= enc.length; off += 9) {
    const pad = 0xff - enc[off + 8];
    if (pad < 0 || pad > 8) throw new Error(`bad memcomparable marker at ${off}`);
    parts.push(enc.subarray(off, off + 8 - pad));
    if (pad > 0) {
      if (off + 9 !== enc.length) throw new Error('trailing bytes after memcomparable key');
      return Buffer.concat(parts);
    }
  }
  throw new Error('truncated memcomparable key');
}

/** Encoded boundary <-> raw boundary; empty means -inf/+inf and is never encoded. */
export const encodeBound = (raw: Buffer): Buffer => (raw.length === 0 ? Buffer.alloc(0) : encodeKey(raw));
export const decodeBound = (enc: Buffer): Buffer => (enc.length === 0 ? Buffer.alloc(0) : decodeKey(enc));

/** A u64 from the wire (proto-loader `longs: String` gives decimal strings); absent = 0. */
export function u64(v: string | number | bigint | null | undefined): bigint {
  if (v === undefined || v === null || v === '') return 0n;
  const b = BigInt(v);
  if (b < 0n || b > MAX_U64) throw new RangeError(`${v} is not a u64`);
  return b;
}

/** A bigint for the wire: a decimal string, which protobufjs encodes exactly. */
export const wire = (v: bigint): string => v.toString();

export const physicalOf = (ts: bigint): bigint => ts >> LOGICAL_BITS;
export const composeTs = (physical: bigint, logical: bigint): bigint => (physical << LOGICAL_BITS) | logical;

export const hex = (b: Buffer): string => b.toString('hex');
export const unhex = (s: string): Buffer => Buffer.from(s, 'hex');

/** True when `enc` lies in [start, end) with empty start = -inf and empty end = +inf. */
export function inRange(enc: Buffer, start: Buffer, end: Buffer): boolean {
  return Buffer.compare(enc, start) >= 0 && (end.length === 0 || Buffer.compare(enc, end) < 0);
}

/**
 * Drops proto3 default scalars (u64 "0", 0, false, "", empty bytes, empty repeated) from a reply,
 * recursively, keeping sub-messages (their presence means something, e.g. stale_command: {}).
 * Real servers never put defaults on the wire, so clients see exactly what TiKV/PD would send.
 */
export function stripDefaults<T>(msg: T): T {
  if (Buffer.isBuffer(msg) || msg === null || typeof msg !== 'object') return msg;
  if (Array.isArray(msg)) return msg.map(stripDefaults) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(msg as Record<string, unknown>)) {
    const isDefault =
      v === undefined || v === '0' || v === 0 || v === false || v === '' || (Buffer.isBuffer(v) && v.length === 0) || (Array.isArray(v) && v.length === 0);
    if (!isDefault) out[k] = stripDefaults(v);
  }
  return out as T;
}
