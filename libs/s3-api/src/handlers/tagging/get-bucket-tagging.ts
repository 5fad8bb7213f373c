import { buildTagging, S3Error } from '@massive/s3-protocol';
import { decodeBucketTags } from '../../http/tagging';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/** GetBucketTagging: the bucket's tag set; a bucket without one is 404 NoSuchTagSet, as S3 answers. */
export const getBucketTagging: Handler<'GetBucketTagging'> = async (ep, req, deps) => {
  const { documents } = await deps.metadata.getBucketConfig({ bucket: ep.bucket, kinds: ['tagging'] }, req.ctx);
  const doc = documents.tagging;
  if (doc === undefined) throw new S3Error('NoSuchTagSet', undefined, { BucketName: ep.bucket });
  return xmlResponse(buildTagging({ TagSet: decodeBucketTags(doc) }));
};
