import { parseCorsConfiguration } from '@massive/s3-protocol';
import { encodeCorsDocument } from '../../http/cors-config';
import { readSmallBody, requireIntegrityHeader, XML_BODY_LIMITS } from '../../http/small-body';
import type { Handler } from '../../types';

/**
 * PutBucketCors: validated as S3 validates it, stored as canonical JSON (not the XML). S3 requires an
 * integrity header on this request (Content-MD5, or a flexible checksum as the SDKs now send).
 */
export const putBucketCors: Handler<'PutBucketCors'> = async (ep, req, deps) => {
  requireIntegrityHeader(req);
  const rules = parseCorsConfiguration(await readSmallBody(req, XML_BODY_LIMITS.PutBucketCors));
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'cors', document: encodeCorsDocument(rules) }, req.ctx);
  deps.corsRules?.invalidate(ep.bucket);
  return { status: 200 };
};
