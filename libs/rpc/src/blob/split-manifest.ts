import { chunkOwner, ServiceError, type BlobManifest, type ByteRange, type ChunkRef } from '@massive/contracts';

/** A run of consecutive chunks with one owner, and the part of it a read wants. */
export interface ManifestSegment {
  /** The replica owning every chunk of the run; undefined: any replica serves them. */
  readonly owner: string | undefined;
  readonly manifest: BlobManifest;
  /** Range within `manifest`; undefined when the whole run is wanted. */
  readonly range: ByteRange | undefined;
}

/**
 * Cuts a read of `range` (or all) of `manifest` into per-owner reads, in order: a multipart object
 * (parts written through different replicas) or a copy can hold chunks of several replicas. Only runs
 * the range covers appear. A manifest with one owner comes back whole, untouched (the server checks
 * it); otherwise the range is checked here as the server would (InvalidRange with the object size;
 * sizes that do not add up are Internal).
 */
export function splitManifest(manifest: BlobManifest, range: ByteRange | undefined): ManifestSegment[] {
  const runs = ownerRuns(manifest.chunks);
  if (runs.length <= 1) return [{ owner: runs[0]?.owner, manifest, range }];
  const total = manifest.chunks.reduce((n, c) => n + c.size, 0);
  if (!manifest.chunks.every((c) => Number.isSafeInteger(c.size) && c.size >= 0) || total !== manifest.size) {
    throw new ServiceError('Internal', `manifest chunks add up to ${total} bytes, manifest says ${manifest.size}`);
  }
  const start = range ? range.start : 0;
  const end = range ? range.end + 1 : manifest.size; // exclusive
  if (range && !(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && 0 <= start && start < end && end <= manifest.size)) {
    throw new ServiceError('InvalidRange', `range ${range.start}-${range.end} is outside the object (${manifest.size} bytes)`, { objectSize: manifest.size });
  }
  const out: ManifestSegment[] = [];
  let at = 0;
  for (const run of runs) {
    const size = run.chunks.reduce((n, c) => n + c.size, 0);
    const from = Math.max(start, at);
    const to = Math.min(end, at + size);
    if (from < to) {
      const whole = from === at && to === at + size;
      out.push({ owner: run.owner, manifest: { size, chunks: run.chunks }, range: whole ? undefined : { start: from - at, end: to - 1 - at } });
    }
    at += size;
    if (at >= end) break;
  }
  return out;
}

function ownerRuns(chunks: readonly ChunkRef[]): { owner: string | undefined; chunks: ChunkRef[] }[] {
  const runs: { owner: string | undefined; chunks: ChunkRef[] }[] = [];
  for (const c of chunks) {
    const owner = chunkOwner(c.id);
    const last = runs[runs.length - 1];
    if (last && last.owner === owner) last.chunks.push(c);
    else runs.push({ owner, chunks: [c] });
  }
  return runs;
}
