import type { CallCtx } from '@massive/contracts';
import { partKey, uploadKey } from '../keys/keys';
import { enqueueGc, loadBucket } from './common';
import type { OpDeps } from './deps';
import { deleteUploadGuards, loadUpload, scanParts } from './multipart-common';

/** AbortMultipartUpload: deletes the upload and its parts; the parts' chunks go to GC. */
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
      for (const p of await scanParts(tx, req.uploadId)) {
        enqueueGc(tx, deps, p.manifest.chunks);
        tx.delete(partKey(req.uploadId, p.partNumber));
      }
      tx.delete(uploadKey(bucket.id, req.key, req.uploadId));
      deleteUploadGuards(tx, req.uploadId);
    },
    ctx,
  );
}
