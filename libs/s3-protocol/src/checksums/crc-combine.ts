import type { ChecksumAlgorithm } from './algorithms';

/**
 * CRC combination: crc(A ‖ B) from crc(A), crc(B) and len(B), without the data (zlib's crc32_combine,
 * generalised). The three S3 CRCs are reflected with all-ones init and final xor, so in GF(2)[x] modulo
 * the polynomial P: crc(A ‖ B) = crc(A) · x^(8·len(B)) mod P  xor  crc(B).
 * Polynomials are in reflected bit order: the x^0 coefficient is the top bit.
 */
interface CrcSpec {
  readonly width: number;
  /** Reflected polynomial. */
  readonly poly: bigint;
  /** x^(2^k) mod P for k = 0..63. */
  readonly powers: readonly bigint[];
}

function spec(width: number, poly: bigint): CrcSpec {
  const powers: bigint[] = [];
  let p = 1n << BigInt(width - 2); // x^1
  for (let k = 0; k < 64; k++) {
    powers.push(p);
    p = multModP(p, p, width, poly);
  }
  return { width, poly, powers };
}

/** a · b mod P (both reflected). */
function multModP(a: bigint, b: bigint, width: number, poly: bigint): bigint {
  let m = 1n << BigInt(width - 1);
  let p = 0n;
  for (;;) {
    if ((a & m) !== 0n) {
      p ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = (b & 1n) !== 0n ? (b >> 1n) ^ poly : b >> 1n;
  }
  return p;
}

/** x^(n · 2^k) mod P. */
function xPowModP(s: CrcSpec, n: bigint, k: number): bigint {
  let p = 1n << BigInt(s.width - 1); // x^0
  while (n > 0n) {
    if ((n & 1n) !== 0n) p = multModP(s.powers[k & 63], p, s.width, s.poly);
    n >>= 1n;
    k++;
  }
  return p;
}

const SPECS: Partial<Record<ChecksumAlgorithm, CrcSpec>> = {
  CRC32: spec(32, 0xedb88320n),
  CRC32C: spec(32, 0x82f63b78n),
  CRC64NVME: spec(64, 0x9a6c9329ac4bc9b5n),
};

export function isCombinable(algorithm: ChecksumAlgorithm): boolean {
  return SPECS[algorithm] !== undefined;
}

/** crc(A ‖ B) from crc(A), crc(B) (as unsigned integers) and len(B) in bytes. */
export function combineCrc(algorithm: ChecksumAlgorithm, crcA: bigint, crcB: bigint, lengthB: number | bigint): bigint {
  const s = SPECS[algorithm];
  if (s === undefined) throw new TypeError(`${algorithm} is not a CRC`);
  return multModP(xPowModP(s, BigInt(lengthB), 3), crcA, s.width, s.poly) ^ crcB;
}

export function crcFromBytes(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function crcToBytes(value: bigint, width: number): Buffer {
  const out = Buffer.alloc(width / 8);
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}
