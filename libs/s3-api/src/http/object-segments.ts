import { ServiceError, type BlobManifest, type ByteRange, type CallCtx, type ObjectVersion } from '@massive/contracts';
import { cipherRange, cipherSize } from '../sse/package-format';
import type { S3ApiDeps } from '../types';

/** A piece of an object's bytes: (a range of) one manifest. */
export interface Segment {
  readonly manifest: BlobManifest;
  /** Of the stored bytes (for an encrypted object, the whole packages holding the plaintext asked for). */
  readonly range?: ByteRange;
  /** An encrypted object's: how to turn `range`'s stored bytes into the plaintext asked for (package-format.ts). */
  readonly decrypt?: SegmentDecryption;
}

export interface SegmentDecryption {
  readonly dataKey: Buffer;
  /** The package stream: 0 for a single PUT, the part number for a part. */
  readonly stream: number;
  readonly firstSeq: number;
  readonly skip: number;
  readonly length: number;
  readonly toEnd: boolean;
}

/** The segment of `plainSize` plaintext bytes stored encrypted in `manifest` that holds `range` of them. */
function encryptedSegment(manifest: BlobManifest, plainSize: number, range: ByteRange | undefined, dataKey: Buffer, stream: number, what: string): Segment {
  if (manifest.size !== cipherSize(plainSize)) {
    throw new ServiceError('Internal', `${what} holds ${manifest.size} stored bytes, ${cipherSize(plainSize)} expected for ${plainSize} encrypted`);
  }
  const r = cipherRange(range?.start ?? 0, range?.end ?? plainSize - 1, plainSize);
  return { manifest, range: { start: r.start, end: r.end }, decrypt: { dataKey, stream, firstSeq: r.firstSeq, skip: r.skip, length: r.length, toEnd: r.toEnd } };
}

/** Part manifests fetched per metadata call while reading a multipart object (and one batch ahead). */
export const PART_MANIFEST_BATCH = 32;

/**
 * The segments of a chunked version that `range` (or the whole object) covers, in order. A
 * single-manifest object is one segment; a multipart object (data kind `parts`) is read part by part,
 * its manifests fetched from metadata a batch at a time (the next batch while the current one streams),
 * so a read of a 10,000-part object holds a few dozen part manifests at most, and a range read loads
 * only the parts it covers.
 */
export async function* objectSegments(
  v: ObjectVersion,
  range: ByteRange | undefined,
  ctx: CallCtx,
  deps: S3ApiDeps,
  dataKey?: Buffer,
): AsyncIterable<Segment> {
  if (v.data.kind === 'chunks') {
    if (dataKey) yield encryptedSegment(v.data.manifest, v.size, range, dataKey, 0, `version ${v.versionId}`);
    else yield { manifest: v.data.manifest, ...(range && { range }) };
    return;
  }
  if (v.data.kind !== 'parts') throw new ServiceError('Internal', `version ${v.versionId} has no chunked data`);
  const { uploadId } = v.data;
  const parts = v.parts;
  if (!parts) throw new ServiceError('Internal', `multipart version ${v.versionId} lists no parts`);
  const start = range?.start ?? 0;
  const end = range?.end ?? v.size - 1;

  // Parts the range covers, with the part-relative range (undefined: the whole part).
  const covered: { partNumber: number; size: number; range?: ByteRange }[] = [];
  let offset = 0;
  for (const p of parts) {
    const first = offset;
    const last = offset + p.size - 1;
    offset += p.size;
    if (p.size === 0 || last < start) continue;
    if (first > end) break;
    const from = Math.max(start, first) - first;
    const to = Math.min(end, last) - first;
    covered.push({ partNumber: p.partNumber, size: p.size, ...((from > 0 || to < p.size - 1) && { range: { start: from, end: to } }) });
  }

  const fetchBatch = (i: number): Promise<readonly BlobManifest[]> | undefined => {
    if (i >= covered.length) return undefined;
    const batch = covered.slice(i, i + PART_MANIFEST_BATCH).map((c) => c.partNumber);
    const p = deps.metadata.getPartManifests({ uploadId, partNumbers: batch }, ctx);
    p.catch(() => undefined); // an abandoned prefetch must not go unhandled
    return p;
  };
  let next = fetchBatch(0);
  for (let i = 0; next; i += PART_MANIFEST_BATCH) {
    const manifests = await next;
    next = fetchBatch(i + PART_MANIFEST_BATCH);
    for (let j = 0; j < manifests.length; j++) {
      const c = covered[i + j];
      const m = manifests[j];
      if (dataKey) {
        yield encryptedSegment(m, c.size, c.range, dataKey, c.partNumber, `part ${c.partNumber} of upload ${uploadId}`);
        continue;
      }
      if (m.size !== c.size) {
        throw new ServiceError('Internal', `part ${c.partNumber} of upload ${uploadId} holds ${m.size} bytes, its version says ${c.size}`);
      }
      yield { manifest: m, ...(c.range && { range: c.range }) };
    }
  }
}
