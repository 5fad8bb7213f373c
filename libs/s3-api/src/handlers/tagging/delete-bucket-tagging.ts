import type { Handler } from '../../types';

/** DeleteBucketTagging: 204 whether or not the bucket had tags; NoSuchBucket for a missing bucket. */
export const deleteBucketTagging: Handler<'DeleteBucketTagging'> = async (ep, req, deps) => {
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'tagging' }, req.ctx);
  return { status: 204 };
};
