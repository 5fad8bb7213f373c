import { parsePublicAccessBlock } from '@massive/s3-protocol';
import { encodePublicAccessBlock } from '../../access/stored-documents';
import { readSmallBody } from '../../http/small-body';
import type { Handler } from '../../types';

const MAX_XML = 16 * 1024;

/** Elements left out are false, as AWS stores them. Takes effect on the next request (nothing is cached). */
export const putPublicAccessBlock: Handler<'PutPublicAccessBlock'> = async (ep, req, deps) => {
  const config = parsePublicAccessBlock(await readSmallBody(req, MAX_XML));
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'publicAccessBlock', document: encodePublicAccessBlock(config) }, req.ctx);
  deps.bucketPolicies?.forget(ep.bucket); // RestrictPublicBuckets changes what a policy grants
  return { status: 200 };
};
