import { createHash } from 'node:crypto';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './algorithms';
import { computeChecksum } from './hasher';
import { compositeChecksum, fullObjectChecksum } from './multipart-checksum';

const parts = [Buffer.alloc(5 * 1024 * 1024 + 3, 'a'), Buffer.from('second part'), Buffer.alloc(777, 0x5a)];

describe('multipart checksums', () => {
  it.each<ChecksumAlgorithm>(['CRC32', 'CRC32C', 'SHA1', 'SHA256'])('COMPOSITE %s is the checksum of the binary part checksums, with -N', async (algorithm) => {
    const partSums = await Promise.all(parts.map((p) => computeChecksum(algorithm, p)));
    const expected = await computeChecksum(algorithm, Buffer.concat(partSums.map((s) => Buffer.from(s, 'base64'))));
    expect(await compositeChecksum(algorithm, partSums)).toBe(`${expected}-3`);
  });

  it('COMPOSITE SHA256 by hand', async () => {
    const a = createHash('sha256').update('a').digest();
    const b = createHash('sha256').update('b').digest();
    const expected = createHash('sha256').update(Buffer.concat([a, b])).digest('base64');
    expect(await compositeChecksum('SHA256', [a.toString('base64'), b.toString('base64')])).toBe(`${expected}-2`);
  });

  it.each<ChecksumAlgorithm>(['CRC32', 'CRC32C', 'CRC64NVME'])('FULL_OBJECT %s equals the checksum of the whole object', async (algorithm) => {
    const partSums = await Promise.all(parts.map(async (p) => ({ checksum: await computeChecksum(algorithm, p), size: p.length })));
    expect(fullObjectChecksum(algorithm, partSums)).toBe(await computeChecksum(algorithm, Buffer.concat(parts)));
    expect(fullObjectChecksum(algorithm, partSums.slice(0, 1))).toBe(partSums[0].checksum);
    // Part order matters.
    expect(fullObjectChecksum(algorithm, [partSums[1], partSums[0], partSums[2]])).not.toBe(await computeChecksum(algorithm, Buffer.concat(parts)));
  });

  it('rejects unsupported combinations and bad part values', async () => {
    await expect(compositeChecksum('CRC64NVME', ['AAAAAAAAAAA='])).rejects.toMatchObject({ code: 'InvalidRequest' });
    expect(() => fullObjectChecksum('SHA256', [{ checksum: 'x', size: 1 }])).toThrow(expect.objectContaining({ code: 'InvalidRequest' }));
    await expect(compositeChecksum('CRC32', ['AAAAAAAAAAA='])).rejects.toMatchObject({ code: 'InvalidRequest' });
    await expect(compositeChecksum('CRC32', [])).rejects.toMatchObject({ code: 'InvalidRequest' });
    expect(() => fullObjectChecksum('CRC32', [])).toThrow(expect.objectContaining({ code: 'InvalidRequest' }));
    expect(CHECKSUM_ALGORITHMS.length).toBe(5);
  });
});
