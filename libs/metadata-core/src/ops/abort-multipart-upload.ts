import type { CallCtx } from '@massive/contracts';
import { uploadKey } from '../keys/keys';
import { loadBucket } from './common';
import type { OpDeps } from './deps';
import { deleteUploadGuards, loadUpload } from './multipart-common';
import { enqueueParts } from './version-data';

/** AbortMultipartUpload: deletes the upload; its parts (records and chunks) go to GC as one entry. */
export function abortMultipartUpload(
  deps: OpDeps,
  req: { bucket: string; key: string; uploadId: string },
  ctx: CallCtx,
): Promise<void> {
  return deps.txn.run(
    'AbortMultipartUpload',
    async (tx) => {
      const bucket = await loadBucket(tx, req.bucket);
      await loadUpload(tx, bucket.id, req.key, req.uploadId);
      // The part records stay for the collector: one queue entry, however many parts were uploaded.
      enqueueParts(tx, deps, req.uploadId, 0);
      tx.delete(uploadKey(bucket.id, req.key, req.uploadId));
      deleteUploadGuards(tx, req.uploadId);
    },
    ctx,
  );
}
