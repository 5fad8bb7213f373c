import { S3Error } from '../errors';
import { CHECKSUM_SIZE, checksumHeaderName, type ChecksumAlgorithm } from './algorithms';
import { decodeBase64Strict } from './base64';
import { combineCrc, crcFromBytes, crcToBytes, isCombinable } from './crc-combine';
import { createChecksumHasher } from './hasher';

/** A part's checksum (base64, as returned by UploadPart) and its size in bytes. */
export interface PartChecksum {
  readonly checksum: string;
  readonly size: number;
}

/**
 * COMPOSITE: the checksum of the concatenated binary part checksums, base64, then `-<number of parts>`
 * (CRC32, CRC32C, SHA1, SHA256). Parts in part-number order.
 */
export async function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: readonly string[]): Promise<string> {
  if (algorithm === 'CRC64NVME') throw new S3Error('InvalidRequest', 'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.');
  if (partChecksums.length === 0) throw new S3Error('InvalidRequest', 'A composite checksum needs at least one part.');
  const hasher = createChecksumHasher(algorithm);
  for (const value of partChecksums) hasher.update(decodePart(algorithm, value));
  return `${(await hasher.digest()).toString('base64')}-${partChecksums.length}`;
}

/**
 * FULL_OBJECT for a multipart upload (CRC32, CRC32C, CRC64NVME): the CRC of the whole object, combined
 * from the part CRCs and sizes in part-number order; base64, no suffix.
 */
export function fullObjectChecksum(algorithm: ChecksumAlgorithm, parts: readonly PartChecksum[]): string {
  if (!isCombinable(algorithm)) {
    throw new S3Error('InvalidRequest', `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
  }
  if (parts.length === 0) throw new S3Error('InvalidRequest', 'A full-object checksum needs at least one part.');
  let crc = crcFromBytes(decodePart(algorithm, parts[0].checksum));
  for (const part of parts.slice(1)) crc = combineCrc(algorithm, crc, crcFromBytes(decodePart(algorithm, part.checksum)), part.size);
  return crcToBytes(crc, CHECKSUM_SIZE[algorithm] * 8).toString('base64');
}

function decodePart(algorithm: ChecksumAlgorithm, value: string): Buffer {
  const bytes = decodeBase64Strict(value, CHECKSUM_SIZE[algorithm]);
  if (bytes === undefined) throw new S3Error('InvalidRequest', `Value for ${checksumHeaderName(algorithm)} of a part is invalid.`);
  return bytes;
}
