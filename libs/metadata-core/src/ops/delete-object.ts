import type { CallCtx, DeleteObjectRes } from '@massive/contracts';
import type { KvTxn } from '@massive/kv';
import { objectKey, versionKey } from '../keys/keys';
import type { BucketRecord } from '../model/records';
import { loadBucket, loadObject, loadVersion } from './common';
import { objectWriterName, type OpDeps } from './deps';
import { enqueueVersionData } from './version-data';

/** Unlinks `key`'s current version (if any) and queues its chunks, in the caller's transaction. */
export async function unlink(tx: KvTxn, deps: OpDeps, bucket: BucketRecord, key: string): Promise<boolean> {
  const current = await loadObject(tx, bucket.id, key);
  if (!current) return false;
  const v = await loadVersion(tx, bucket.id, key, current.versionId);
  tx.delete(objectKey(bucket.id, key));
  tx.delete(versionKey(bucket.id, key, current.versionId));
  enqueueVersionData(tx, deps, v.record);
  return true;
}

/** DeleteObject: S3 answers 204 whether or not the key existed; `existed` tells which. */
export function deleteObject(deps: OpDeps, req: { bucket: string; key: string }, ctx: CallCtx): Promise<DeleteObjectRes> {
  return deps.txn.run(
    'DeleteObject',
    async (tx) => {
      const bucket = await loadBucket(tx, req.bucket);
      return { existed: await unlink(tx, deps, bucket, req.key) };
    },
    ctx,
    objectWriterName(req.bucket, req.key),
  );
}
