import type { Handler } from '../../types';

/** DeleteBucketPolicy: 204 whether or not a policy existed (as S3). */
export const deleteBucketPolicy: Handler<'DeleteBucketPolicy'> = async (ep, req, deps) => {
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'policy' }, req.ctx);
  deps.bucketPolicies?.forget(ep.bucket);
  return { status: 204 };
};
