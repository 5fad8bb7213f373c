import { ServiceError } from '@massive/contracts';

/**
 * Chunk ids minted by the local stores (disk and memory): `<intentId>.<seq>`, e.g. `k3F9x-2b.17`.
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

export function formatChunkId(intentId: string, seq: number): string {
  assertIntentId(intentId);
  assertChunkSeq(seq);
  return `${intentId}.${seq}`;
}

export function parseChunkId(id: string): ParsedChunkId {
  const m = typeof id === 'string' ? CHUNK_ID.exec(id) : null;
  const seq = m ? Number(m[2]) : -1;
  if (!m || seq > MAX_CHUNK_SEQ) {
    throw new ServiceError('InvalidArgument', `malformed chunk id ${JSON.stringify(String(id).slice(0, 200))}`);
  }
  return { intentId: m[1], seq };
}
