import { ServiceError, type CallCtx, type GetObjectReq, type ObjectVersion } from '@massive/contracts';
import { loadBucket, loadObject, loadVersion, loadVersionRecord, toObjectVersion } from './common';
import type { OpDeps } from './deps';
import { findVersion, loadKeyState, loadLatestMarker, s3VersionIdOf } from './key-versions';
import { checkVersionId, NULL_VERSION_ID } from './version-id';

/**
 * GetObject/HeadObject, from one snapshot.
 * - Latest: O then V (two point reads however many versions the key has). Without O, a bucket whose
 *   versioning is set reads D: when the latest version is a delete marker, NoSuchKey says so (detail
 *   `deleteMarker`, `versionId`), as S3's `x-amz-delete-marker` does.
 * - By version id (`null` names the null version): V directly. NoSuchVersion when the key has no such
 *   version; MethodNotAllowed for a delete marker (detail `deleteMarker`, `versionId`, `lastModified`);
 *   InvalidArgument for a malformed id.
 * - `withoutData`: inline bytes are left out (kind `omitted`); on the latest path they are not even
 *   copied out of the record.
 */
export async function getObject(
  deps: OpDeps,
  req: GetObjectReq,
  ctx: CallCtx,
): Promise<ObjectVersion> {
  if (req.versionId !== undefined) checkVersionId(req.versionId);
  return deps.txn.read(
    'GetObject',
    async (s) => {
      const bucket = await loadBucket(s, req.bucket);
      const noSuchKey = (detail?: Record<string, string>) =>
        new ServiceError('NoSuchKey', `The specified key does not exist: ${req.key}`, detail);
      const noSuchVersion = () => new ServiceError('NoSuchVersion', `The specified version does not exist: ${req.versionId}`);

      if (req.versionId === undefined) {
        const current = await loadObject(s, bucket.id, req.key); // the latest needs O alone, never N
        if (current) {
          const v = req.withoutData
            ? { record: await loadVersionRecord(s, bucket.id, req.key, current.versionId), inline: undefined }
            : await loadVersion(s, bucket.id, req.key, current.versionId);
          return toObjectVersion(req.bucket, req.key, v, bucket.versioning);
        }
        if (bucket.versioning === 'Unversioned') throw noSuchKey();
        const marker = await loadLatestMarker(s, bucket.id, req.key);
        if (marker) throw noSuchKey({ deleteMarker: 'true', versionId: s3VersionIdOf(marker) });
        throw noSuchKey();
      }
      const id = req.versionId === NULL_VERSION_ID ? (await loadKeyState(s, bucket, req.key)).nullId : req.versionId;
      const found = id === undefined ? undefined : await findVersion(s, bucket.id, req.key, id);
      if (!found) {
        // A never-versioned bucket's key either has its (null) version or does not exist at all.
        if (bucket.versioning === 'Unversioned' && req.versionId === NULL_VERSION_ID) throw noSuchKey();
        throw noSuchVersion();
      }
      if (found.record.deleteMarker) {
        throw new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
          deleteMarker: 'true',
          versionId: s3VersionIdOf(found.record),
          lastModified: found.record.lastModified,
        });
      }
      return toObjectVersion(req.bucket, req.key, req.withoutData ? { record: found.record, inline: undefined } : found, bucket.versioning);
    },
    ctx,
  );
}
