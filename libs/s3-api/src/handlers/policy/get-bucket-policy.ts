import { S3Error } from '@massive/s3-protocol';
import { decodeBucketPolicy } from '../../access/bucket-policy-document';
import type { Handler } from '../../types';

/** GetBucketPolicy: the policy as it was put (JSON); none is 404 NoSuchBucketPolicy. */
export const getBucketPolicy: Handler<'GetBucketPolicy'> = async (ep, req, deps) => {
  const { documents } = await deps.metadata.getBucketConfig({ bucket: ep.bucket, kinds: ['policy'] }, req.ctx);
  if (documents.policy === undefined) throw new S3Error('NoSuchBucketPolicy', undefined, { BucketName: ep.bucket });
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: decodeBucketPolicy(documents.policy).text };
};
