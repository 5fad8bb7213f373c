import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { DIRECT_ALIGN } from './direct-io';
import {
  CHUNK_MAGIC,
  decodeFooter,
  encodeTrailer,
  FILE_ALIGN,
  FOOTER_SIZE,
  layoutFor,
  verifyBlocks,
  verifyTrailer,
  type ChunkFormatVersion,
} from './chunk-format';

function encode(data: Buffer, blockSize: number, version: ChunkFormatVersion = 2) {
  const tail = encodeTrailer([data], blockSize, version);
  const file = Buffer.concat([data, tail]);
  const footer = file.subarray(file.length - FOOTER_SIZE);
  const layout = decodeFooter('t', footer, file.length);
  const trailer = file.subarray(data.length, data.length + 4 * layout.blockCount);
  return { file, footer, layout, trailer };
}

describe('chunk format v2 (and v1, read)', () => {
  it('writes one CRC-32 per block, zero padding to whole 4 KiB blocks, then the footer', () => {
    const data = randomBytes(10);
    const { file, footer, layout, trailer } = encode(data, 4);
    expect(layout).toEqual({ blockSize: 4, dataLength: 10, blockCount: 3, fileSize: 4096 });
    expect(file.length).toBe(4096);
    expect([0, 1, 2].map((i) => trailer.readUInt32BE(4 * i))).toEqual([
      crc32(data.subarray(0, 4)),
      crc32(data.subarray(4, 8)),
      crc32(data.subarray(8, 10)),
    ]);
    expect(file.subarray(22, 4096 - FOOTER_SIZE).every((b) => b === 0)).toBe(true);
    expect(footer.readUInt32BE(0)).toBe(CHUNK_MAGIC);
    expect(footer.subarray(4, 8)).toEqual(Buffer.from([2, 1, 0, 0]));
    expect(() => verifyTrailer('t', trailer, footer)).not.toThrow();
  });

  it('pads to blocks direct I/O can write whole', () => {
    expect(FILE_ALIGN % DIRECT_ALIGN).toBe(0);
    for (const size of [0, 1, 4096 - 36, 4096 - 35, 65_536, 1024 * 1024, 8 * 1024 * 1024 + 3]) {
      expect(Buffer.concat([Buffer.alloc(size), encodeTrailer([Buffer.alloc(size)], 4096)]).length % FILE_ALIGN).toBe(0);
    }
    // The trailer and footer of a 4,060-byte chunk fill its one block exactly: no padding.
    expect(layoutFor(4096 - 36, 4096).fileSize).toBe(4096);
    expect(layoutFor(4096 - 35, 4096).fileSize).toBe(8192);
  });

  it('reads version 1 files: the same without padding', () => {
    const data = randomBytes(10);
    const { file, footer, layout, trailer } = encode(data, 4, 1);
    expect(layout).toEqual({ blockSize: 4, dataLength: 10, blockCount: 3, fileSize: 10 + 12 + FOOTER_SIZE });
    expect(file.length).toBe(layout.fileSize);
    expect(footer.subarray(4, 8)).toEqual(Buffer.from([1, 1, 0, 0]));
    expect(trailer.equals(encode(data, 4).trailer)).toBe(true);
    expect(() => verifyTrailer('t', trailer, footer)).not.toThrow();
    // A version 1 footer on a padded file (or the reverse) is a size mismatch: torn.
    expect(() => decodeFooter('t', footer, 4096)).toThrow(/truncated or torn/);
    expect(() => decodeFooter('t', encode(data, 4).footer, layout.fileSize)).toThrow(/truncated or torn/);
  });

  it('rejects other versions', () => {
    const { footer, file } = encode(randomBytes(10), 4);
    footer[4] = 3;
    expect(() => decodeFooter('t', footer, file.length)).toThrow(/unknown format version 3/);
  });

  it('checks footers of files written with zlib.crc32 (chained CRCs agree with zlib)', () => {
    const data = randomBytes(100_000);
    const { footer, trailer } = encode(data, 4096);
    const zlibFooterCrc = crc32(footer.subarray(0, FOOTER_SIZE - 4), crc32(trailer));
    expect(footer.readUInt32BE(FOOTER_SIZE - 4)).toBe(zlibFooterCrc);
  });

  it('gives the same trailer however the data is sliced', () => {
    const data = randomBytes(100_000);
    const whole = encodeTrailer([data], 4096);
    const sliced = encodeTrailer([data.subarray(0, 1), data.subarray(1, 4097), Buffer.alloc(0), data.subarray(4097)], 4096);
    expect(sliced.equals(whole)).toBe(true);
  });

  it('encodes an empty chunk as a footer in one padded block', () => {
    const { layout, file } = encode(Buffer.alloc(0), 65536);
    expect(layout.fileSize).toBe(4096);
    expect(file.subarray(0, 4096 - FOOTER_SIZE).every((b) => b === 0)).toBe(true);
    expect(encode(Buffer.alloc(0), 65536, 1).layout.fileSize).toBe(FOOTER_SIZE);
  });

  it('rejects a footer that disagrees with the file size', () => {
    const { footer, file } = encode(randomBytes(100), 16);
    expect(() => decodeFooter('t', footer, file.length - 1)).toThrow(expect.objectContaining({ code: 'DataCorrupted' }));
    expect(() => decodeFooter('t', footer.subarray(1), 31)).toThrow(expect.objectContaining({ code: 'DataCorrupted' }));
  });

  it.each([0, 4, 5, 8, 12, 19, 20, 24, 28, 31])('rejects a footer with byte %i flipped', (at) => {
    const { footer, file, trailer } = encode(randomBytes(100), 16);
    footer[at] ^= 0x80;
    expect(() => {
      decodeFooter('t', footer, file.length);
      verifyTrailer('t', trailer, footer);
    }).toThrow(expect.objectContaining({ code: 'DataCorrupted' }));
  });

  it('pinpoints the damaged block', () => {
    const data = randomBytes(64);
    const { layout, trailer } = encode(data, 16);
    data[40] ^= 1;
    expect(() => verifyBlocks('t', layout, trailer, 0, data)).toThrow(/block 2/);
    expect(() => verifyBlocks('t', layout, trailer, 0, data.subarray(0, 32))).not.toThrow();
    expect(() => verifyBlocks('t', layout, trailer, 3, data.subarray(48))).not.toThrow();
  });

  it('describes layouts', () => {
    expect(layoutFor(8 * 1024 * 1024, 65536)).toMatchObject({ blockCount: 128, fileSize: 8 * 1024 * 1024 + 4096 });
    expect(layoutFor(8 * 1024 * 1024, 65536, 1)).toMatchObject({ blockCount: 128, fileSize: 8 * 1024 * 1024 + 512 + 32 });
  });
});
