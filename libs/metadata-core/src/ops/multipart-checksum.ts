import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { ChecksumAlgorithm, ObjectChecksum } from '@massive/contracts';
import type { PartRecord, UploadRecord } from '../model/records';
import type { ChecksumCombiner } from './deps';

/** S3 multipart ETag: md5 of the concatenated binary part md5s, hex, then '-' and the part count. */
export function multipartEtag(parts: readonly { readonly etag: string }[]): string {
  const md5 = createHash('md5');
  for (const p of parts) md5.update(Buffer.from(p.etag, 'hex'));
  return `${md5.digest('hex')}-${parts.length}`;
}

function builtinDigest(algorithm: ChecksumAlgorithm, data: Buffer): Buffer | undefined {
  switch (algorithm) {
    case 'SHA1':
      return createHash('sha1').update(data).digest();
    case 'SHA256':
      return createHash('sha256').update(data).digest();
    case 'CRC32': {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(crc32(data) >>> 0);
      return b;
    }
    default:
      return undefined; // CRC32C, CRC64NVME: the host's combiner
  }
}

/**
 * The object checksum of a completed upload, or undefined when the upload has no algorithm or it cannot
 * be computed here (no combiner for it). Parts lacking the upload's checksum make it undefined too; the
 * caller validates presence first.
 * COMPOSITE: base64(hash(concat(decoded part checksums))) + '-N'.
 */
export function multipartChecksum(
  upload: UploadRecord,
  parts: readonly PartRecord[],
  combiner: ChecksumCombiner | undefined,
): ObjectChecksum | undefined {
  const algorithm = upload.checksumAlgorithm;
  if (!algorithm) return undefined;
  const type = upload.checksumType ?? 'COMPOSITE';
  const digests: { digest: Buffer; size: number }[] = [];
  for (const p of parts) {
    if (p.checksum?.algorithm !== algorithm) return undefined;
    digests.push({ digest: Buffer.from(p.checksum.value, 'base64'), size: p.size });
  }
  if (type === 'COMPOSITE') {
    const all = Buffer.concat(digests.map((d) => d.digest));
    const digest = builtinDigest(algorithm, all) ?? combiner?.({ type, algorithm, parts: digests });
    return digest && { algorithm, type, value: `${digest.toString('base64')}-${parts.length}` };
  }
  const digest = combiner?.({ type, algorithm, parts: digests });
  return digest && { algorithm, type, value: digest.toString('base64') };
}
