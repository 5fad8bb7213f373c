import { parseBucketEncryption, S3Error } from '@massive/s3-protocol';
import { encodeBucketEncryption } from '../../access/stored-documents';
import { readSmallBody, requireIntegrityHeader, XML_BODY_LIMITS } from '../../http/small-body';
import type { Handler } from '../../types';

/**
 * PutBucketEncryption: SSE-S3 (AES256) as the bucket's default, stored as versioned JSON (not the XML). A
 * missing bucket is NoSuchBucket before the body is looked at (as S3: even an invalid one); a gateway
 * without master keys cannot encrypt, so it refuses to record a default it could not apply. Then the
 * body is checked as S3 checks it (integrity header required, parse errors in S3's order). This
 * gateway's writes see the new default at once, other gateways' within their cache TTL.
 */
export const putBucketEncryption: Handler<'PutBucketEncryption'> = async (ep, req, deps) => {
  await deps.metadata.getBucket({ name: ep.bucket }, req.ctx);
  if (!deps.sse) throw new S3Error('NotImplemented', 'Server-side encryption is not configured on this service (no master key)');
  requireIntegrityHeader(req);
  const config = parseBucketEncryption(await readSmallBody(req, XML_BODY_LIMITS.PutBucketEncryption));
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'encryption', document: encodeBucketEncryption(config) }, req.ctx);
  deps.writeDefaults?.invalidate(ep.bucket);
  return { status: 200 };
};
