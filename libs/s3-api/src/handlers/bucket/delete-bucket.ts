import type { Handler } from '../../types';

export const deleteBucket: Handler<'DeleteBucket'> = async (ep, req, deps) => {
  await deps.metadata.deleteBucket({ name: ep.bucket }, req.ctx);
  return { status: 204 };
};
