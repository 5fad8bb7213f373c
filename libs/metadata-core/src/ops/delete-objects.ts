import { isServiceError, type CallCtx, type DeleteObjectsRes, type ObjectIdentifier } from '@massive/contracts';
import { loadBucket } from './common';
import { deleteObject } from './delete-object';
import type { OpDeps } from './deps';

/**
 * DeleteObjects: one transaction per entry (a conflict on one key never fails the others), results in
 * request order, each echoing its version id. A missing bucket fails the whole request; a bad version id
 * fails only its entry.
 */
export async function deleteObjects(
  deps: OpDeps,
  req: { bucket: string; objects: readonly ObjectIdentifier[] },
  ctx: CallCtx,
): Promise<DeleteObjectsRes> {
  await deps.txn.read('DeleteObjects', (s) => loadBucket(s, req.bucket), ctx);
  const results: DeleteObjectsRes['results'][number][] = [];
  for (const { key, versionId, conditions, bypassGovernance } of req.objects) {
    const id = versionId === undefined ? {} : { versionId };
    try {
      const res = await deleteObject(deps, { bucket: req.bucket, key, ...id, ...(conditions && { conditions }), ...(bypassGovernance && { bypassGovernance }) }, ctx);
      const marker = res.deleteMarker === true;
      results.push({
        key,
        ...id,
        ...(marker && { deleteMarker: true }),
        // A plain DELETE that added a marker names it; a DELETE by id already names its version.
        ...(marker && versionId === undefined && res.versionId !== undefined && { deleteMarkerVersionId: res.versionId }),
      });
    } catch (e) {
      if (!isServiceError(e)) throw e;
      results.push({ key, ...id, error: { code: e.code, message: e.message } });
    }
  }
  return { results };
}
