import { buildAccessControlPolicy } from '@massive/s3-protocol';
import { aclsEnabled, loadBucketAccess, ownerGrants } from '../../access/bucket-access';
import { decodeAcl } from '../../access/stored-documents';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/**
 * One version's ACL (`versionId`, else the latest). Objects are owned by the bucket's owner (one
 * account today). With BucketOwnerEnforced only the owner's FULL_CONTROL, whatever was stored.
 */
export const getObjectAcl: Handler<'GetObjectAcl'> = async (ep, req, deps) => {
  const versionId = req.query.get('versionId') ?? undefined;
  const access = req.bucketAccess ?? (await loadBucketAccess(ep.bucket, deps, req.ctx));
  const v = await deps.metadata.getObject({ bucket: ep.bucket, key: ep.key, versionId, withoutData: true }, req.ctx);
  req.checkObjectAcl?.(v.headers.acl);
  const owner = access.owner;
  const grants = aclsEnabled(access) && v.headers.acl !== undefined ? decodeAcl(v.headers.acl) : ownerGrants(owner.id);
  const headers = versionId !== undefined && v.s3VersionId !== undefined ? { 'x-amz-version-id': v.s3VersionId } : undefined;
  return xmlResponse(buildAccessControlPolicy({ Owner: { ID: owner.id, DisplayName: owner.displayName }, Grants: grants }), 200, headers);
};
