import { buildPolicyStatus, isPublicPolicy, S3Error } from '@massive/s3-protocol';
import { decodeBucketPolicy } from '../../access/bucket-policy-document';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/** GetBucketPolicyStatus: `IsPublic` by AWS's definition of a public policy; no policy is NoSuchBucketPolicy (as S3). */
export const getBucketPolicyStatus: Handler<'GetBucketPolicyStatus'> = async (ep, req, deps) => {
  const { documents } = await deps.metadata.getBucketConfig({ bucket: ep.bucket, kinds: ['policy'] }, req.ctx);
  if (documents.policy === undefined) throw new S3Error('NoSuchBucketPolicy', undefined, { BucketName: ep.bucket });
  return xmlResponse(buildPolicyStatus(isPublicPolicy(decodeBucketPolicy(documents.policy).policy)));
};
