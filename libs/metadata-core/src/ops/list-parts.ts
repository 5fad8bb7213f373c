import { ServiceError, type CallCtx, type ListPartsReq, type ListPartsRes } from '@massive/contracts';
import { loadBucket } from './common';
import type { OpDeps } from './deps';
import { loadUpload, scanParts, toMultipartUpload, toStoredPart } from './multipart-common';

export const MAX_PARTS = 1000;

/** ListParts: parts after `partNumberMarker`, ascending, from one snapshot. */
export function listParts(deps: OpDeps, req: ListPartsReq, ctx: CallCtx): Promise<ListPartsRes> {
  const marker = req.partNumberMarker ?? 0;
  if (!Number.isInteger(marker) || marker < 0) throw new ServiceError('InvalidArgument', 'bad part-number-marker');
  const maxParts = Math.max(0, Math.min(MAX_PARTS, Math.floor(req.maxParts)));
  return deps.txn.read(
    'ListParts',
    async (s) => {
      const bucket = await loadBucket(s, req.bucket);
      const upload = await loadUpload(s, bucket.id, req.key, req.uploadId);
      const found = await scanParts(s, req.uploadId, marker, maxParts + 1);
      const isTruncated = found.length > maxParts;
      const parts = found.slice(0, maxParts).map(toStoredPart);
      return {
        upload: toMultipartUpload(req.bucket, upload),
        parts,
        isTruncated,
        ...(isTruncated && { nextPartNumberMarker: parts[parts.length - 1]?.partNumber ?? marker }),
      };
    },
    ctx,
  );
}
