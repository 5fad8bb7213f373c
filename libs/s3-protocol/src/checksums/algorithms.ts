import { S3Error } from '../errors';

/** S3's additional checksum algorithms, spelled as in `x-amz-checksum-algorithm`. */
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** `x-amz-checksum-type`: how a multipart object's checksum is formed. */
export const CHECKSUM_TYPES = ['COMPOSITE', 'FULL_OBJECT'] as const;
export type ChecksumType = (typeof CHECKSUM_TYPES)[number];

/** Digest length in bytes. */
export const CHECKSUM_SIZE: Readonly<Record<ChecksumAlgorithm, number>> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

export const X_AMZ_CHECKSUM_ALGORITHM = 'x-amz-checksum-algorithm';
export const X_AMZ_SDK_CHECKSUM_ALGORITHM = 'x-amz-sdk-checksum-algorithm';
export const X_AMZ_CHECKSUM_TYPE = 'x-amz-checksum-type';
export const X_AMZ_CHECKSUM_MODE = 'x-amz-checksum-mode';
export const CONTENT_MD5 = 'content-md5';

/** `x-amz-checksum-crc32` and so on: the header (or trailer) carrying a value of `algorithm`. */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** The algorithm whose value header is `name` (lowercase), if any. */
export function algorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  return CHECKSUM_ALGORITHMS.find((a) => checksumHeaderName(a) === name);
}

/** The response element name, e.g. `ChecksumCRC64NVME`. */
export function checksumElementName(algorithm: ChecksumAlgorithm): string {
  return `Checksum${algorithm}`;
}

/** Reads an algorithm name (case-insensitive, as the SDKs send uppercase and the CLI lowercase). */
export function parseChecksumAlgorithm(value: string, header: string = X_AMZ_CHECKSUM_ALGORITHM): ChecksumAlgorithm {
  const upper = value.trim().toUpperCase();
  const found = CHECKSUM_ALGORITHMS.find((a) => a === upper);
  if (found === undefined) {
    throw new S3Error(
      'InvalidRequest',
      header === X_AMZ_CHECKSUM_ALGORITHM
        ? `Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${CHECKSUM_ALGORITHMS.join(', ')}]`
        : `Value for ${header} header is invalid.`,
    );
  }
  return found;
}

export function parseChecksumType(value: string): ChecksumType {
  const upper = value.trim().toUpperCase();
  const found = CHECKSUM_TYPES.find((t) => t === upper);
  if (found === undefined) throw new S3Error('InvalidRequest', `Value for ${X_AMZ_CHECKSUM_TYPE} header is invalid.`);
  return found;
}

/** The type a multipart upload gets when `x-amz-checksum-type` is absent. */
export function defaultChecksumType(algorithm: ChecksumAlgorithm): ChecksumType {
  return algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE';
}

/** FULL_OBJECT needs a CRC (combinable); COMPOSITE is not defined for CRC64NVME. */
export function validateChecksumType(algorithm: ChecksumAlgorithm, type: ChecksumType): void {
  const ok = type === 'FULL_OBJECT' ? algorithm.startsWith('CRC') : algorithm !== 'CRC64NVME';
  if (!ok) {
    throw new S3Error('InvalidRequest', `The ${type} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
  }
}
