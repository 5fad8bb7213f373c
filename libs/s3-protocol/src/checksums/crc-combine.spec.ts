import { prng } from '../../test/sources';
import type { ChecksumAlgorithm } from './algorithms';
import { combineCrc, crcFromBytes, crcToBytes, isCombinable } from './crc-combine';
import { computeChecksum } from './hasher';

const crcOf = async (algorithm: ChecksumAlgorithm, data: Buffer) => crcFromBytes(Buffer.from(await computeChecksum(algorithm, data), 'base64'));
const bytes = (n: number, seed: number) => {
  const rand = prng(seed);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = (rand() * 256) | 0;
  return out;
};

describe('combineCrc', () => {
  it.each<ChecksumAlgorithm>(['CRC32', 'CRC32C', 'CRC64NVME'])('crc(A‖B) = combine(crc(A), crc(B), len(B)) for %s', async (algorithm) => {
    for (const [la, lb, seed] of [
      [0, 0, 1],
      [0, 10, 2],
      [10, 0, 3],
      [1, 1, 4],
      [4, 5, 5],
      [1000, 1, 6],
      [3, 70000, 7],
      [65536, 65537, 8],
    ]) {
      const a = bytes(la, seed);
      const b = bytes(lb, seed + 100);
      expect(combineCrc(algorithm, await crcOf(algorithm, a), await crcOf(algorithm, b), lb)).toBe(await crcOf(algorithm, Buffer.concat([a, b])));
    }
  });

  it('handles lengths beyond 32 bits (zeros appended: combine is linear in the length exponent)', async () => {
    // crc(A ‖ zeros(n)) computed by combining with crc(zeros(n)) for a large n equals two smaller steps.
    const a = await crcOf('CRC64NVME', Buffer.from('123456789'));
    const z1 = await crcOf('CRC64NVME', Buffer.alloc(1000));
    const two = combineCrc('CRC64NVME', combineCrc('CRC64NVME', a, z1, 1000), z1, 1000);
    const z2 = await crcOf('CRC64NVME', Buffer.alloc(2000));
    expect(two).toBe(combineCrc('CRC64NVME', a, z2, 2000));
    expect(() => combineCrc('CRC32', 0n, 0n, 2n ** 40n)).not.toThrow();
  });

  it('knows which algorithms combine, and converts values', () => {
    expect(isCombinable('CRC32')).toBe(true);
    expect(isCombinable('SHA1')).toBe(false);
    expect(() => combineCrc('SHA256', 0n, 0n, 1)).toThrow(TypeError);
    expect(crcToBytes(0xcbf43926n, 32).toString('hex')).toBe('cbf43926');
    expect(crcFromBytes(Buffer.from('ae8b14860a799888', 'hex'))).toBe(0xae8b14860a799888n);
  });
});
