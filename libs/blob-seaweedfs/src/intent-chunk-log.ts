/**
 * Where the store records a chunk id under its write intent BEFORE uploading the bytes (DESIGN §2,
 * invariant 2). SeaweedFS mints fids at assign time and cannot list needles by owner, so this record is
 * the only way an abandoned write is ever found again: the metadata janitor deletes every recorded
 * chunk of an expired intent. Re-assigned fids are recorded too, before their upload.
 *
 * Metadata's `recordIntentChunks` implements it (in-process in local mode, over gRPC in distributed
 * mode). It must fail (IntentExpired) once the intent is gone, so nothing is ever uploaded under an
 * intent the janitor may already have swept.
 */
export interface IntentChunkLog {
  recordChunks(intentId: string, chunkIds: readonly string[]): Promise<void>;
}
