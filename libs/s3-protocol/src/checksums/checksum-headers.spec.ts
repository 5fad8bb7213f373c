import { parseRequestChecksum, parseTrailerChecksum, verifyChecksum } from './checksum-headers';

const CRC32 = 'yZRlqg==';
const SHA1 = '98O8HYCOBHMq32eZZczDTKeuNEE=';
const code = (headers: Record<string, string | string[]>) => {
  try {
    parseRequestChecksum(headers);
    return 'accepted';
  } catch (e) {
    return `${(e as { code: string }).code}: ${(e as Error).message}`;
  }
};

describe('parseRequestChecksum', () => {
  it('reads a checksum header', () => {
    expect(parseRequestChecksum({ 'X-Amz-Checksum-Crc32': CRC32, 'x-amz-sdk-checksum-algorithm': 'CRC32' })).toEqual({ location: 'header', algorithm: 'CRC32', value: CRC32 });
  });

  it('reads a trailing checksum (the AWS SDK default upload)', () => {
    expect(parseRequestChecksum({ 'x-amz-trailer': 'x-amz-checksum-crc32', 'x-amz-sdk-checksum-algorithm': 'CRC32' })).toEqual({
      location: 'trailer',
      algorithm: 'CRC32',
      trailerName: 'x-amz-checksum-crc32',
    });
  });

  it('reads the checksum type and reports no checksum', () => {
    expect(parseRequestChecksum({ 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=', 'x-amz-checksum-type': 'FULL_OBJECT' })).toMatchObject({ type: 'FULL_OBJECT' });
    expect(parseRequestChecksum({ 'content-type': 'x' })).toEqual({ location: 'none' });
  });

  it.each<[string, Record<string, string | string[]>, RegExp]>([
    ['two algorithms', { 'x-amz-checksum-crc32': CRC32, 'x-amz-checksum-sha1': SHA1 }, /^InvalidRequest: Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.$/],
    ['a header and a trailer', { 'x-amz-checksum-crc32': CRC32, 'x-amz-trailer': 'x-amz-checksum-crc32c' }, /^InvalidRequest: Expecting a single x-amz-checksum- header$/],
    ['a repeated header', { 'x-amz-checksum-crc32': [CRC32, CRC32] }, /^InvalidRequest: Expecting a single/],
    ['a short value', { 'x-amz-checksum-crc32': 'yZRl' }, /^InvalidRequest: Value for x-amz-checksum-crc32 header is invalid.$/],
    ['a value of another algorithm', { 'x-amz-checksum-sha256': SHA1 }, /^InvalidRequest: Value for x-amz-checksum-sha256 header is invalid.$/],
    ['not base64', { 'x-amz-checksum-crc32c': '!!!!!!==' }, /^InvalidRequest: Value for x-amz-checksum-crc32c/],
    ['an SDK algorithm naming another checksum', { 'x-amz-checksum-crc32': CRC32, 'x-amz-sdk-checksum-algorithm': 'SHA1' }, /^InvalidRequest: Value for x-amz-sdk-checksum-algorithm/],
    ['an SDK algorithm without a checksum', { 'x-amz-sdk-checksum-algorithm': 'CRC32' }, /^InvalidRequest: x-amz-sdk-checksum-algorithm specified, but no corresponding/],
    ['an unknown SDK algorithm', { 'x-amz-checksum-crc32': CRC32, 'x-amz-sdk-checksum-algorithm': 'MD5' }, /^InvalidRequest: Value for x-amz-sdk-checksum-algorithm/],
    ['an unknown trailer checksum', { 'x-amz-trailer': 'x-amz-checksum-md5' }, /^InvalidRequest: The value specified in the x-amz-trailer header is not supported$/],
    ['two trailer checksums', { 'x-amz-trailer': 'x-amz-checksum-crc32,x-amz-checksum-sha1' }, /^InvalidRequest: Expecting a single/],
    ['a bad checksum type', { 'x-amz-checksum-crc32': CRC32, 'x-amz-checksum-type': 'BOTH' }, /^InvalidRequest: Value for x-amz-checksum-type header is invalid.$/],
  ])('rejects %s', (_what, headers, expected) => {
    expect(code(headers)).toMatch(expected);
  });
});

describe('trailer values and verification', () => {
  it('validates a trailing value', () => {
    expect(parseTrailerChecksum('CRC32', ` ${CRC32}`)).toBe(CRC32);
    expect(() => parseTrailerChecksum('CRC32', undefined)).toThrow(expect.objectContaining({ code: 'InvalidRequest' }));
    expect(() => parseTrailerChecksum('CRC64NVME', CRC32)).toThrow(expect.objectContaining({ code: 'InvalidRequest' }));
  });

  it('answers BadDigest on a mismatch', () => {
    expect(() => verifyChecksum('CRC32', CRC32, Buffer.from(CRC32, 'base64'))).not.toThrow();
    expect(() => verifyChecksum('CRC32', CRC32, Buffer.from('AAAAAA==', 'base64'))).toThrow(
      expect.objectContaining({ code: 'BadDigest', message: 'The CRC32 you specified did not match the calculated checksum.' }),
    );
  });
});
