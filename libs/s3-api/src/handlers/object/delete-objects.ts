import { isErrorCode } from '@massive/contracts';
import { buildDeleteResult, parseDelete } from '@massive/s3-protocol';
import { SERVICE_TO_S3 } from '../../errors/to-s3-error';
import { readSmallBody, XML_BODY_LIMITS } from '../../http/small-body';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

export const deleteObjects: Handler<'DeleteObjects'> = async (ep, req, deps) => {
  const xml = await readSmallBody(req, XML_BODY_LIMITS.DeleteObjects);
  const doc = parseDelete(xml);
  const all = doc.Object.map((o) => ({ key: o.Key, ...(o.VersionId !== undefined && { versionId: o.VersionId }) }));
  // A bucket policy decides per key (s3:DeleteObject / s3:DeleteObjectVersion): denied keys are AccessDenied entries.
  const denied = req.keyDenied ? all.filter((o) => req.keyDenied!(o.key, o.versionId)) : [];
  const objects = denied.length > 0 ? all.filter((o) => !denied.includes(o)) : all;
  const res = objects.length > 0 ? await deps.metadata.deleteObjects({ bucket: ep.bucket, objects }, req.ctx) : { results: [] };
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
      Error: [
        ...denied.map((o) => ({ Key: o.key, ...(o.versionId !== undefined && { VersionId: o.versionId }), Code: 'AccessDenied', Message: 'Access Denied' })),
        ...res.results.flatMap((r) => {
        if (!r.error) return [];
        // Domain codes are S3 names where they reach a client (a bad version id is InvalidArgument).
        const Code = isErrorCode(r.error.code) ? SERVICE_TO_S3[r.error.code] : 'InternalError';
        return [{ Key: r.key, ...(r.versionId !== undefined && { VersionId: r.versionId }), Code, Message: r.error.message }];
        }),
      ],
    }),
  );
};
