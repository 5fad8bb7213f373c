import { isServiceError } from '@massive/contracts';
import { buildBucketLogging, parseBucketLogging, S3Error } from '@massive/s3-protocol';
import { decodeLoggingDocument, encodeLoggingDocument } from '../../access-log/access-log';
import { readSmallBody, XML_BODY_LIMITS } from '../../http/small-body';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/**
 * PutBucketLogging: server access logging into a target bucket of the same owner (access-log/access-log.ts
 * delivers it), or off with an empty `<BucketLoggingStatus/>`. Checked as S3 checks it: the document, then
 * the target bucket (it must exist and have the same owner: 400 InvalidTargetBucketForLogging). Grants
 * on the log objects (TargetGrants) are not served (501): they belong to the target bucket's owner, who
 * is the source's. This gateway applies a change at once, others within their cache's few seconds.
 */
export const putBucketLogging: Handler<'PutBucketLogging'> = async (ep, req, deps) => {
  const source = await deps.metadata.getBucket({ name: ep.bucket }, req.ctx);
  const config = parseBucketLogging(await readSmallBody(req, XML_BODY_LIMITS.PutBucketLogging));
  if (config === undefined) {
    await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'logging' }, req.ctx);
  } else {
    if (config.hasTargetGrants) throw new S3Error('NotImplemented', 'TargetGrants are not supported by this service: log objects belong to the target bucket\'s owner.');
    let target;
    try {
      target = await deps.metadata.getBucket({ name: config.TargetBucket }, req.ctx);
    } catch (err) {
      if (isServiceError(err) && err.code === 'NoSuchBucket') throw new S3Error('InvalidTargetBucketForLogging', 'The target bucket for logging does not exist', { TargetBucket: config.TargetBucket });
      throw err;
    }
    if (target.owner.id !== source.owner.id) {
      throw new S3Error('InvalidTargetBucketForLogging', 'The owner for the bucket to be logged and the target bucket must be the same.', { TargetBucket: config.TargetBucket });
    }
    await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'logging', document: encodeLoggingDocument(config) }, req.ctx);
  }
  deps.accessLogs?.invalidate(ep.bucket);
  return { status: 200 };
};

/** GetBucketLogging: the stored configuration (read fresh), or an empty `<BucketLoggingStatus/>` when off. */
export const getBucketLogging: Handler<'GetBucketLogging'> = async (ep, req, deps) => {
  const { documents } = await deps.metadata.getBucketConfig({ bucket: ep.bucket, kinds: ['logging'] }, req.ctx);
  return xmlResponse(buildBucketLogging(documents.logging === undefined ? undefined : decodeLoggingDocument(documents.logging)));
};
