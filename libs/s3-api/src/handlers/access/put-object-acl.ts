import { loadBucketAccess } from '../../access/bucket-access';
import { checkAclAllowed } from '../../access/request-acl';
import { encodeAcl } from '../../access/stored-documents';
import type { Handler } from '../../types';
import { grantsOfPutAcl } from './acl-body';

/**
 * Replaces one version's ACL in place (`versionId`, else the latest; no new version, as S3), with the
 * same rules as PutBucketAcl. One metadata write (updateObjectVersion).
 */
export const putObjectAcl: Handler<'PutObjectAcl'> = async (ep, req, deps) => {
  const versionId = req.query.get('versionId') ?? undefined;
  // Allowed by the object's own ACL (WRITE_ACP) rather than a grant: check the version's ACL first.
  if (req.checkObjectAcl) {
    const current = await deps.metadata.getObject({ bucket: ep.bucket, key: ep.key, ...(versionId !== undefined && { versionId }), withoutData: true }, req.ctx);
    req.checkObjectAcl(current.headers.acl);
  }
  const access = await loadBucketAccess(ep.bucket, deps, req.ctx);
  const grants = await grantsOfPutAcl(req, 'object', access.owner.id, access.owner.id, deps);
  checkAclAllowed(grants, access);
  const { s3VersionId } = await deps.metadata.updateObjectVersion(
    { bucket: ep.bucket, key: ep.key, ...(versionId !== undefined && { versionId }), acl: encodeAcl(grants) },
    req.ctx,
  );
  return { status: 200, headers: { 'x-amz-version-id': s3VersionId } };
};
