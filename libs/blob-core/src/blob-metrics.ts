/**
 * Counters the blob service reports to. The observability lib adapts this to Prometheus (e.g.
 * `blob_chunks_written_total`, `blob_bytes_written_total`, `blob_corruptions_total`); blob-core stays
 * free of any metrics library. Every method is optional.
 */
export interface BlobMetrics {
  /**
   * A chunk of `bytes` bytes was stored durably, `seconds` after its put started (the store's write,
   * its syncs and, on SeaweedFS, the volume servers' round trips: the disk latency a PUT waits for).
   * A chunk written as it arrived (ChunkStore.openWrite) counts from its last byte: what is left then.
   */
  chunkWritten?(bytes: number, seconds: number): void;
  /** A chunk (or part of one) of `bytes` verified bytes was read. */
  chunkRead?(bytes: number): void;
  /** A read found a corrupt or missing chunk (ServiceError 'DataCorrupted'). */
  corruption?(chunkId: string): void;
}
