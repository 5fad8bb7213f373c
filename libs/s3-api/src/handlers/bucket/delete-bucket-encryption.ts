import type { Handler } from '../../types';

/**
 * DeleteBucketEncryption: 204 whether or not the bucket had a default (as S3); NoSuchBucket for a missing
 * bucket. New objects are stored as sent again; objects already encrypted stay so (their keys are their own).
 * Allowed without master keys, so a default set elsewhere can always be removed.
 */
export const deleteBucketEncryption: Handler<'DeleteBucketEncryption'> = async (ep, req, deps) => {
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'encryption' }, req.ctx);
  deps.writeDefaults?.invalidate(ep.bucket);
  return { status: 204 };
};
