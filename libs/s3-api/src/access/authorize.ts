import { isServiceError, type CallCtx } from '@massive/contracts';
import { ALL_USERS, groupHas, isS3Error, S3Error, type Endpoint, type EndpointName, type Permission } from '@massive/s3-protocol';
import type { Principal } from '../http/auth';
import type { S3ApiDeps } from '../types';
import { aclsEnabled, loadBucketAccess, publicAclsIgnored, type BucketAccess } from './bucket-access';
import { decodeAcl } from './stored-documents';
import { authorizeKey } from './authorize-key';

/**
 * What a request may do, decided once before its handler runs. The root key passes without any lookup;
 * another key's grants come from the gateway's key cache (authorize-key.ts), so the hot path pays no
 * metadata read either. Bucket policies (issue 13) add their checks here, as further steps.
 */
export interface Access {
  readonly anonymous: boolean;
  /** The bucket's access settings when the decision read them (so handlers need not read them again). */
  readonly bucket?: BucketAccess;
  /**
   * Where the decision depends on the object's own ACL (anonymous GetObject / HeadObject / GetObjectAcl):
   * throws AccessDenied unless the object's stored ACL grants what is needed.
   */
  readonly checkObjectAcl?: (acl: string | undefined) => void;
  /** Turns a handler's error into what this principal may see (NoSuchKey is AccessDenied without list rights). */
  readonly mapError: (e: unknown) => unknown;
}

const OWNER_ACCESS: Access = { anonymous: false, mapError: (e) => e };

/** Endpoints an anonymous principal may reach through ACL grants, and the bucket permission each needs. */
const ANONYMOUS_BUCKET_PERMISSION: Partial<Record<EndpointName, Permission>> = {
  ListObjects: 'READ',
  ListObjectsV2: 'READ',
  HeadBucket: 'READ',
  GetBucketAcl: 'READ_ACP',
  PutObject: 'WRITE',
  DeleteObject: 'WRITE',
  DeleteObjects: 'WRITE',
  CreateMultipartUpload: 'WRITE',
  UploadPart: 'WRITE',
  CompleteMultipartUpload: 'WRITE',
  AbortMultipartUpload: 'WRITE',
};

/** Endpoints decided by the object's ACL, and the object permission each needs. */
const ANONYMOUS_OBJECT_PERMISSION: Partial<Record<EndpointName, Permission>> = {
  GetObject: 'READ',
  HeadObject: 'READ',
  GetObjectAcl: 'READ_ACP',
};

export function authorize(principal: Principal, ep: Endpoint, deps: S3ApiDeps, ctx: CallCtx): Access | Promise<Access> {
  if (principal.kind === 'signed') return principal.scope ? authorizeKey({ ...principal, scope: principal.scope }, ep, deps, ctx) : OWNER_ACCESS;
  return authorizeAnonymous(ep, deps, ctx);
}

/**
 * An unsigned request: allowed only where the bucket's ownership controls let ACLs count, Block Public
 * Access does not ignore public ACLs, and an ACL grants AllUsers the permission. Costs one metadata read
 * (the bucket's acl, ownershipControls and publicAccessBlock documents). Everything else is AccessDenied,
 * the same answer as before ACLs existed. (AuthenticatedUsers grants never reach an anonymous request.)
 */
async function authorizeAnonymous(ep: Endpoint, deps: S3ApiDeps, ctx: CallCtx): Promise<Access> {
  const bucketPermission = ANONYMOUS_BUCKET_PERMISSION[ep.name];
  const objectPermission = ANONYMOUS_OBJECT_PERMISSION[ep.name];
  if ((bucketPermission === undefined && objectPermission === undefined) || !('bucket' in ep)) throw new S3Error('AccessDenied');
  const access = await loadBucketAccess(ep.bucket, deps, ctx);
  const aclsCount = aclsEnabled(access) && !publicAclsIgnored(access);
  if (!aclsCount) throw new S3Error('AccessDenied');
  if (bucketPermission !== undefined && !groupHas(access.grants, ALL_USERS, bucketPermission)) throw new S3Error('AccessDenied');
  const canList = groupHas(access.grants, ALL_USERS, 'READ');
  const mapError = (e: unknown): unknown => (!canList && isMissing(e) ? new S3Error('AccessDenied') : e);
  if (objectPermission === undefined) return { anonymous: true, bucket: access, mapError };
  return {
    anonymous: true,
    bucket: access,
    mapError,
    checkObjectAcl: (acl) => {
      if (acl === undefined || !groupHas(decodeAcl(acl), ALL_USERS, objectPermission)) throw new S3Error('AccessDenied');
    },
  };
}

function isMissing(e: unknown): boolean {
  return isServiceError(e, 'NoSuchKey') || isServiceError(e, 'NoSuchVersion') || isS3Error(e, 'NoSuchKey') || isS3Error(e, 'NoSuchVersion');
}
