import { parseCorsConfiguration, S3Error } from '@massive/s3-protocol';
import { encodeCorsDocument } from '../../http/cors-config';
import { header } from '../../http/object-headers';
import { readSmallBody, XML_BODY_LIMITS } from '../../http/small-body';
import type { Handler } from '../../types';

/**
 * PutBucketCors: validated as S3 validates it, stored as canonical JSON (not the XML). S3 requires an
 * integrity header on this request (Content-MD5, or a flexible checksum as the SDKs now send).
 */
export const putBucketCors: Handler<'PutBucketCors'> = async (ep, req, deps) => {
  const h = req.headers;
  const integrity =
    header(h, 'content-md5') !== undefined || Object.keys(h).some(isChecksumValueHeader) || req.body.trailerChecksum !== undefined;
  if (!integrity) throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5');
  const rules = parseCorsConfiguration(await readSmallBody(req, XML_BODY_LIMITS.PutBucketCors));
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'cors', document: encodeCorsDocument(rules) }, req.ctx);
  deps.corsRules?.invalidate(ep.bucket);
  return { status: 200 };
};

/** `x-amz-checksum-<algorithm>` carrying a value (not `x-amz-checksum-type` / `-algorithm` / `-mode`). */
function isChecksumValueHeader(name: string): boolean {
  return name.startsWith('x-amz-checksum-') && !['x-amz-checksum-type', 'x-amz-checksum-algorithm', 'x-amz-checksum-mode'].includes(name);
}
