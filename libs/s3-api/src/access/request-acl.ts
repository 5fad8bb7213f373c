import type { IncomingHttpHeaders } from 'node:http';
import type { ObjectHeaders } from '@massive/contracts';
import {
  checkGrantees,
  dedupeGrants,
  expandCannedAcl,
  isOwnerOnly,
  isPublicAcl,
  parseCannedAcl,
  parseGrantHeaders,
  S3Error,
  type Grant,
} from '@massive/s3-protocol';
import { header } from '../http/object-headers';
import type { S3ApiDeps, S3Request } from '../types';
import { loadBucketAccess, type BucketAccess } from './bucket-access';
import { encodeAcl } from './stored-documents';
import { ANY_ID, checkGranteeKeys } from './grantee-keys';

/**
 * The ACL a request asks for with `x-amz-acl` or `x-amz-grant-*` (undefined: it asks for none). Canned
 * ACLs expand to AWS's grants; grant headers replace the ACL as given (the owner gets nothing implicit),
 * and grantees this service cannot honour are refused (see `checkGrantees`).
 */
export function requestedGrants(
  h: IncomingHttpHeaders,
  target: 'bucket' | 'object',
  ownerId: string,
  bucketOwnerId = ownerId,
  /** Canonical ids accepted besides the owners' (checked later, asynchronously: see `checkGranteeKeys`). */
  acceptId?: (id: string) => boolean,
): Grant[] | undefined {
  const cannedRaw = header(h, 'x-amz-acl');
  const granted = parseGrantHeaders((name) => header(h, name));
  if (cannedRaw !== undefined && granted !== undefined) {
    throw new S3Error('InvalidRequest', 'Specifying both Canned ACLs and Header Grants is not allowed');
  }
  if (cannedRaw !== undefined) return expandCannedAcl(parseCannedAcl(cannedRaw), target, ownerId, bucketOwnerId);
  if (granted === undefined) return undefined;
  checkGrantees(granted, acceptId ?? new Set([ownerId, bucketOwnerId]));
  return dedupeGrants(granted);
}

/**
 * Whether the bucket's settings let this ACL be set: with BucketOwnerEnforced only the owner's
 * FULL_CONTROL (`bucket-owner-full-control` or its XML form) is accepted (AccessControlListNotSupported);
 * with BlockPublicAcls a public ACL is AccessDenied.
 */
export function checkAclAllowed(grants: readonly Grant[], access: BucketAccess): void {
  if (access.ownership === 'BucketOwnerEnforced' && !isOwnerOnly(grants, access.owner.id)) throw new S3Error('AccessControlListNotSupported');
  if (access.publicAccessBlock?.BlockPublicAcls === true && isPublicAcl(grants)) throw new S3Error('AccessDenied');
}

/**
 * The ACL document an object write (PutObject, CopyObject, CreateMultipartUpload) stores with the new
 * version: undefined for private. A request without ACL headers costs nothing here (no metadata read).
 */
export async function objectAclForWrite(bucket: string, req: S3Request, deps: S3ApiDeps): Promise<string | undefined> {
  const first = requestedGrants(req.headers, 'object', req.owner.id, req.owner.id, ANY_ID);
  if (first === undefined) return undefined;
  const access = req.bucketAccess ?? (await loadBucketAccess(bucket, deps, req.ctx));
  // The bucket owner's grants (bucket-owner-read / -full-control) need the bucket's owner.
  const grants = access.owner.id === req.owner.id ? first : (requestedGrants(req.headers, 'object', req.owner.id, access.owner.id, ANY_ID) ?? first);
  await checkGranteeKeys(grants, [req.owner.id, access.owner.id], deps, req.ctx);
  checkAclAllowed(grants, access);
  return isOwnerOnly(grants, req.owner.id) ? undefined : encodeAcl(grants);
}

/** The headers with this ACL document (none: private), whatever ACL they carried before (a copy source's). */
export function withAcl(headers: ObjectHeaders, acl: string | undefined): ObjectHeaders {
  const { acl: _previous, ...rest } = headers;
  return acl === undefined ? rest : { ...rest, acl };
}
