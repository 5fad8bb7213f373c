import { crc32 } from 'node:zlib';
import { ServiceError } from '@massive/contracts';

/**
 * How a chunk is laid out inside its SeaweedFS needle (format `sw1`, named by the chunk id prefix):
 *
 * ```
 * [block 0 data][crc 0][block 1 data][crc 1] … [block n-1 data][crc n-1]
 * ```
 *
 * - Blocks are BLOCK_SIZE (64 KiB) of chunk data, the last one short; a chunk always has at least one
 *   block, so an empty chunk is just one 4-byte CRC.
 * - crc k = CRC-32 (ISO-HDLC, zlib.crc32) of `block k data ‖ u64 dataLength ‖ u32 k` (big-endian).
 *
 * Why interleaved, not a trailer like local disk: on local disk the footer costs one positional read;
 * over HTTP it would cost a second request per range read, since SeaweedFS answers several ranges as
 * multipart/byteranges. With the CRC beside each block, a range of the chunk is ONE contiguous Range
 * request covering only the blocks it touches (at most 2 × 64 KiB + 8 bytes more than asked), verified
 * block by block. The needle's total size comes back for free in `Content-Range: bytes a-b/<size>`;
 * the data length follows from it, and folding that length and the block index into every CRC makes a
 * needle truncated at a block boundary, blocks swapped, or a needle of another length fail verification,
 * whichever blocks a range touches.
 */
export const BLOCK_SIZE = 64 * 1024;
const CRC_BYTES = 4;
const STRIDE = BLOCK_SIZE + CRC_BYTES;

export function corrupt(id: string, why: string): ServiceError {
  return new ServiceError('DataCorrupted', `chunk ${id} is corrupt: ${why}`);
}

export function blockCount(dataLength: number): number {
  return Math.max(1, Math.ceil(dataLength / BLOCK_SIZE));
}

export function storedSize(dataLength: number): number {
  return dataLength + CRC_BYTES * blockCount(dataLength);
}

/** The data length a needle of `size` bytes holds, or undefined if no data length gives that size. */
export function dataLengthOf(size: number): number | undefined {
  if (!Number.isSafeInteger(size) || size < CRC_BYTES) return undefined;
  const full = Math.floor(size / STRIDE);
  const rem = size % STRIDE;
  if (rem === 0) return full * BLOCK_SIZE;
  if (rem < CRC_BYTES) return undefined;
  return full * BLOCK_SIZE + rem - CRC_BYTES;
}

function blockCrc(data: Buffer, dataLength: number, index: number): number {
  return finishCrc(crc32(data), dataLength, index);
}

function finishCrc(dataCrc: number, dataLength: number, index: number): number {
  const tail = Buffer.alloc(12);
  tail.writeUInt32BE(Math.floor(dataLength / 2 ** 32), 0);
  tail.writeUInt32BE(dataLength >>> 0, 4);
  tail.writeUInt32BE(index, 8);
  return crc32(tail, dataCrc);
}

/**
 * The needle's bytes as a list of slices: the caller's data slices (not copied) with a 4-byte CRC
 * buffer after each block. Total length is `storedSize(dataLength)`.
 */
export function encodeNeedle(data: readonly Buffer[]): Buffer[] {
  let dataLength = 0;
  for (const b of data) dataLength += b.length;
  const out: Buffer[] = [];
  let crc = 0;
  let fill = 0;
  let index = 0;
  const close = (): void => {
    const c = Buffer.alloc(CRC_BYTES);
    c.writeUInt32BE(finishCrc(crc, dataLength, index++));
    out.push(c);
    crc = 0;
    fill = 0;
  };
  for (const b of data) {
    for (let off = 0; off < b.length; ) {
      const take = Math.min(BLOCK_SIZE - fill, b.length - off);
      const slice = b.subarray(off, off + take);
      out.push(slice);
      crc = crc32(slice, crc);
      fill += take;
      off += take;
      if (fill === BLOCK_SIZE) close();
    }
  }
  if (fill > 0 || index === 0) close();
  return out;
}

/** The needle byte range (inclusive end) holding data bytes [offset, offset+length), whole blocks only. */
export function needleRangeFor(offset: number, length: number): { first: number; start: number; end: number } {
  const first = Math.floor(offset / BLOCK_SIZE);
  const last = length === 0 ? first : Math.floor((offset + length - 1) / BLOCK_SIZE);
  return { first, start: first * STRIDE, end: (last + 1) * STRIDE - 1 };
}

/**
 * Verifies whole stored blocks `raw` (starting at block `first`) of a needle of `needleSize` bytes and
 * returns data bytes [offset, offset+length) of the chunk (a copy-free view when they sit in one block).
 * `length` undefined means "to the end of the chunk". Throws DataCorrupted on any mismatch.
 */
export function decodeBlocks(
  id: string,
  raw: Buffer,
  needleSize: number,
  first: number,
  offset: number,
  length: number | undefined,
): Buffer {
  const dataLength = dataLengthOf(needleSize);
  if (dataLength === undefined) throw corrupt(id, `needle size ${needleSize} fits no chunk layout (truncated or torn)`);
  const want = length ?? dataLength - offset;
  if (offset + want > dataLength || want < 0) {
    throw corrupt(id, `range ${offset}+${want} is past the chunk's end (${dataLength} bytes)`);
  }
  const pieces: Buffer[] = [];
  let pos = 0;
  for (let k = first; pos < raw.length; k++) {
    const blockStart = k * BLOCK_SIZE;
    const blockLen = Math.min(BLOCK_SIZE, dataLength - blockStart);
    if (blockLen < 0 || pos + blockLen + CRC_BYTES > raw.length) throw corrupt(id, `block ${k} is short`);
    const data = raw.subarray(pos, pos + blockLen);
    const stored = raw.readUInt32BE(pos + blockLen);
    if (blockCrc(data, dataLength, k) !== stored) throw corrupt(id, `checksum mismatch in block ${k} (bytes ${blockStart}..)`);
    const from = Math.max(offset, blockStart) - blockStart;
    const to = Math.min(offset + want, blockStart + blockLen) - blockStart;
    if (to > from) pieces.push(data.subarray(from, to));
    pos += blockLen + CRC_BYTES;
  }
  const got = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
  if (got.length !== want) throw corrupt(id, `got ${got.length} of ${want} bytes`);
  return got;
}
