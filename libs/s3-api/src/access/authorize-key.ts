import type { IncomingHttpHeaders } from 'node:http';
import { isServiceError, type CallCtx } from '@massive/contracts';
import { ALL_USERS, AUTH_CLASS, AUTHENTICATED_USERS, isS3Error, S3Error, type Endpoint, type EndpointName, type Grant, type Permission } from '@massive/s3-protocol';
import type { Authenticated } from '../http/auth';
import { parseCopySource } from '../http/copy-source';
import { header } from '../http/object-headers';
import type { KeyScope, S3ApiDeps } from '../types';
import type { Access } from './authorize';
import { aclsEnabled, loadBucketAccess, publicAclsIgnored } from './bucket-access';
import { decodeAcl } from './stored-documents';

/**
 * A non-root key (Garage's model): each endpoint's auth class (read / write / owner, endpoints.ts) must be
 * among the key's permissions on the bucket, from the gateway's key cache: no metadata read on the hot
 * path. Where the grant falls short, ACLs may still allow (where the bucket's ownership controls let ACLs
 * count): a grant to the key's canonical id, to AuthenticatedUsers or to AllUsers (those two unless
 * IgnorePublicAcls), as AWS evaluates them. Anything else is AccessDenied.
 */
const KEY_ACCESS: Access = { anonymous: false, mapError: (e) => e };

/** Endpoints a bucket ACL can open to a key, and the permission each needs. */
const BUCKET_ACL_PERMISSION: Partial<Record<EndpointName, Permission>> = {
  ListObjects: 'READ',
  ListObjectsV2: 'READ',
  ListObjectVersions: 'READ',
  ListMultipartUploads: 'READ',
  HeadBucket: 'READ',
  GetBucketAcl: 'READ_ACP',
  PutBucketAcl: 'WRITE_ACP',
  PutObject: 'WRITE',
  CopyObject: 'WRITE',
  PostObject: 'WRITE',
  DeleteObject: 'WRITE',
  DeleteObjects: 'WRITE',
  CreateMultipartUpload: 'WRITE',
  UploadPart: 'WRITE',
  UploadPartCopy: 'WRITE',
  CompleteMultipartUpload: 'WRITE',
  AbortMultipartUpload: 'WRITE',
  ListParts: 'WRITE',
};

/** Endpoints an object ACL can open to a key, and the permission each needs. */
const OBJECT_ACL_PERMISSION: Partial<Record<EndpointName, Permission>> = {
  GetObject: 'READ',
  HeadObject: 'READ',
  GetObjectAcl: 'READ_ACP',
  PutObjectAcl: 'WRITE_ACP',
};

export function authorizeKey(principal: Authenticated & { scope: KeyScope }, ep: Endpoint, deps: S3ApiDeps, ctx: CallCtx): Access | Promise<Access> {
  // ListBuckets shows the key its buckets (the handler filters); any key may create a bucket, and owns it.
  if (!('bucket' in ep) || ep.name === 'CreateBucket') return KEY_ACCESS;
  const need = AUTH_CLASS[ep.name];
  if (principal.scope.permissions(ep.bucket)[need]) return KEY_ACCESS;
  return authorizeKeySlow(principal, ep, need, deps, ctx);
}

async function authorizeKeySlow(
  principal: Authenticated & { scope: KeyScope },
  ep: Endpoint & { bucket: string },
  need: 'read' | 'write' | 'owner',
  deps: S3ApiDeps,
  ctx: CallCtx,
): Promise<Access> {
  // A grant made a moment ago (through another gateway) counts at once.
  const fresh = await principal.scope.refresh(ctx);
  if (!fresh) throw new S3Error('InvalidAccessKeyId');
  if (fresh.permissions(ep.bucket)[need]) return KEY_ACCESS;
  return authorizeKeyByAcl(principal, ep, deps, ctx);
}

/** Whether a grant gives `permission` to this key (its canonical id, or a group it belongs to). */
function keyHas(grants: readonly Grant[], canonicalId: string, publicCounts: boolean, permission: Permission): boolean {
  return grants.some((g) => {
    if (g.permission !== permission && g.permission !== 'FULL_CONTROL') return false;
    if (g.grantee.type === 'CanonicalUser') return g.grantee.id === canonicalId;
    return publicCounts && g.grantee.type === 'Group' && (g.grantee.uri === AUTHENTICATED_USERS || g.grantee.uri === ALL_USERS);
  });
}

async function authorizeKeyByAcl(principal: Authenticated, ep: Endpoint & { bucket: string }, deps: S3ApiDeps, ctx: CallCtx): Promise<Access> {
  const bucketPermission = BUCKET_ACL_PERMISSION[ep.name];
  const objectPermission = OBJECT_ACL_PERMISSION[ep.name];
  if (bucketPermission === undefined && objectPermission === undefined) throw new S3Error('AccessDenied');
  const access = await loadBucketAccess(ep.bucket, deps, ctx);
  if (!aclsEnabled(access)) throw new S3Error('AccessDenied');
  const id = principal.owner.id;
  const publicCounts = !publicAclsIgnored(access);
  if (bucketPermission !== undefined && !keyHas(access.grants, id, publicCounts, bucketPermission)) throw new S3Error('AccessDenied');
  const canList = keyHas(access.grants, id, publicCounts, 'READ');
  const mapError = (e: unknown): unknown => (!canList && isMissing(e) ? new S3Error('AccessDenied') : e);
  if (objectPermission === undefined) return { anonymous: false, bucket: access, mapError };
  return {
    anonymous: false,
    bucket: access,
    mapError,
    checkObjectAcl: (acl) => {
      // No stored ACL: the object owner's FULL_CONTROL only (the owner, when it is this key, holds a grant).
      if (acl === undefined || !keyHas(decodeAcl(acl), id, publicCounts, objectPermission)) throw new S3Error('AccessDenied');
    },
  };
}

/**
 * CopyObject / UploadPartCopy also read their source: a non-root key needs read on the source bucket
 * (grant), as it would to GET it. The root key and requests without a copy source pass.
 */
export function checkCopySourceGrant(principal: Authenticated, ep: Endpoint, headers: IncomingHttpHeaders, deps: S3ApiDeps): void {
  if (!principal.scope || (ep.name !== 'CopyObject' && ep.name !== 'UploadPartCopy')) return;
  const raw = header(headers, 'x-amz-copy-source');
  if (raw === undefined) return;
  const source = parseCopySource(raw, deps.config.maxKeyBytes);
  if (!principal.scope.permissions(source.bucket).read) throw new S3Error('AccessDenied');
}

function isMissing(e: unknown): boolean {
  return isServiceError(e, 'NoSuchKey') || isServiceError(e, 'NoSuchVersion') || isS3Error(e, 'NoSuchKey') || isS3Error(e, 'NoSuchVersion');
}
