import type { CallCtx } from './call-ctx';

/** One stored chunk of object data. Ids are minted by the chunk store before the data is written. */
export interface ChunkRef {
  readonly id: string;
  readonly size: number;
}

/** Where an object's (or part's) bytes live, in order. */
export interface BlobManifest {
  readonly size: number;
  readonly chunks: readonly ChunkRef[];
}

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

export interface BlobWriteReq {
  /**
   * Write intent recorded in metadata before any data is written. Every chunk minted by this write is
   * named under the intent, so an abandoned write is reclaimed with `deleteIntent`.
   */
  readonly intentId: string;
}

/**
 * A write body whose pieces are lent: views of memory the source reuses (the blob data server's pooled
 * receive buffers). A consumer that knows this hands each piece it took back with `release`, exactly
 * once, when nothing refers to it any more; a piece never handed back is left to the GC (safe, just
 * not reused). After `release` the piece's bytes may change at any moment.
 */
export interface LentBody extends AsyncIterable<Buffer> {
  release(piece: Buffer): void;
}

/** Whether `body` lends its pieces (LentBody). */
export function isLentBody(body: AsyncIterable<Buffer>): body is LentBody {
  return typeof (body as Partial<LentBody>).release === 'function';
}

/**
 * The blob service: turns a byte stream into checksummed chunks and back. Bodies are streams both ways;
 * no implementation may buffer a whole object.
 */
export interface BlobApi {
  /**
   * Consumes `body` fully (honouring backpressure) and returns its manifest once every chunk is
   * durable. A LentBody's pieces may be handed back (`release`) once stored, or once the write failed.
   */
  write(body: AsyncIterable<Buffer>, req: BlobWriteReq, ctx: CallCtx): Promise<BlobManifest>;
  /**
   * Streams `manifest`'s bytes, or just `range` of them, reading only the chunks the range covers.
   * Corrupt data surfaces as ServiceError('DataCorrupted') mid-stream, never as wrong bytes.
   */
  read(manifest: BlobManifest, range: ByteRange | undefined, ctx: CallCtx): AsyncIterable<Buffer>;
  /**
   * Optional: hands back a piece `read` yielded, once nothing refers to it any more (its socket write
   * completed), so its memory serves the next read instead of waiting for the GC. The caller must not
   * touch it afterwards. Pieces never handed back are collected as usual; anything else is ignored.
   */
  release?(piece: Buffer): void;
  /** Idempotent: deleting a missing chunk succeeds. */
  deleteChunks(ids: readonly string[], ctx: CallCtx): Promise<void>;
  /** Deletes every chunk minted under an intent (the janitor's tool). Idempotent. */
  deleteIntent(intentId: string, ctx: CallCtx): Promise<void>;
}
