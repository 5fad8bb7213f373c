import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { PartRecord, UploadRecord } from '../model/records';
import type { ChecksumCombiner } from './deps';
import { multipartChecksum, multipartEtag } from './multipart-checksum';

const upload = (algo?: UploadRecord['checksumAlgorithm'], type?: UploadRecord['checksumType']): UploadRecord => ({
  key: 'k',
  uploadId: '0'.repeat(32),
  initiated: 0,
  headers: { userMetadata: {} },
  owner: { id: 'o', displayName: 'o' },
  ...(algo && { checksumAlgorithm: algo, checksumType: type ?? 'COMPOSITE' }),
});
const part = (n: number, digest?: Buffer, algo: UploadRecord['checksumAlgorithm'] = 'CRC32'): PartRecord => ({
  partNumber: n,
  size: 10 * n,
  etag: createHash('md5').update(`p${n}`).digest('hex'),
  lastModified: 0,
  manifest: { size: 10 * n, chunks: [] },
  ...(digest && { checksum: { algorithm: algo ?? 'CRC32', type: 'COMPOSITE' as const, value: digest.toString('base64') } }),
});
const be32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

describe('multipart ETag and checksums', () => {
  it('ETag = md5(concat(binary part md5s))-N', () => {
    const parts = [part(1), part(2)];
    const want = createHash('md5').update(Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex')))).digest('hex');
    expect(multipartEtag(parts)).toBe(`${want}-2`);
  });

  it('builds a CRC32 COMPOSITE checksum without help', () => {
    const d = [be32(crc32('a')), be32(crc32('b'))];
    const got = multipartChecksum(upload('CRC32'), [part(1, d[0]), part(2, d[1])], undefined);
    expect(got).toEqual({ algorithm: 'CRC32', type: 'COMPOSITE', value: `${be32(crc32(Buffer.concat(d))).toString('base64')}-2` });
  });

  it('asks the combiner for CRC32C and FULL_OBJECT, and omits what nobody can compute', () => {
    const calls: Parameters<ChecksumCombiner>[0][] = [];
    const combiner: ChecksumCombiner = (req) => {
      calls.push(req);
      return Buffer.from([1, 2, 3, 4]);
    };
    const parts = [part(1, be32(1), 'CRC32C'), part(2, be32(2), 'CRC32C')];
    expect(multipartChecksum(upload('CRC32C'), parts, combiner)).toEqual({ algorithm: 'CRC32C', type: 'COMPOSITE', value: 'AQIDBA==-2' });
    expect(multipartChecksum(upload('CRC32C', 'FULL_OBJECT'), parts, combiner)).toEqual({ algorithm: 'CRC32C', type: 'FULL_OBJECT', value: 'AQIDBA==' });
    expect(calls[1]).toMatchObject({ type: 'FULL_OBJECT', parts: [{ digest: be32(1), size: 10 }, { digest: be32(2), size: 20 }] });
    expect(multipartChecksum(upload('CRC32C'), parts, undefined)).toBeUndefined();
    expect(multipartChecksum(upload(), parts, combiner)).toBeUndefined();
  });
});
