import { assertReplicaId, chunkOwner, replicaOwnedChunkId, REPLICA_CHUNK_PREFIX, ServiceError } from '@massive/contracts';

/**
 * Chunk ids minted by the local stores (disk and memory):
 *
 * - `<intentId>.<seq>`, e.g. `k3F9x-2b.17`: local mode (one process, one disk);
 * - `@<replicaId>/<intentId>.<seq>`, e.g. `@massive-blob-1/k3F9x-2b.17`: a blob replica in distributed
 *   mode that owns its disk; the prefix tells the gRPC client which replica to ask (contracts'
 *   chunk-owner.ts). Both forms of one (intent, seq) name the same file on that replica's disk, so ids
 *   stored before replica ids existed keep working on the replica that holds them.
 *
 * - intentId: 1..128 characters of `[A-Za-z0-9_-]` (no dot, slash, backslash or NUL, so it is one
 *   harmless path segment and never `.` or `..`);
 * - seq: a decimal integer 0..2^32-1 without leading zeros.
 *
 * The id is validated against this exact shape before it is ever turned into a path.
 */
const INTENT_ID = /^[A-Za-z0-9_-]{1,128}$/;
const CHUNK_ID = /^([A-Za-z0-9_-]{1,128})\.(0|[1-9][0-9]{0,9})$/;
export const MAX_CHUNK_SEQ = 0xffffffff;

export interface ParsedChunkId {
  readonly intentId: string;
  readonly seq: number;
  /** The owning replica of an `@<replicaId>/...` id; absent for the plain form. */
  readonly replicaId?: string;
}

export function assertIntentId(intentId: string): void {
  if (typeof intentId !== 'string' || !INTENT_ID.test(intentId)) {
    throw new ServiceError('InvalidArgument', `malformed intent id ${JSON.stringify(String(intentId).slice(0, 200))}`);
  }
}

export function assertChunkSeq(seq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 0 || seq > MAX_CHUNK_SEQ) {
    throw new ServiceError('InvalidArgument', `malformed chunk sequence number ${seq}`);
  }
}

/** `<intentId>.<seq>`, or `@<replicaId>/<intentId>.<seq>` when a replica id is given. */
export function formatChunkId(intentId: string, seq: number, replicaId?: string): string {
  assertIntentId(intentId);
  assertChunkSeq(seq);
  if (replicaId !== undefined) assertReplicaId(replicaId);
  const local = `${intentId}.${seq}`;
  return replicaId === undefined ? local : replicaOwnedChunkId(replicaId, local);
}

export function parseChunkId(id: string): ParsedChunkId {
  const malformed = () => new ServiceError('InvalidArgument', `malformed chunk id ${JSON.stringify(String(id).slice(0, 200))}`);
  if (typeof id !== 'string') throw malformed();
  let replicaId: string | undefined;
  let local = id;
  if (id.startsWith(REPLICA_CHUNK_PREFIX)) {
    try {
      replicaId = chunkOwner(id);
    } catch {
      throw malformed();
    }
    local = id.slice(id.indexOf('/') + 1);
  }
  const m = CHUNK_ID.exec(local);
  const seq = m ? Number(m[2]) : -1;
  if (!m || seq > MAX_CHUNK_SEQ) throw malformed();
  return replicaId === undefined ? { intentId: m[1], seq } : { intentId: m[1], seq, replicaId };
}
