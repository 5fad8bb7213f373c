import { ServiceError, type BlobManifest, type ByteRange } from '@massive/contracts';
import type { BlobManifest as PManifest, BlobManifest__Output as PManifestOut } from './generated/massive/blob/v1/BlobManifest';
import type { ByteRange as PRange, ByteRange__Output as PRangeOut } from './generated/massive/blob/v1/ByteRange';

/**
 * Wire primitives shared by both services. 64-bit integers arrive as numbers (`longs: Number`): every
 * size and time we use is a safe integer, and `num` refuses anything else (a uint64 past 2^53 decodes
 * to a double that is never a safe integer) rather than round it. Not strings: protobufjs turns a
 * string into a Long by parsing it and back by long division, microseconds per field, which made the
 * codec the largest cost of a 1,000-key listing (two 64-bit fields per entry, both ends).
 */
export function u64(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new ServiceError('InvalidArgument', `not a non-negative integer: ${n}`);
  return n;
}

/** A uint32 field's value: protobuf would truncate a fraction and wrap a negative or larger number. */
export function u32(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new ServiceError('InvalidArgument', `not a 32-bit non-negative integer: ${n}`);
  return n;
}

export function num(s: string | number): number {
  const n = typeof s === 'number' ? s : Number(s);
  if (!Number.isSafeInteger(n)) throw new ServiceError('Internal', `64-bit value out of the exact range: ${s}`);
  return n;
}

/** A proto3 `optional` field: present only when the DTO has it (never `undefined`-valued keys). */
export function opt<K extends string, V>(key: K, v: V | undefined | null): { [P in K]?: V } {
  return (v === undefined || v === null ? {} : { [key]: v }) as { [P in K]?: V };
}

export function encodeManifest(m: BlobManifest): PManifest {
  return { size: u64(m.size), chunks: m.chunks.map((c) => ({ id: c.id, size: u64(c.size) })) };
}

export function decodeManifest(m: PManifestOut | null | undefined): BlobManifest {
  if (!m) throw new ServiceError('InvalidArgument', 'manifest missing');
  return { size: num(m.size), chunks: m.chunks.map((c) => ({ id: c.id, size: num(c.size) })) };
}

export function encodeRange(r: ByteRange): PRange {
  return { start: u64(r.start), end: u64(r.end) };
}

export function decodeRange(r: PRangeOut): ByteRange {
  return { start: num(r.start), end: num(r.end) };
}
