import { parseTagging } from '@massive/s3-protocol';
import { readSmallBody } from '../../http/small-body';
import { encodeBucketTags, MAX_TAGGING_XML } from '../../http/tagging';
import type { Handler } from '../../types';

/**
 * PutBucketTagging: replaces the bucket's tag set (at most 50 tags). An empty TagSet leaves the bucket
 * without one (GetBucketTagging then answers NoSuchTagSet). 204, as S3.
 */
export const putBucketTagging: Handler<'PutBucketTagging'> = async (ep, req, deps) => {
  const doc = parseTagging(await readSmallBody(req, MAX_TAGGING_XML));
  const document = doc.TagSet.length > 0 ? encodeBucketTags(doc.TagSet) : undefined;
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'tagging', ...(document !== undefined && { document }) }, req.ctx);
  return { status: 204 };
};
