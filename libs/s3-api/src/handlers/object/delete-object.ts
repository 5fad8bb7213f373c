import type { Handler } from '../../types';

export const deleteObject: Handler<'DeleteObject'> = async (ep, req, deps) => {
  const versionId = req.query.get('versionId') ?? undefined;
  await deps.metadata.deleteObject({ bucket: ep.bucket, key: ep.key, ...(versionId !== undefined && { versionId }) }, req.ctx);
  return { status: 204 };
};
