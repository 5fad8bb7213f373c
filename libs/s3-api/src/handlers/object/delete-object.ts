import { parseDeleteConditionHeaders, versionedConditionError } from '../../http/delete-conditions';
import { checkBypassApplies, mayBypass } from '../../http/object-lock';
import type { Handler } from '../../types';

/**
 * DeleteObject: 204 whether or not anything was deleted; with versioning set, says which version went.
 * Conditional (If-Match, x-amz-if-match-last-modified-time, x-amz-if-match-size): checked in the
 * metadata transaction against the current version; 412 when one does not hold, 404 NoSuchKey for
 * If-Match on a key without a current object. A version under Object Lock is not deleted by id: 403
 * AccessDenied (a GOVERNANCE retention goes with `x-amz-bypass-governance-retention` and the permission).
 */
export const deleteObject: Handler<'DeleteObject'> = async (ep, req, deps) => {
  const versionId = req.query.get('versionId') ?? undefined;
  const conditions = parseDeleteConditionHeaders(req.headers);
  if (conditions && versionId !== undefined) throw versionedConditionError(conditionHeaderName(conditions));
  await checkBypassApplies(req.headers, ep.bucket, deps, req.ctx);
  const bypass = mayBypass(req, ep.bucket, ep.key);
  const res = await deps.metadata.deleteObject(
    { bucket: ep.bucket, key: ep.key, ...(versionId !== undefined && { versionId }), ...(conditions && { conditions }), ...(bypass && { bypassGovernance: true }) },
    req.ctx,
  );
  return {
    status: 204,
    headers: {
      ...(res.versionId !== undefined && { 'x-amz-version-id': res.versionId }),
      ...(res.deleteMarker && { 'x-amz-delete-marker': 'true' }),
    },
  };
};

function conditionHeaderName(c: { ifMatch?: string; ifMatchLastModifiedTime?: number }): string {
  if (c.ifMatch !== undefined) return 'If-Match';
  return c.ifMatchLastModifiedTime !== undefined ? 'x-amz-if-match-last-modified-time' : 'x-amz-if-match-size';
}
