import { randomSplit } from '../../test/sources';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './algorithms';
import { computeChecksum, createChecksumHasher } from './hasher';

const CHECK = Buffer.from('123456789');
const hex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

describe('checksum hashers', () => {
  it.each<[ChecksumAlgorithm, string]>([
    ['CRC32', 'cbf43926'],
    ['CRC32C', 'e3069283'],
    ['CRC64NVME', 'ae8b14860a799888'],
    ['SHA1', 'f7c3bc1d808e04732adf679965ccc34ca7ae3441'],
    ['SHA256', '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225'],
  ])('%s of "123456789" is the standard check value %s', async (algorithm, expected) => {
    expect(hex(await computeChecksum(algorithm, CHECK))).toBe(expected);
  });

  it.each<[ChecksumAlgorithm, string]>([
    ['CRC32', 'AAAAAA=='],
    ['CRC32C', 'AAAAAA=='],
    ['CRC64NVME', 'AAAAAAAAAAA='],
    ['SHA1', '2jmj7l5rSw0yVb/vlWAYkK/YBwk='],
    ['SHA256', '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='],
  ])('%s of the empty object is %s, as S3 returns it', async (algorithm, expected) => {
    expect(await computeChecksum(algorithm, Buffer.alloc(0))).toBe(expected);
  });

  it('gives the same result whatever the update boundaries', async () => {
    const data = Buffer.alloc(100_003);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 7)) & 0xff;
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const whole = await computeChecksum(algorithm, data);
      for (const seed of [1, 2, 3]) expect(await computeChecksum(algorithm, randomSplit(data, seed, 5000))).toBe(whole);
    }
  });

  it('can digest more than once, and keeps going', async () => {
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const h = createChecksumHasher(algorithm);
      h.update(CHECK.subarray(0, 4));
      await h.digest();
      h.update(CHECK.subarray(4));
      expect((await h.digest()).toString('base64')).toBe(await computeChecksum(algorithm, CHECK));
      expect(h.algorithm).toBe(algorithm);
    }
  });
});
