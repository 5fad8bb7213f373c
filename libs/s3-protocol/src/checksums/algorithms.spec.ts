import {
  algorithmOfHeader,
  checksumElementName,
  checksumHeaderName,
  defaultChecksumType,
  parseChecksumAlgorithm,
  parseChecksumType,
  validateChecksumType,
  type ChecksumAlgorithm,
} from './algorithms';

describe('checksum algorithms', () => {
  it('names headers and response elements as AWS does', () => {
    expect(checksumHeaderName('CRC64NVME')).toBe('x-amz-checksum-crc64nvme');
    expect(algorithmOfHeader('x-amz-checksum-crc32c')).toBe('CRC32C');
    expect(algorithmOfHeader('x-amz-checksum-md5')).toBeUndefined();
    expect(checksumElementName('SHA256')).toBe('ChecksumSHA256');
  });

  it('parses algorithm names case-insensitively', () => {
    expect(parseChecksumAlgorithm('crc32c')).toBe('CRC32C');
    expect(() => parseChecksumAlgorithm('MD5')).toThrow(expect.objectContaining({ code: 'InvalidRequest', message: expect.stringMatching(/unsupported/) }));
    expect(() => parseChecksumAlgorithm('MD5', 'x-amz-sdk-checksum-algorithm')).toThrow(
      expect.objectContaining({ code: 'InvalidRequest', message: 'Value for x-amz-sdk-checksum-algorithm header is invalid.' }),
    );
  });

  it('parses checksum types', () => {
    expect(parseChecksumType('full_object')).toBe('FULL_OBJECT');
    expect(() => parseChecksumType('PARTIAL')).toThrow(expect.objectContaining({ code: 'InvalidRequest' }));
  });

  it.each<[ChecksumAlgorithm, boolean, boolean]>([
    ['CRC32', true, true],
    ['CRC32C', true, true],
    ['CRC64NVME', true, false],
    ['SHA1', false, true],
    ['SHA256', false, true],
  ])('%s: FULL_OBJECT %s, COMPOSITE %s', (algorithm, full, composite) => {
    if (full) expect(() => validateChecksumType(algorithm, 'FULL_OBJECT')).not.toThrow();
    else expect(() => validateChecksumType(algorithm, 'FULL_OBJECT')).toThrow(expect.objectContaining({ code: 'InvalidRequest' }));
    if (composite) expect(() => validateChecksumType(algorithm, 'COMPOSITE')).not.toThrow();
    else expect(() => validateChecksumType(algorithm, 'COMPOSITE')).toThrow(expect.objectContaining({ code: 'InvalidRequest' }));
    expect(defaultChecksumType(algorithm)).toBe(algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
  });
});
