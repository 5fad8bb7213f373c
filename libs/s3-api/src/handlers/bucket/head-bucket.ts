import type { Handler } from '../../types';

export const headBucket: Handler<'HeadBucket'> = async (ep, req, deps) => {
  const b = await deps.metadata.getBucket({ name: ep.bucket }, req.ctx);
  return { status: 200, headers: { 'x-amz-bucket-region': b.region, 'x-amz-access-point-alias': 'false' } };
};
