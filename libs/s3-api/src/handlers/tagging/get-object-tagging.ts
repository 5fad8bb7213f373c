import { buildTagging } from '@massive/s3-protocol';
import { versionIdHeader } from '../../http/object-headers';
import { fromObjectTags } from '../../http/tagging';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/** GetObjectTagging: the version's tag set (empty TagSet when it has none), resolved as GetObject resolves it. */
export const getObjectTagging: Handler<'GetObjectTagging'> = async (ep, req, deps) => {
  const versionId = req.query.get('versionId') ?? undefined;
  const v = await deps.metadata.getObject({ bucket: ep.bucket, key: ep.key, versionId, withoutData: true }, req.ctx);
  return xmlResponse(buildTagging({ TagSet: fromObjectTags(v.headers.tags) }), 200, versionIdHeader(v));
};
