import { buildCorsConfiguration, S3Error } from '@massive/s3-protocol';
import { decodeCorsDocument } from '../../http/cors-config';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/** GetBucketCors: the stored rules (always read fresh, never from the gateway's cache); none is 404 NoSuchCORSConfiguration. */
export const getBucketCors: Handler<'GetBucketCors'> = async (ep, req, deps) => {
  const { documents } = await deps.metadata.getBucketConfig({ bucket: ep.bucket, kinds: ['cors'] }, req.ctx);
  if (documents.cors === undefined) throw new S3Error('NoSuchCORSConfiguration');
  return xmlResponse(buildCorsConfiguration(decodeCorsDocument(documents.cors)));
};
