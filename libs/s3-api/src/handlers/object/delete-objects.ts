import { isErrorCode } from '@massive/contracts';
import { buildDeleteResult, parseDelete } from '@massive/s3-protocol';
import { SERVICE_TO_S3 } from '../../errors/to-s3-error';
import { readSmallBody, XML_BODY_LIMITS } from '../../http/small-body';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

export const deleteObjects: Handler<'DeleteObjects'> = async (ep, req, deps) => {
  const xml = await readSmallBody(req, XML_BODY_LIMITS.DeleteObjects);
  const doc = parseDelete(xml);
  const objects = doc.Object.map((o) => ({ key: o.Key, ...(o.VersionId !== undefined && { versionId: o.VersionId }) }));
  const res = await deps.metadata.deleteObjects({ bucket: ep.bucket, objects }, req.ctx);
  return xmlResponse(
    buildDeleteResult({
      Quiet: doc.Quiet,
      Deleted: res.results
        .filter((r) => !r.error)
        .map((r) => ({
          Key: r.key,
          ...(r.versionId !== undefined && { VersionId: r.versionId }),
          ...(r.deleteMarker && { DeleteMarker: true }),
          ...(r.deleteMarkerVersionId !== undefined && { DeleteMarkerVersionId: r.deleteMarkerVersionId }),
        })),
      Error: res.results.flatMap((r) => {
        if (!r.error) return [];
        // Domain codes are S3 names where they reach a client (a bad version id is InvalidArgument).
        const Code = isErrorCode(r.error.code) ? SERVICE_TO_S3[r.error.code] : 'InternalError';
        return [{ Key: r.key, ...(r.versionId !== undefined && { VersionId: r.versionId }), Code, Message: r.error.message }];
      }),
    }),
  );
};
