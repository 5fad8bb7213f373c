import type { ObjectChecksum } from '@massive/contracts';
import type { Checksums, ChecksumType } from '@massive/s3-protocol';

const ELEMENT = {
  CRC32: 'ChecksumCRC32',
  CRC32C: 'ChecksumCRC32C',
  CRC64NVME: 'ChecksumCRC64NVME',
  SHA1: 'ChecksumSHA1',
  SHA256: 'ChecksumSHA256',
} as const;

/** A stored checksum as the XML `Checksum*` elements (+ ChecksumType unless `withType` is false). */
export function checksumFields(c: ObjectChecksum | undefined, withType = true): Checksums & { ChecksumType?: ChecksumType } {
  if (!c) return {};
  return { [ELEMENT[c.algorithm]]: c.value, ...(withType && { ChecksumType: c.type }) };
}
