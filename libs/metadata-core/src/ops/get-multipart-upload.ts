import type { CallCtx, MultipartUpload } from '@massive/contracts';
import { loadBucket } from './common';
import type { OpDeps } from './deps';
import { loadUpload, toMultipartUpload } from './multipart-common';

export function getMultipartUpload(
  deps: OpDeps,
  req: { bucket: string; key: string; uploadId: string },
  ctx: CallCtx,
): Promise<MultipartUpload> {
  return deps.txn.read(
    'GetMultipartUpload',
    async (s) => {
      const bucket = await loadBucket(s, req.bucket);
      return toMultipartUpload(req.bucket, await loadUpload(s, bucket.id, req.key, req.uploadId));
    },
    ctx,
  );
}
