/**
 * TSO timestamps: `physical << 18 | logical`, physical in Unix milliseconds, logical 18 bits.
 * They exceed 2^53, so they are `bigint` end to end; the wire carries them as decimal strings
 * (proto-loader `longs: String`) and `toU64` / `fromU64` convert at the edge.
 */
export const LOGICAL_BITS = 18n;
const LOGICAL_MASK = (1n << LOGICAL_BITS) - 1n;
export const MAX_U64 = (1n << 64n) - 1n;

export function composeTs(physicalMs: bigint | number, logical: bigint | number): bigint {
  const l = BigInt(logical);
  if (l < 0n || l > LOGICAL_MASK) throw new RangeError(`logical ${l} out of range`);
  return (BigInt(physicalMs) << LOGICAL_BITS) | l;
}

export const physicalOf = (ts: bigint): bigint => ts >> LOGICAL_BITS;
export const logicalOf = (ts: bigint): bigint => ts & LOGICAL_MASK;
export const physicalMsOf = (ts: bigint): number => Number(physicalOf(ts));

/**
 * A TSO reply for `count` timestamps carries the LAST one of the batch (client-rust
 * `allocate_timestamps`): the batch is logical-(count-1) .. logical, in order.
 */
export function expandBatch(physical: bigint, logical: bigint, count: number): bigint[] {
  const first = logical - BigInt(count - 1);
  if (count < 1 || first < 0n) throw new Error(`TSO reply logical ${logical} cannot hold ${count} timestamps`);
  return Array.from({ length: count }, (_, i) => composeTs(physical, first + BigInt(i)));
}

/** A u64 from the wire (decimal string, or a small number) as a bigint; absent = 0. */
export function fromU64(v: string | number | bigint | null | undefined): bigint {
  if (v === undefined || v === null || v === '') return 0n;
  return BigInt(v);
}

/** A bigint for the wire: a decimal string, which protobufjs encodes exactly. */
export function toU64(v: bigint): string {
  if (v < 0n || v > MAX_U64) throw new RangeError(`${v} is not a u64`);
  return v.toString();
}
