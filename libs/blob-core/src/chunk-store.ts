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
 *  1. `allocate(intentId, seq)` names chunk `seq` of a write before any data exists. Local disk mints
 *     the id itself; SeaweedFS asks the master for a fid. The id is what manifests store. Every chunk is
 *     named under a write intent that metadata recorded first, so `deleteIntent` can reclaim an
 *     abandoned write. One write per intent: `seq` numbers are unique within an intent.
 *  2. `put(id, data)` stores the bytes (a list of slices, written as one chunk with no concatenation).
 *     When it resolves the chunk is durable and complete under its id; a crash before that leaves no
 *     chunk visible under the id. Chunks are write-once: a second `put` to an existing id rejects and
 *     leaves the stored chunk untouched.
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
  allocate(intentId: string, seq: number): Promise<string>;
  put(id: string, data: readonly Buffer[]): Promise<void>;
  read(id: string, range?: ChunkRange): Promise<Buffer>;
  delete(id: string): Promise<void>;
  deleteIntent(intentId: string): Promise<void>;
  /** Ids of the chunks stored (put and not deleted) under an intent, in `seq` order. */
  listIntentChunks(intentId: string): Promise<string[]>;
  /** Every stored chunk id, in no particular order (janitor, audits, tests). */
  listChunks(): AsyncIterable<string>;
}

/** Throws InvalidArgument unless `range` is a well-formed range (bounds against the chunk are the store's job). */
export function assertChunkRange(range: ChunkRange): void {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new ServiceError('InvalidArgument', `malformed chunk range ${offset}+${length}`);
  }
}
