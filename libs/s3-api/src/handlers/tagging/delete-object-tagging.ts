import { versionIdHeader } from '../../http/object-headers';
import type { Handler } from '../../types';

/** DeleteObjectTagging: removes every tag of one version in place; 204 with the version id. */
export const deleteObjectTagging: Handler<'DeleteObjectTagging'> = async (ep, req, deps) => {
  const versionId = req.query.get('versionId') ?? undefined;
  const res = await deps.metadata.updateObjectVersion({ bucket: ep.bucket, key: ep.key, versionId, tags: [] }, req.ctx);
  return { status: 204, headers: versionIdHeader(res) };
};
