import { ServiceError, type BlobManifest, type ByteRange } from '@massive/contracts';

/** One chunk read: `length` bytes at `offset` of chunk `id` (whose full size is `chunkSize`). */
export interface ChunkRead {
  readonly id: string;
  readonly chunkSize: number;
  readonly offset: number;
  readonly length: number;
}

/**
 * The chunk reads that produce `range` (inclusive bounds) of `manifest`, or all of it, in order, each
 * at most `maxLength` bytes. Only covered chunks appear; a range outside the object throws InvalidRange
 * (callers clamp S3's open-ended ranges first). A manifest whose chunk sizes do not add up throws
 * Internal.
 */
export function planReads(manifest: BlobManifest, range: ByteRange | undefined, maxLength = Infinity): ChunkRead[] {
  let total = 0;
  for (const c of manifest.chunks) {
    if (!Number.isSafeInteger(c.size) || c.size < 0) throw new ServiceError('Internal', `manifest chunk ${c.id} has bad size ${c.size}`);
    total += c.size;
  }
  if (total !== manifest.size) {
    throw new ServiceError('Internal', `manifest chunks add up to ${total} bytes, manifest says ${manifest.size}`);
  }
  const start = range ? range.start : 0;
  const end = range ? range.end + 1 : manifest.size; // exclusive
  if (range && !(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && 0 <= start && start < end && end <= manifest.size)) {
    throw new ServiceError('InvalidRange', `range ${range.start}-${range.end} is outside the object (${manifest.size} bytes)`, {
      objectSize: manifest.size,
    });
  }
  const reads: ChunkRead[] = [];
  let at = 0;
  for (const c of manifest.chunks) {
    const from = Math.max(start, at);
    const to = Math.min(end, at + c.size);
    for (let p = from; p < to; p += maxLength) {
      reads.push({ id: c.id, chunkSize: c.size, offset: p - at, length: Math.min(maxLength, to - p) });
    }
    at += c.size;
    if (at >= end) break;
  }
  return reads;
}
