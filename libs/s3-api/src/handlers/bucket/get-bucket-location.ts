import { buildLocationConstraint } from '@massive/s3-protocol';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

export const getBucketLocation: Handler<'GetBucketLocation'> = async (ep, req, deps) => {
  const b = await deps.metadata.getBucket({ name: ep.bucket }, req.ctx);
  return xmlResponse(buildLocationConstraint({ LocationConstraint: b.region }));
};
