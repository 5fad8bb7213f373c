import type { Handler } from '../../types';

export const deleteBucket: Handler<'DeleteBucket'> = async (ep, req, deps) => {
  await deps.metadata.deleteBucket({ name: ep.bucket }, req.ctx);
  deps.bucketPolicies?.forget(ep.bucket);
  return { status: 204 };
};
