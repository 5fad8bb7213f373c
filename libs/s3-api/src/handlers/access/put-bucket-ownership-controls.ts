import { isOwnerOnly, parseOwnershipControls, S3Error } from '@massive/s3-protocol';
import { loadBucketAccess } from '../../access/bucket-access';
import { encodeOwnership } from '../../access/stored-documents';
import { readSmallBody } from '../../http/small-body';
import type { Handler } from '../../types';

const MAX_XML = 16 * 1024;

/**
 * BucketOwnerEnforced disables ACLs: AWS refuses it while the bucket's own ACL grants anyone but the owner
 * (InvalidBucketAclWithObjectOwnership); object ACLs simply stop counting.
 */
export const putBucketOwnershipControls: Handler<'PutBucketOwnershipControls'> = async (ep, req, deps) => {
  const ownership = parseOwnershipControls(await readSmallBody(req, MAX_XML));
  if (ownership === 'BucketOwnerEnforced') {
    const access = await loadBucketAccess(ep.bucket, deps, req.ctx);
    if (!isOwnerOnly(access.grants, access.owner.id)) throw new S3Error('InvalidBucketAclWithObjectOwnership');
  }
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'ownershipControls', document: encodeOwnership(ownership) }, req.ctx);
  return { status: 200 };
};
