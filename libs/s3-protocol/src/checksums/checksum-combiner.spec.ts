import { crc32 } from 'node:zlib';
import { crc32c } from '@node-rs/crc32';
import { combineMultipartChecksum } from './checksum-combiner';

const be32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

describe('combineMultipartChecksum', () => {
  const a = Buffer.from('hello, ');
  const b = Buffer.from('multipart world');
  it('FULL_OBJECT CRC32 of the parts is the CRC32 of the whole object', () => {
    const got = combineMultipartChecksum({ type: 'FULL_OBJECT', algorithm: 'CRC32', parts: [{ digest: be32(crc32(a)), size: a.length }, { digest: be32(crc32(b)), size: b.length }] });
    expect(got).toEqual(be32(crc32(Buffer.concat([a, b]))));
  });
  it('FULL_OBJECT CRC32C likewise', () => {
    const got = combineMultipartChecksum({ type: 'FULL_OBJECT', algorithm: 'CRC32C', parts: [{ digest: be32(crc32c(a)), size: a.length }, { digest: be32(crc32c(b)), size: b.length }] });
    expect(got).toEqual(be32(crc32c(Buffer.concat([a, b]))));
  });
  it('COMPOSITE CRC32C is the CRC32C of the concatenated part digests', () => {
    const d1 = be32(crc32c(a));
    const d2 = be32(crc32c(b));
    const got = combineMultipartChecksum({ type: 'COMPOSITE', algorithm: 'CRC32C', parts: [{ digest: d1, size: a.length }, { digest: d2, size: b.length }] });
    expect(got).toEqual(be32(crc32c(Buffer.concat([d1, d2]))));
  });
  it('answers undefined for what S3 does not define', () => {
    expect(combineMultipartChecksum({ type: 'FULL_OBJECT', algorithm: 'SHA256', parts: [{ digest: Buffer.alloc(32), size: 1 }] })).toBeUndefined();
    expect(combineMultipartChecksum({ type: 'COMPOSITE', algorithm: 'CRC32', parts: [] })).toBeUndefined();
  });
});
