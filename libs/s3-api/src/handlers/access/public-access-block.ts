import { buildPublicAccessBlock, parsePublicAccessBlock, S3Error } from '@massive/s3-protocol';
import { loadBucketAccess } from '../../access/bucket-access';
import { encodePublicAccessBlock } from '../../access/stored-documents';
import { readSmallBody } from '../../http/small-body';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

const MAX_XML = 16 * 1024;

export const getPublicAccessBlock: Handler<'GetPublicAccessBlock'> = async (ep, req, deps) => {
  const access = await loadBucketAccess(ep.bucket, deps, req.ctx);
  if (!access.publicAccessBlock) throw new S3Error('NoSuchPublicAccessBlockConfiguration', undefined, { BucketName: ep.bucket });
  return xmlResponse(buildPublicAccessBlock(access.publicAccessBlock));
};

/** Elements left out are false, as AWS stores them. Takes effect on the next request (no caching). */
export const putPublicAccessBlock: Handler<'PutPublicAccessBlock'> = async (ep, req, deps) => {
  const config = parsePublicAccessBlock(await readSmallBody(req, MAX_XML));
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'publicAccessBlock', document: encodePublicAccessBlock(config) }, req.ctx);
  return { status: 200 };
};

export const deletePublicAccessBlock: Handler<'DeletePublicAccessBlock'> = async (ep, req, deps) => {
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'publicAccessBlock' }, req.ctx);
  return { status: 204 };
};
