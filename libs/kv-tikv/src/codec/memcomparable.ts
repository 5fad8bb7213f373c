/**
 * Memcomparable byte encoding (TiKV codec `EncodeBytes`, client-go `apicodec/codec_v1.go`).
 *
 * Under API V1 the keys in TiKV requests are raw, but region boundaries in PD and TiKV are the
 * memcomparable encoding of the raw key: encode before GetRegion / GetPrevRegion / ScanRegions, and
 * decode every boundary that comes back. The encoding keeps byte order: a < b <=> enc(a) < enc(b).
 *
 * Format: the key in groups of 8 bytes; each group is padded with 0x00 to 8 bytes and followed by a
 * marker 0xFF - padCount. A final (possibly empty, fully padded) group is always emitted, so
 * enc("") = 00x8 F7 and an 8-byte key ends with an extra 00x8 F7 group.
 */
const GROUP = 8;
const MARKER = 0xff;

export function encodeKey(raw: Buffer): Buffer {
  const groups = Math.floor(raw.length / GROUP) + 1;
  const out = Buffer.alloc(groups * (GROUP + 1));
  for (let g = 0; g < groups; g++) {
    const from = g * GROUP;
    const take = Math.min(GROUP, raw.length - from);
    raw.copy(out, g * (GROUP + 1), from, from + take);
    out[g * (GROUP + 1) + GROUP] = MARKER - (GROUP - take);
  }
  return out;
}

/** Decodes a whole encoded key; throws on malformed input (bad length, marker or padding). */
export function decodeKey(enc: Buffer): Buffer {
  const { key, rest } = decodeKeyPrefix(enc);
  if (rest.length !== 0) throw new Error(`memcomparable: ${rest.length} trailing bytes`);
  return key;
}

/** Decodes one encoded key from the front of `enc`; `rest` is what follows it. */
export function decodeKeyPrefix(enc: Buffer): { key: Buffer; rest: Buffer } {
  const parts: Buffer[] = [];
  for (let off = 0; ; off += GROUP + 1) {
    if (off + GROUP + 1 > enc.length) throw new Error('memcomparable: truncated group');
    const marker = enc[off + GROUP];
    const pad = MARKER - marker;
    if (pad < 0 || pad > GROUP) throw new Error(`memcomparable: bad marker 0x${marker.toString(16)}`);
    const used = GROUP - pad;
    for (let i = off + used; i < off + GROUP; i++) {
      if (enc[i] !== 0) throw new Error('memcomparable: non-zero padding');
    }
    parts.push(enc.subarray(off, off + used));
    if (pad !== 0) return { key: Buffer.concat(parts), rest: enc.subarray(off + GROUP + 1) };
  }
}

/**
 * A region boundary from PD/TiKV: empty stays empty (meaning -inf for starts, +inf for ends).
 * Boundaries may carry bytes after the encoded key (TiDB splits at keys with a timestamp or
 * handle suffix; client-go's DecodeBytes ignores them). enc(K) < enc(K)+suffix < enc(K+0x00)
 * always holds (the suffix starts where enc(K+0x00) has a larger marker byte), so no raw key lies
 * strictly between and such a boundary stands exactly for the raw key K+0x00: K belongs to the
 * region below it, K+0x00 to the region above.
 */
export function decodeBoundary(enc: Buffer | undefined): Buffer {
  if (!enc || enc.length === 0) return Buffer.alloc(0);
  const { key, rest } = decodeKeyPrefix(enc);
  return rest.length === 0 ? key : Buffer.concat([key, Buffer.from([0])]);
}

/** The encoded form of a boundary: empty stays empty. */
export function encodeBoundary(raw: Buffer): Buffer {
  return raw.length > 0 ? encodeKey(raw) : Buffer.alloc(0);
}
