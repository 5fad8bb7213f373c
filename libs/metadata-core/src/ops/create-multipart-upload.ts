import type { CallCtx, CreateMultipartUploadReq, MultipartUpload } from '@massive/contracts';
import { uploadKey } from '../keys/keys';
import { codecs, type UploadRecord } from '../model/records';
import { loadBucket, lockBucketGuard } from './common';
import { timeSortableId, type OpDeps } from './deps';
import { latestVersionId, loadKeyState } from './key-versions';
import { toMultipartUpload } from './multipart-common';

/** CreateMultipartUpload: the upload id is unguessable and sorts by initiation time. */
export function createMultipartUpload(
  deps: OpDeps,
  req: CreateMultipartUploadReq,
  ctx: CallCtx,
): Promise<MultipartUpload> {
  return deps.txn.run(
    'CreateMultipartUpload',
    async (tx) => {
      const bucket = await loadBucket(tx, req.bucket);
      lockBucketGuard(tx, bucket, req.key);
      const state = await loadKeyState(tx, bucket, req.key, { addsVersion: true });
      const now = deps.clock();
      const rec: UploadRecord = {
        key: req.key,
        uploadId: timeSortableId(now),
        initiated: now,
        headers: req.headers,
        owner: req.owner,
        ...(req.checksumAlgorithm && {
          checksumAlgorithm: req.checksumAlgorithm,
          checksumType: req.checksumType ?? 'COMPOSITE',
        }),
        keyLatestAtCreate: latestVersionId(state) ?? '',
      };
      tx.put(uploadKey(bucket.id, req.key, rec.uploadId), codecs.upload.encode(rec));
      return toMultipartUpload(req.bucket, rec);
    },
    ctx,
  );
}
