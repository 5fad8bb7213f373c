import { checkGrantees, dedupeGrants, isBlankBody, parseAccessControlPolicy, S3Error, type Grant } from '@massive/s3-protocol';
import { requestedGrants } from '../../access/request-acl';
import { readSmallBody } from '../../http/small-body';
import { ANY_ID, checkGranteeKeys } from '../../access/grantee-keys';
import type { S3ApiDeps, S3Request } from '../../types';

/** An AccessControlPolicy of 100 grants (AWS's limit) with room to spare. */
const MAX_ACL_XML = 64 * 1024;

/**
 * Put*Acl's new grants, from the headers (`x-amz-acl` / `x-amz-grant-*`) or the AccessControlPolicy
 * body, never both (UnexpectedContent); neither is MissingSecurityHeader, as AWS answers. The body's
 * Owner must be the resource's owner.
 */
export async function grantsOfPutAcl(req: S3Request, target: 'bucket' | 'object', ownerId: string, bucketOwnerId: string, deps: S3ApiDeps): Promise<Grant[]> {
  const fromHeaders = requestedGrants(req.headers, target, ownerId, bucketOwnerId, ANY_ID);
  const body = await readSmallBody(req, MAX_ACL_XML);
  const blank = isBlankBody(body);
  if (fromHeaders !== undefined) {
    if (!blank) throw new S3Error('UnexpectedContent', 'This request does not support content');
    await checkGranteeKeys(fromHeaders, [ownerId, bucketOwnerId], deps, req.ctx);
    return fromHeaders;
  }
  if (blank) throw new S3Error('MissingSecurityHeader', 'Your request was missing a required header', { MissingHeaderName: 'x-amz-acl' });
  const policy = parseAccessControlPolicy(body);
  if (policy.Owner.ID !== ownerId) throw new S3Error('AccessDenied');
  if (policy.Grants.length > 100) throw new S3Error('MalformedACLError', 'An ACL may hold at most 100 grants.');
  checkGrantees(policy.Grants, ANY_ID);
  await checkGranteeKeys(policy.Grants, [ownerId, bucketOwnerId], deps, req.ctx);
  return dedupeGrants(policy.Grants);
}
