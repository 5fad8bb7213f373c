import { ServiceError, type CallCtx } from '@massive/contracts';
import { abortMultipartUpload } from '../ops/abort-multipart-upload';
import { loadBucket } from '../ops/common';
import { deleteInTxn } from '../ops/delete-object';
import { objectWriterName, type OpDeps } from '../ops/deps';
import { loadKeyState, newestVersions, removeVersion } from '../ops/key-versions';

/**
 * What the lifecycle worker does to a version, each one transaction through the ordinary delete paths
 * (`deleteInTxn` / `removeVersion` / `abortMultipartUpload`), so GC queueing, the O/N/V invariants and
 * crash safety are exactly those of a client's DELETE. The worker decided from a snapshot; each action
 * re-checks in its transaction that the version is still in the state it was judged in, so a PUT or
 * DELETE that raced in between is never undone (a new current version is never expired by mistake).
 * Each returns whether it changed anything.
 */

/**
 * Expiration of the current version `versionId` (internal id) of `key`: on an unversioned bucket it is
 * deleted; on a versioned one (Enabled or Suspended) a delete marker becomes the current version, as
 * a DELETE without a version id does.
 */
export function expireCurrentVersion(deps: OpDeps, bucketName: string, key: string, versionId: string, ctx: CallCtx): Promise<boolean> {
  return deps.txn.run(
    'LifecycleExpireCurrent',
    async (tx) => {
      const bucket = await loadBucket(tx, bucketName);
      const [latest] = await newestVersions(tx, bucket.id, key, 1);
      if (!latest || latest.versionId !== versionId || latest.deleteMarker) return false;
      await deleteInTxn(tx, deps, bucket, key);
      return true;
    },
    ctx,
    objectWriterName(bucketName, key),
  );
}

/**
 * NoncurrentVersionExpiration: removes version `versionId` for good, if it is still not the latest and
 * no Object Lock keeps it (then `onLocked` hears of it, once).
 */
export async function expireNoncurrentVersion(
  deps: OpDeps,
  bucketName: string,
  key: string,
  versionId: string,
  ctx: CallCtx,
  onLocked?: () => void,
): Promise<boolean> {
  let locked = false;
  const removed = await deps.txn.run(
    'LifecycleExpireNoncurrent',
    async (tx) => {
      locked = false; // a retried attempt decides afresh
      const bucket = await loadBucket(tx, bucketName);
      const [latest] = await newestVersions(tx, bucket.id, key, 1);
      if (!latest || latest.versionId === versionId) return false;
      const state = await loadKeyState(tx, bucket, key);
      try {
        return (await removeVersion(tx, deps, bucket, key, state, versionId)) !== undefined;
      } catch (e) {
        // Object Lock: lifecycle never removes a version under a retention or legal hold (S3 skips it).
        if (!(e instanceof ServiceError && e.code === 'ObjectLocked')) throw e;
        locked = true;
        return false;
      }
    },
    ctx,
    objectWriterName(bucketName, key),
  );
  if (locked) onLocked?.();
  return removed;
}

/** ExpiredObjectDeleteMarker: removes the marker `versionId` if it is still the only version of `key`. */
export function removeExpiredDeleteMarker(deps: OpDeps, bucketName: string, key: string, versionId: string, ctx: CallCtx): Promise<boolean> {
  return deps.txn.run(
    'LifecycleRemoveMarker',
    async (tx) => {
      const bucket = await loadBucket(tx, bucketName);
      const versions = await newestVersions(tx, bucket.id, key, 2);
      if (versions.length !== 1 || versions[0].versionId !== versionId || !versions[0].deleteMarker) return false;
      const state = await loadKeyState(tx, bucket, key);
      return (await removeVersion(tx, deps, bucket, key, state, versionId)) !== undefined;
    },
    ctx,
    objectWriterName(bucketName, key),
  );
}

/** AbortIncompleteMultipartUpload: AbortMultipartUpload itself; an upload completed or aborted meanwhile is left alone. */
export async function abortStaleUpload(deps: OpDeps, bucketName: string, key: string, uploadId: string, ctx: CallCtx): Promise<boolean> {
  try {
    await abortMultipartUpload(deps, { bucket: bucketName, key, uploadId }, ctx);
    return true;
  } catch (e) {
    if (e instanceof ServiceError && (e.code === 'NoSuchUpload' || e.code === 'NoSuchBucket')) return false;
    throw e;
  }
}

/** A bucket deleted while the worker walked it: nothing more to do there. */
export function isGone(e: unknown): boolean {
  return e instanceof ServiceError && e.code === 'NoSuchBucket';
}
