import type { Handler } from '../../types';

/** DeleteBucketLifecycle: 204 whether or not a configuration existed (S3 does the same). */
export const deleteBucketLifecycle: Handler<'DeleteBucketLifecycle'> = async (ep, req, deps) => {
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'lifecycle' }, req.ctx);
  deps.lifecycleRules?.forget(ep.bucket);
  return { status: 204 };
};
