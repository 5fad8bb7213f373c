import { buildAccessControlPolicy } from '@massive/s3-protocol';
import { aclsEnabled, loadBucketAccess, ownerGrants } from '../../access/bucket-access';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/** The owner and the bucket's grants; with BucketOwnerEnforced (ACLs disabled) only the owner's FULL_CONTROL. */
export const getBucketAcl: Handler<'GetBucketAcl'> = async (ep, req, deps) => {
  const access = req.bucketAccess ?? (await loadBucketAccess(ep.bucket, deps, req.ctx));
  const grants = aclsEnabled(access) ? access.grants : ownerGrants(access.owner.id);
  return xmlResponse(buildAccessControlPolicy({ Owner: { ID: access.owner.id, DisplayName: access.owner.displayName }, Grants: grants }));
};
