import { buildPublicAccessBlock, S3Error } from '@massive/s3-protocol';
import { loadBucketAccess } from '../../access/bucket-access';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

export const getPublicAccessBlock: Handler<'GetPublicAccessBlock'> = async (ep, req, deps) => {
  const access = await loadBucketAccess(ep.bucket, deps, req.ctx);
  if (!access.publicAccessBlock) throw new S3Error('NoSuchPublicAccessBlockConfiguration', undefined, { BucketName: ep.bucket });
  return xmlResponse(buildPublicAccessBlock(access.publicAccessBlock));
};
