import { buildVersioningConfiguration } from '@massive/s3-protocol';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/** A bucket whose versioning was never set answers an empty VersioningConfiguration (no Status), as S3. */
export const getBucketVersioning: Handler<'GetBucketVersioning'> = async (ep, req, deps) => {
  const bucket = await deps.metadata.getBucket({ name: ep.bucket }, req.ctx);
  return xmlResponse(buildVersioningConfiguration(bucket.versioning ? { Status: bucket.versioning } : {}));
};
