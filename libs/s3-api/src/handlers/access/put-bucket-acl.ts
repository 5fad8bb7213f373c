import { isOwnerOnly } from '@massive/s3-protocol';
import { loadBucketAccess } from '../../access/bucket-access';
import { checkAclAllowed } from '../../access/request-acl';
import { encodeAcl } from '../../access/stored-documents';
import type { Handler } from '../../types';
import { grantsOfPutAcl } from './acl-body';

/**
 * Replaces the bucket's ACL (canned, grant headers or AccessControlPolicy body). With BucketOwnerEnforced
 * only the owner's FULL_CONTROL is accepted (AccessControlListNotSupported otherwise); with BlockPublicAcls a
 * public ACL is AccessDenied. One metadata write: the owner-only ACL is stored as no document.
 */
export const putBucketAcl: Handler<'PutBucketAcl'> = async (ep, req, deps) => {
  const access = await loadBucketAccess(ep.bucket, deps, req.ctx);
  const grants = await grantsOfPutAcl(req, 'bucket', access.owner.id, access.owner.id, deps);
  checkAclAllowed(grants, access);
  const document = isOwnerOnly(grants, access.owner.id) ? undefined : encodeAcl(grants);
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'acl', ...(document !== undefined && { document }) }, req.ctx);
  return { status: 200 };
};
