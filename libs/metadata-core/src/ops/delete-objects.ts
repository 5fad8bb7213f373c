import { isServiceError, type CallCtx, type DeleteObjectsRes } from '@massive/contracts';
import { loadBucket } from './common';
import { deleteObject } from './delete-object';
import type { OpDeps } from './deps';

/**
 * DeleteObjects: one transaction per key (a conflict on one key never fails the others), results in
 * request order. A missing bucket fails the whole request.
 */
export async function deleteObjects(
  deps: OpDeps,
  req: { bucket: string; keys: readonly string[] },
  ctx: CallCtx,
): Promise<DeleteObjectsRes> {
  await deps.txn.read('DeleteObjects', (s) => loadBucket(s, req.bucket), ctx);
  const results: DeleteObjectsRes['results'][number][] = [];
  for (const key of req.keys) {
    try {
      await deleteObject(deps, { bucket: req.bucket, key }, ctx);
      results.push({ key });
    } catch (e) {
      if (!isServiceError(e)) throw e;
      results.push({ key, error: { code: e.code, message: e.message } });
    }
  }
  return { results };
}
