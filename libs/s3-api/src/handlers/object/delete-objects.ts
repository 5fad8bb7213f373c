import { isErrorCode, type DeleteObjectsRes, type ObjectIdentifier } from '@massive/contracts';
import { buildDeleteResultPieces, parseDelete, S3_ERRORS } from '@massive/s3-protocol';
import { SERVICE_TO_S3 } from '../../errors/to-s3-error';
import { entryConditions } from '../../http/delete-conditions';
import { checkBypassApplies, mayBypass } from '../../http/object-lock';
import { readSmallBody, XML_BODY_LIMITS } from '../../http/small-body';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

type Result = DeleteObjectsRes['results'][number];

/** S3 codes this handler itself puts on an entry (not domain codes from metadata). */
const PASSED_THROUGH: ReadonlySet<string> = new Set(['NotImplemented', 'AccessDenied']);

/**
 * DeleteObjects. An entry's `<ETag>`, `<LastModifiedTime>` and `<Size>` are its conditional delete,
 * checked in that entry's transaction (a failed one is an `<Error>` PreconditionFailed, the others go on);
 * with a `<VersionId>` they are refused for that entry (NotImplemented), as DeleteObject refuses them.
 * A version under Object Lock is that entry's AccessDenied (metadata refuses it in the entry's transaction).
 */
export const deleteObjects: Handler<'DeleteObjects'> = async (ep, req, deps) => {
  const xml = await readSmallBody(req, XML_BODY_LIMITS.DeleteObjects);
  const doc = parseDelete(xml);
  await checkBypassApplies(req.headers, ep.bucket, deps, req.ctx);
  // Per entry, before any deletes: conditions with a version id are refused (NotImplemented), and a
  // bucket policy decides per key (s3:DeleteObject / s3:DeleteObjectVersion): denied keys are AccessDenied.
  const entries = doc.Object.map((o): ObjectIdentifier & { refusal?: 'NotImplemented' | 'AccessDenied' } => {
    const conditions = entryConditions(o);
    const versionId = o.VersionId;
    const refusal =
      conditions && versionId !== undefined ? ('NotImplemented' as const) : req.keyDenied?.(o.Key, versionId) ? ('AccessDenied' as const) : undefined;
    return {
      key: o.Key,
      ...(versionId !== undefined && { versionId }),
      ...(conditions && { conditions }),
      ...(refusal && { refusal }),
      // Object Lock: versions under GOVERNANCE retention go only where this key may bypass it.
      ...(mayBypass(req, ep.bucket, o.Key) && { bypassGovernance: true }),
    };
  });
  const objects = entries.filter((e) => !e.refusal).map(({ refusal: _r, ...o }) => o);
  if (objects.length === 0) await deps.metadata.getBucket({ name: ep.bucket }, req.ctx); // a missing bucket fails the whole request
  const done = objects.length > 0 ? (await deps.metadata.deleteObjects({ bucket: ep.bucket, objects }, req.ctx)).results : [];
  let next = 0;
  const results = entries.map((e): Result =>
    e.refusal
      ? { key: e.key, ...(e.versionId !== undefined && { versionId: e.versionId }), error: { code: e.refusal, message: S3_ERRORS[e.refusal].message } }
      : done[next++],
  );
  const res = { results };
  return xmlResponse(
    buildDeleteResultPieces({
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
        const Code = isErrorCode(r.error.code) ? SERVICE_TO_S3[r.error.code] : PASSED_THROUGH.has(r.error.code) ? r.error.code : 'InternalError';
        return [{ Key: r.key, ...(r.versionId !== undefined && { VersionId: r.versionId }), Code, Message: r.error.message }];
      }),
    }),
  );
};
