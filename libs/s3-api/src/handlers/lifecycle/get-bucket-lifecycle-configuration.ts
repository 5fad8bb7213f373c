import { decodeLifecycleConfiguration } from '@massive/contracts';
import { buildLifecycleConfiguration, S3Error } from '@massive/s3-protocol';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/** GetBucketLifecycleConfiguration: the stored rules as XML; none is 404 NoSuchLifecycleConfiguration. */
export const getBucketLifecycleConfiguration: Handler<'GetBucketLifecycleConfiguration'> = async (ep, req, deps) => {
  const { documents } = await deps.metadata.getBucketConfig({ bucket: ep.bucket, kinds: ['lifecycle'] }, req.ctx);
  const doc = documents.lifecycle;
  if (doc === undefined) throw new S3Error('NoSuchLifecycleConfiguration', undefined, { BucketName: ep.bucket });
  return xmlResponse(buildLifecycleConfiguration(decodeLifecycleConfiguration(doc)));
};
