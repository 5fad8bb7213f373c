import { crc32c } from '@node-rs/crc32';
import { CHECKSUM_SIZE, type ChecksumAlgorithm } from './algorithms';
import { combineCrc, crcFromBytes, crcToBytes, isCombinable } from './crc-combine';

/** What metadata-core's ChecksumCombiner receives (structural: this lib knows nothing of metadata-core). */
export interface CombineRequest {
  readonly type: 'COMPOSITE' | 'FULL_OBJECT';
  readonly algorithm: ChecksumAlgorithm;
  readonly parts: readonly { readonly digest: Buffer; readonly size: number }[];
}

/**
 * Multipart checksums that need S3 checksum math: FULL_OBJECT CRCs combined from part CRCs and sizes
 * (no byte is read again), and COMPOSITE CRC32C. Returns undefined for what S3 does not define.
 */
export function combineMultipartChecksum(req: CombineRequest): Buffer | undefined {
  if (req.parts.length === 0) return undefined;
  if (req.type === 'FULL_OBJECT') {
    if (!isCombinable(req.algorithm)) return undefined;
    let crc = crcFromBytes(req.parts[0].digest);
    for (const p of req.parts.slice(1)) crc = combineCrc(req.algorithm, crc, crcFromBytes(p.digest), p.size);
    return crcToBytes(crc, CHECKSUM_SIZE[req.algorithm] * 8);
  }
  if (req.algorithm === 'CRC32C') {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32c(Buffer.concat(req.parts.map((p) => p.digest))) >>> 0);
    return out;
  }
  return undefined;
}
