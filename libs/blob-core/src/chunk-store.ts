import { ServiceError } from '@massive/contracts';

/** A byte range inside one chunk: `length` bytes from `offset`. */
export interface ChunkRange {
  readonly offset: number;
  readonly length: number;
}

/**
 * The storage engine under the blob service. One implementation per backend (local disk, SeaweedFS,
 * memory for tests); every one runs `describeChunkStoreContract` from `@massive/blob-core/testing`.
 *
 * Lifecycle of a chunk:
 *  1. `allocate(intentId, seq, dataSize?)` names chunk `seq` of a write before any data exists. Local
 *     disk mints the id itself; SeaweedFS asks the master for a fid (`dataSize` is the placement hint)
 *     and records it under the intent in metadata before returning. The id is what manifests store.
 *     Every chunk is named under a write intent that metadata recorded first, so an abandoned write is
 *     reclaimed: by `deleteIntent` for stores that can find an intent's chunks, by the janitor
 *     deleting the recorded ids for the others. One write per intent: `seq` is unique within an intent.
 *  2. `put(id, data)` stores the bytes (a list of slices, written as one chunk with no concatenation).
 *     When it resolves the chunk is durable and complete; a crash before that leaves no chunk visible
 *     under the id. It resolves to a different id when the store had to place the chunk elsewhere
 *     (SeaweedFS re-assigns a fid after a failed upload); the caller must then reference that id.
 *     Chunks are write-once: a second `put` to an existing id rejects and leaves the stored chunk
 *     untouched.
 *  3. `read(id, range?)` returns verified bytes: exactly `range.length` bytes, or the whole chunk.
 *     Any checksum mismatch, a short or missing chunk, or a range past the chunk's end throws
 *     `ServiceError('DataCorrupted')` (a chunk is only read because metadata references it, so its
 *     absence is data loss). Never wrong bytes.
 *  4. `delete(id)` and `deleteIntent(intentId)` are idempotent: deleting what is gone succeeds.
 *
 * Malformed ids and intent ids (anything an implementation did not mint, e.g. path traversal attempts)
 * throw `ServiceError('InvalidArgument')` from every method, before touching storage.
 */
export interface ChunkStore {
  allocate(intentId: string, seq: number, dataSize?: number): Promise<string>;
  put(id: string, data: readonly Buffer[]): Promise<string | void>;
  /**
   * Optional: chunk `id` written as its data arrives, so that when the last byte comes most of the
   * chunk is already on disk and only its end and the sync are left (a put of the whole chunk starts
   * writing only then). Once `finish` resolves the chunk is as durable and complete as after `put`,
   * and the same write-once rule holds; until then, and after `abort` or a failed `finish`, nothing is
   * visible under the id. Throws at once (InvalidArgument, InsufficientStorage) when the write cannot
   * start. Only stores that mint ids without knowing the size offer it (SeaweedFS places by size).
   */
  openWrite?(id: string): ChunkWrite;
  read(id: string, range?: ChunkRange): Promise<Buffer>;
  /** Optional: a buffer `read` (or a ChunkReader) returned, handed back for reuse (BlobApi.release). */
  release?(buf: Buffer): void;
  /**
   * Optional: one chunk opened for several range reads (a large GET reads a chunk in pieces), so the
   * file is opened and its checksums read once rather than per piece. Same errors and guarantees as
   * `read`; the reader keeps reading a chunk deleted meanwhile. Close it when done (after its reads).
   */
  openChunk?(id: string): Promise<ChunkReader>;
  delete(id: string): Promise<void>;
  /**
   * Optional batch delete (GC): same semantics as `delete` for each id; a store that can group work
   * (SeaweedFS: per volume) offers it. Rejects if any id failed, after trying them all.
   */
  deleteMany?(ids: readonly string[]): Promise<void>;
  /** Deletes what the store itself knows of the intent (a no-op for stores that record ids in metadata). */
  deleteIntent(intentId: string): Promise<void>;
  /**
   * Ids of the chunks stored (put and not deleted) under an intent, in `seq` order. Optional: SeaweedFS
   * cannot list needles by owner (only `weed shell volume.fsck` over gRPC can list a volume at all), so
   * its store offers neither listing and relies on the ids recorded in metadata instead.
   */
  listIntentChunks?(intentId: string): Promise<string[]>;
  /** Every stored chunk id, in no particular order (audits, tests). Optional, as above. */
  listChunks?(): AsyncIterable<string>;
}

/** A chunk being written (ChunkStore.openWrite). */
export interface ChunkWrite {
  /**
   * Appends bytes. The store keeps a reference to `data` until they are written (at the latest when
   * `finish` or `abort` settles), so the caller must not reuse the memory before. A failed write in the
   * background surfaces at `finish`.
   */
  append(data: Buffer): void;
  /** Writes the rest and makes the chunk durable; on failure nothing is left under the id. */
  finish(): Promise<void>;
  /** Drops the chunk and whatever was written of it; idempotent, never rejects. */
  abort(): Promise<void>;
}

/** Range reads of one opened chunk (ChunkStore.openChunk); reads may run concurrently. */
export interface ChunkReader {
  read(range: ChunkRange): Promise<Buffer>;
  close(): Promise<void>;
}

/** Throws InvalidArgument unless `range` is a well-formed range (bounds against the chunk are the store's job). */
export function assertChunkRange(range: ChunkRange): void {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new ServiceError('InvalidArgument', `malformed chunk range ${offset}+${length}`);
  }
}
