import { ServiceError, type CallCtx, type StoredPart, type UploadPartReq } from '@massive/contracts';
import { partKey, uploadGuardKey, uploadGuardStripe } from '../keys/keys';
import { codecs, type PartRecord } from '../model/records';
import { consumeIntent, enqueueGc, loadBucket } from './common';
import type { OpDeps } from './deps';
import { loadUpload, MAX_PART_NUMBER, toStoredPart } from './multipart-common';

/**
 * UploadPart: consumes the part's write intent and replaces a same-numbered part (its chunks go to GC).
 * Locking one of the upload's guard stripes makes this conflict with a concurrent Complete/Abort (which
 * write them all), so a part never lands in an upload that is gone; parallel parts take different
 * stripes and do not conflict with each other.
 */
export function uploadPart(deps: OpDeps, req: UploadPartReq, ctx: CallCtx): Promise<StoredPart> {
  if (!Number.isInteger(req.partNumber) || req.partNumber < 1 || req.partNumber > MAX_PART_NUMBER) {
    throw new ServiceError('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}`);
  }
  return deps.txn.run(
    'UploadPart',
    async (tx) => {
      const bucket = await loadBucket(tx, req.bucket);
      await loadUpload(tx, bucket.id, req.key, req.uploadId);
      tx.lock(uploadGuardKey(req.uploadId, uploadGuardStripe(req.partNumber)));
      await consumeIntent(tx, deps, req.intentId, req.manifest.chunks);
      const key = partKey(req.uploadId, req.partNumber);
      const oldRaw = await tx.get(key);
      if (oldRaw) enqueueGc(tx, deps, codecs.part.decodeValue(oldRaw).manifest.chunks);
      const rec: PartRecord = {
        partNumber: req.partNumber,
        size: req.size ?? req.manifest.size,
        etag: req.etag,
        lastModified: deps.clock(),
        manifest: req.manifest,
        ...(req.checksum && { checksum: req.checksum }),
      };
      tx.put(key, codecs.part.encode(rec));
      return toStoredPart(rec);
    },
    ctx,
  );
}
