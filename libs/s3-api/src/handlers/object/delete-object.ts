import type { Handler } from '../../types';

export const deleteObject: Handler<'DeleteObject'> = async (ep, req, deps) => {
  await deps.metadata.deleteObject({ bucket: ep.bucket, key: ep.key }, req.ctx);
  return { status: 204 };
};
