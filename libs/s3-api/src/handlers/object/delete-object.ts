import type { Handler } from '../../types';

/** DeleteObject: 204 whether or not anything was deleted; with versioning set, says which version went. */
export const deleteObject: Handler<'DeleteObject'> = async (ep, req, deps) => {
  const versionId = req.query.get('versionId') ?? undefined;
  const res = await deps.metadata.deleteObject({ bucket: ep.bucket, key: ep.key, ...(versionId !== undefined && { versionId }) }, req.ctx);
  return {
    status: 204,
    headers: {
      ...(res.versionId !== undefined && { 'x-amz-version-id': res.versionId }),
      ...(res.deleteMarker && { 'x-amz-delete-marker': 'true' }),
    },
  };
};
