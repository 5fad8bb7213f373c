import { ServiceError, type CallCtx, type ObjectVersion } from '@massive/contracts';
import { loadBucket, loadObject, loadVersion, toObjectVersion } from './common';
import type { OpDeps } from './deps';
import { checkVersionId, NULL_VERSION_ID } from './version-id';

/**
 * GetObject/HeadObject: O then V from one snapshot. Buckets are unversioned, so `versionId` may be
 * 'null' or the current version's id; any other well-formed id is NoSuchVersion, a malformed one
 * InvalidArgument.
 */
export async function getObject(
  deps: OpDeps,
  req: { bucket: string; key: string; versionId?: string },
  ctx: CallCtx,
): Promise<ObjectVersion> {
  if (req.versionId !== undefined) checkVersionId(req.versionId);
  return deps.txn.read(
    'GetObject',
    async (s) => {
      const bucket = await loadBucket(s, req.bucket);
      const current = await loadObject(s, bucket.id, req.key);
      const wanted = req.versionId;
      const anyVersion = wanted === undefined || wanted === NULL_VERSION_ID;
      if (!current) {
        if (anyVersion) throw new ServiceError('NoSuchKey', `The specified key does not exist: ${req.key}`);
        throw new ServiceError('NoSuchVersion', `The specified version does not exist: ${wanted}`);
      }
      if (!anyVersion && wanted !== current.versionId) {
        throw new ServiceError('NoSuchVersion', `The specified version does not exist: ${wanted}`);
      }
      return toObjectVersion(req.bucket, req.key, await loadVersion(s, bucket.id, req.key, current.versionId));
    },
    ctx,
  );
}
