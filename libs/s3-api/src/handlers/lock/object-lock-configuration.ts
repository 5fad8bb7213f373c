import { buildObjectLockConfiguration, parseObjectLockConfiguration, S3Error } from '@massive/s3-protocol';
import { decodeObjectLock, encodeObjectLock } from '../../access/stored-documents';
import { readSmallBody, requireIntegrityHeader, XML_BODY_LIMITS } from '../../http/small-body';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/**
 * PutObjectLockConfiguration: enables Object Lock (for good) and sets or removes the bucket's default
 * retention (a configuration without a Rule removes it; S3 has no Delete). Checked as S3 checks it:
 * the bucket's versioning first (409 InvalidBucketState unless Enabled; metadata decides, in the
 * transaction that enables it, so a racing PutBucketVersioning cannot slip between), then the integrity
 * header and the document. This gateway's writes see the new default at once, others' within their TTL.
 */
export const putObjectLockConfiguration: Handler<'PutObjectLockConfiguration'> = async (ep, req, deps) => {
  const bucket = await deps.metadata.getBucket({ name: ep.bucket }, req.ctx);
  if (!bucket.objectLock && bucket.versioning !== 'Enabled') {
    throw new S3Error('InvalidBucketState', "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration");
  }
  requireIntegrityHeader(req);
  const config = parseObjectLockConfiguration(await readSmallBody(req, XML_BODY_LIMITS.PutObjectLockConfiguration));
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'objectLock', document: encodeObjectLock(config) }, req.ctx);
  deps.writeDefaults?.invalidate(ep.bucket);
  return { status: 200 };
};

/**
 * GetObjectLockConfiguration: `ObjectLockEnabled` and the default retention, read fresh (never from the
 * gateway's cache); a bucket without Object Lock is 404 ObjectLockConfigurationNotFoundError.
 */
export const getObjectLockConfiguration: Handler<'GetObjectLockConfiguration'> = async (ep, req, deps) => {
  const { bucket, documents } = await deps.metadata.getBucketConfig({ bucket: ep.bucket, kinds: ['objectLock'] }, req.ctx);
  if (!bucket.objectLock) throw new S3Error('ObjectLockConfigurationNotFoundError', undefined, { BucketName: ep.bucket });
  return xmlResponse(buildObjectLockConfiguration(decodeObjectLock(documents.objectLock)));
};
