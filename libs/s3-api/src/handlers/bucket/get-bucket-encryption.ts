import { buildBucketEncryption, S3Error } from '@massive/s3-protocol';
import { decodeBucketEncryption } from '../../access/stored-documents';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/**
 * GetBucketEncryption: the stored default (always read fresh, never from the gateway's cache). A bucket
 * without one is ServerSideEncryptionConfigurationNotFoundError, as S3 answered before it gave every bucket
 * SSE-S3: here a bucket without a default really stores plaintext, so claiming AES256 would be false.
 */
export const getBucketEncryption: Handler<'GetBucketEncryption'> = async (ep, req, deps) => {
  const { documents } = await deps.metadata.getBucketConfig({ bucket: ep.bucket, kinds: ['encryption'] }, req.ctx);
  if (documents.encryption === undefined) throw new S3Error('ServerSideEncryptionConfigurationNotFoundError', undefined, { BucketName: ep.bucket });
  return xmlResponse(buildBucketEncryption(decodeBucketEncryption(documents.encryption)));
};
