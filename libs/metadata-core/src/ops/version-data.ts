import type { KvTxn } from '@massive/kv';
import { gcKey } from '../keys/keys';
import { codecs, type VersionRecord } from '../model/records';
import { enqueueGc } from './common';
import type { OpDeps } from './deps';

/** The G queue name of an upload's leftover part records (never a chunk id: those have no NUL). */
export const partsGcName = (uploadId: string): string => `\u0000parts/${uploadId}`;

/**
 * Queues the data of a version being unlinked (overwrite, delete), in the unlinking transaction: its
 * chunks (one entry each), or for a multipart version one entry for all its part records.
 */
export function enqueueVersionData(tx: KvTxn, deps: OpDeps, v: VersionRecord): void {
  if (v.manifest) enqueueGc(tx, deps, v.manifest.chunks, v.versionId);
  else if (v.partsOf) enqueueParts(tx, deps, v.partsOf, v.size, v.versionId);
}

/** Queues every part record left under `uploadId` (and their chunks) as one entry. */
export function enqueueParts(tx: KvTxn, deps: OpDeps, uploadId: string, size: number, versionId?: string): void {
  const now = deps.clock();
  const record = { enqueuedAt: now, size, partsOf: uploadId, ...(versionId && { versionId }) };
  tx.put(gcKey(now + deps.gcGraceMs, partsGcName(uploadId)), codecs.gc.encode(record));
}
