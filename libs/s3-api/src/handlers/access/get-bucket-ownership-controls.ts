import { buildOwnershipControls, S3Error } from '@massive/s3-protocol';
import { loadBucketAccess } from '../../access/bucket-access';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/** New buckets have BucketOwnerEnforced written at creation; a bucket without a document answers OwnershipControlsNotFoundError. */
export const getBucketOwnershipControls: Handler<'GetBucketOwnershipControls'> = async (ep, req, deps) => {
  const access = await loadBucketAccess(ep.bucket, deps, req.ctx);
  if (!access.hasOwnershipControls) throw new S3Error('OwnershipControlsNotFoundError', undefined, { BucketName: ep.bucket });
  return xmlResponse(buildOwnershipControls(access.ownership));
};
