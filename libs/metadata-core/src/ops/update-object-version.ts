import { ServiceError, type CallCtx, type ObjectHeaders, type ObjectLock, type UpdateObjectVersionReq } from '@massive/contracts';
import { objectKey, versionKey } from '../keys/keys';
import { codecs, type BucketRecord, type VersionRecord } from '../model/records';
import { loadBucket, loadVersion, lockBucketGuard, type LoadedVersion } from './common';
import { objectWriterName, type OpDeps } from './deps';
import { withLegalHold, withRetention } from './object-lock';
import { findVersion, loadKeyState, newestVersions, s3VersionIdOf } from './key-versions';
import { checkVersionId, NULL_VERSION_ID } from './version-id';

/**
 * PutObjectTagging / DeleteObjectTagging / PutObjectAcl / PutObjectRetention / PutObjectLegalHold: rewrites
 * one version's record with new tags, ACL or Object Lock state (checked against the stored one, here in
 * the transaction: object-lock.ts), keeping its id, data and listing fields (S3 makes no new version for these). Resolves the version
 * as GetObject does (latest, or by S3 version id with `null` for the null version) and fails the same
 * way: NoSuchKey (a latest delete marker says so in the detail), NoSuchVersion, MethodNotAllowed for a
 * marker named by id. It writes the V key it read, so it conflicts with a concurrent delete of that
 * version, and takes the key's writer turn and the bucket's guard stripe like every writer of a key.
 */
export function updateObjectVersion(deps: OpDeps, req: UpdateObjectVersionReq, ctx: CallCtx): Promise<{ readonly s3VersionId?: string }> {
  if (req.versionId !== undefined) checkVersionId(req.versionId);
  return deps.txn.run(
    'UpdateObjectVersion',
    async (tx) => {
      const bucket = await loadBucket(tx, req.bucket);
      const state = await loadKeyState(tx, bucket, req.key);
      const noSuchKey = (detail?: Record<string, string>) =>
        new ServiceError('NoSuchKey', `The specified key does not exist: ${req.key}`, detail);
      let found: LoadedVersion | undefined;
      if (req.versionId === undefined) {
        if (state.current) found = await loadVersion(tx, bucket.id, req.key, state.current.versionId);
        else {
          const [latest] = bucket.versioning === 'Unversioned' ? [] : await newestVersions(tx, bucket.id, req.key, 1);
          throw latest?.deleteMarker ? noSuchKey({ deleteMarker: 'true', versionId: s3VersionIdOf(latest) }) : noSuchKey();
        }
      } else {
        const id = req.versionId === NULL_VERSION_ID ? state.nullId : req.versionId;
        found = id === undefined ? undefined : await findVersion(tx, bucket.id, req.key, id);
        if (!found) {
          if (bucket.versioning === 'Unversioned' && req.versionId === NULL_VERSION_ID) throw noSuchKey();
          throw new ServiceError('NoSuchVersion', `The specified version does not exist: ${req.versionId}`);
        }
        if (found.record.deleteMarker) {
          throw new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
            deleteMarker: 'true',
            versionId: s3VersionIdOf(found.record),
            lastModified: found.record.lastModified,
          });
        }
      }
      const old = found.record;
      const { tags: oldTags, acl: oldAcl, lock: oldLock, ...rest } = old.headers;
      const tags = req.tags === undefined ? oldTags : req.tags.length > 0 ? req.tags : undefined;
      const acl = req.acl ?? oldAcl;
      const lock = changesLock(req) ? nextLock(bucket, oldLock, req, deps.clock()) : oldLock;
      const headers: ObjectHeaders = { ...rest, ...(tags && { tags }), ...(acl !== undefined && { acl }), ...(lock && { lock }) };
      const updated: VersionRecord = { ...old, headers };
      lockBucketGuard(tx, bucket, req.key);
      tx.put(versionKey(bucket.id, req.key, old.versionId), codecs.version.encode(updated, found.inline));
      // Writers of a key always write O (keys.ts "Versions"): a racing version change of this key conflicts.
      if (state.current) tx.put(objectKey(bucket.id, req.key), codecs.object.encode(state.current));
      return bucket.versioning === 'Unversioned' ? {} : { s3VersionId: s3VersionIdOf(old) };
    },
    ctx,
    objectWriterName(req.bucket, req.key),
  );
}

function changesLock(req: UpdateObjectVersionReq): boolean {
  return req.retention !== undefined || req.legalHold !== undefined;
}

/** The version's lock state after PutObjectRetention / PutObjectLegalHold, on a bucket with Object Lock. */
function nextLock(bucket: BucketRecord, current: ObjectLock | undefined, req: UpdateObjectVersionReq, now: number): ObjectLock | undefined {
  if (!bucket.objectLock) throw new ServiceError('InvalidArgument', 'Bucket is missing Object Lock Configuration');
  let lock = current;
  if (req.retention !== undefined) lock = withRetention(lock, req.retention, now, req.bypassGovernance === true);
  if (req.legalHold !== undefined) lock = withLegalHold(lock, req.legalHold);
  return lock;
}
