import type { CallCtx, DeleteObjectReq, DeleteObjectRes } from '@massive/contracts';
import type { KvTxn } from '@massive/kv';
import { objectKey, versionKey } from '../keys/keys';
import type { BucketRecord } from '../model/records';
import { loadBucket, loadObject, loadVersion } from './common';
import { objectWriterName, type OpDeps } from './deps';
import { enqueueVersionData } from './version-data';
import { checkVersionId, NULL_VERSION_ID } from './version-id';

/**
 * Unlinks `key`'s current version (if any) and queues its chunks, in the caller's transaction. With
 * `versionId`, only when the current version is that one: buckets are unversioned, so the current
 * version is the key's only one, its null version (`null`), also named by its own id.
 */
export async function unlink(tx: KvTxn, deps: OpDeps, bucket: BucketRecord, key: string, versionId?: string): Promise<boolean> {
  const current = await loadObject(tx, bucket.id, key);
  if (!current) return false;
  if (versionId !== undefined && versionId !== NULL_VERSION_ID && versionId !== current.versionId) return false;
  const v = await loadVersion(tx, bucket.id, key, current.versionId);
  tx.delete(objectKey(bucket.id, key));
  tx.delete(versionKey(bucket.id, key, current.versionId));
  enqueueVersionData(tx, deps, v.record);
  return true;
}

/**
 * DeleteObject: S3 answers 204 whether or not the key existed; `existed` tells which. With a version id,
 * only that version goes: an id of no version deletes nothing, a malformed one is InvalidArgument.
 */
export async function deleteObject(deps: OpDeps, req: DeleteObjectReq, ctx: CallCtx): Promise<DeleteObjectRes> {
  if (req.versionId !== undefined) checkVersionId(req.versionId);
  return deps.txn.run(
    'DeleteObject',
    async (tx) => {
      const bucket = await loadBucket(tx, req.bucket);
      return { existed: await unlink(tx, deps, bucket, req.key, req.versionId) };
    },
    ctx,
    objectWriterName(req.bucket, req.key),
  );
}
