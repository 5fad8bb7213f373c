import type { Handler } from '../../types';

/** DeleteBucketCors: 204 whether or not the bucket had rules (as S3); NoSuchBucket for a missing bucket. */
export const deleteBucketCors: Handler<'DeleteBucketCors'> = async (ep, req, deps) => {
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'cors' }, req.ctx);
  deps.corsRules?.invalidate(ep.bucket);
  return { status: 204 };
};
