import { ServiceError, type CallCtx, type DeleteConditions, type DeleteObjectReq, type DeleteObjectRes } from '@massive/contracts';
import type { KvTxn } from '@massive/kv';
import type { BucketRecord, ObjectRecord } from '../model/records';
import { etagMatches, loadBucket } from './common';
import { objectWriterName, type OpDeps } from './deps';
import { addDeleteMarker, loadKeyState, removeVersion, s3VersionIdOf } from './key-versions';
import { checkVersionId, NULL_VERSION_ID } from './version-id';

/**
 * One DELETE of `key`, in the caller's transaction (DeleteObject, each entry of DeleteObjects):
 * - with a version id: that version goes for good (`null` names the null version); an id of no version
 *   deletes nothing; if it was the latest, the next newest becomes the latest.
 * - without: on a never-versioned bucket the object (its null version) goes; otherwise a delete marker
 *   becomes the latest version (Suspended: it is the new null version, replacing the old one).
 * - `conditions` are checked first, against the key's current version, in this transaction.
 * - a version under Object Lock is not removed (ObjectLocked; see removeVersion); a marker may still be added.
 */
export async function deleteInTxn(
  tx: KvTxn,
  deps: OpDeps,
  bucket: BucketRecord,
  key: string,
  versionId?: string,
  conditions?: DeleteConditions,
  bypassGovernance = false,
): Promise<DeleteObjectRes> {
  const state = await loadKeyState(tx, bucket, key);
  checkDeleteConditions(state.current, conditions, key);
  const versioned = bucket.versioning !== 'Unversioned';
  if (versionId === undefined && versioned) {
    const marker = await addDeleteMarker(tx, deps, bucket, key, state);
    return { existed: true, versionId: s3VersionIdOf(marker), deleteMarker: true };
  }
  const target = versionId === undefined || versionId === NULL_VERSION_ID ? state.nullId : versionId;
  const removed = target === undefined ? undefined : await removeVersion(tx, deps, bucket, key, state, target, bypassGovernance);
  if (!versioned) return { existed: removed !== undefined };
  return {
    existed: removed !== undefined,
    ...(versionId !== undefined && { versionId }),
    ...(removed?.deleteMarker && { deleteMarker: true }),
  };
}

/**
 * S3's conditional delete: evaluated on the current version only. Without one (no object, or a delete
 * marker is the latest), If-Match is NoSuchKey (S3 answers 404 for `*` and for an etag alike) while the
 * size and time conditions hold (S3 documents 204 for them on a missing key).
 */
export function checkDeleteConditions(current: ObjectRecord | undefined, c: DeleteConditions | undefined, key: string): void {
  if (!c) return;
  if (!current) {
    if (c.ifMatch !== undefined) throw new ServiceError('NoSuchKey', `The specified key does not exist: ${key}`);
    return;
  }
  const failed =
    (c.ifMatch !== undefined && !etagMatches(c.ifMatch, current.etag)) ||
    (c.ifMatchLastModifiedTime !== undefined && Math.floor(c.ifMatchLastModifiedTime / 1000) !== Math.floor(current.lastModified / 1000)) ||
    (c.ifMatchSize !== undefined && c.ifMatchSize !== current.size);
  if (failed) throw new ServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
}

/**
 * DeleteObject: S3 answers 204 whether or not anything was deleted; `existed` tells which. A malformed
 * version id is InvalidArgument.
 */
export async function deleteObject(deps: OpDeps, req: DeleteObjectReq, ctx: CallCtx): Promise<DeleteObjectRes> {
  if (req.versionId !== undefined) checkVersionId(req.versionId);
  return deps.txn.run(
    'DeleteObject',
    async (tx) => deleteInTxn(tx, deps, await loadBucket(tx, req.bucket), req.key, req.versionId, req.conditions, req.bypassGovernance === true),
    ctx,
    objectWriterName(req.bucket, req.key),
  );
}
