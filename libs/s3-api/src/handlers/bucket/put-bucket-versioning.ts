import { parseVersioningConfiguration, S3Error } from '@massive/s3-protocol';
import { readSmallBody } from '../../http/small-body';
import type { Handler } from '../../types';

const MAX_VERSIONING_XML = 64 * 1024;

/**
 * PutBucketVersioning: Enabled or Suspended; there is no way back to unversioned. MFA Delete needs MFA
 * devices this service does not have: asking to enable it is refused, never silently ignored.
 */
export const putBucketVersioning: Handler<'PutBucketVersioning'> = async (ep, req, deps) => {
  const doc = parseVersioningConfiguration(await readSmallBody(req, MAX_VERSIONING_XML));
  if (doc.MfaDelete === 'Enabled') throw new S3Error('NotImplemented', 'MFA Delete is not supported by this service');
  await deps.metadata.putBucketVersioning({ bucket: ep.bucket, status: doc.Status }, req.ctx);
  return { status: 200 };
};
