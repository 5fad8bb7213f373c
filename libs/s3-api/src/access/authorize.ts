import { isServiceError, type CallCtx, type Owner } from '@massive/contracts';
import { ALL_USERS, groupHas, isS3Error, S3Error, type Endpoint, type EndpointName, type Permission, type PolicyDecision } from '@massive/s3-protocol';
import type { Principal } from '../http/auth';
import type { S3ApiDeps } from '../types';
import { aclsEnabled, loadBucketAccess, publicAclsIgnored, type BucketAccess } from './bucket-access';
import { decodeAcl } from './stored-documents';
import { bucketPolicyStep, type PolicyStep } from './bucket-policy-step';
import type { LockRequestValues, RequestFacts } from './policy-context';
import { authorizeKey } from './authorize-key';

/**
 * What a request may do, decided once before its handler runs. First the bucket policy
 * (`bucketPolicyStep`: answered synchronously from the gateway's cache for a bucket without a policy):
 * an explicit Deny is AccessDenied for every principal, the owner too; an explicit Allow lets a key in.
 * Otherwise the root key passes without any lookup, and another key's grants come from the gateway's
 * key cache (authorize-key.ts), so the hot path pays no metadata read either way.
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
  /** The bucket policy's decision for this request, when the bucket has a policy ('deny' never gets here). */
  readonly policy?: PolicyDecision;
  /** DeleteObjects: whether one key (version) may not be deleted (the policy denies it, or nothing allows it). */
  readonly keyDenied?: (key: string, versionId: string | undefined) => boolean;
  /** PostObject: whether the bucket policy denies this signer writing this key. */
  readonly postKeyDenied?: (owner: Owner, key: string, signatureVersion?: 'AWS') => boolean;
  /** The bucket policy's decision on s3:BypassGovernanceRetention for a key (buckets with a policy only). */
  readonly bypassPolicy?: (key: string) => PolicyDecision;
  /** The bucket policy's decision once a retention or legal hold body is read (buckets with a policy only). */
  readonly lockPolicy?: (values: LockRequestValues) => PolicyDecision | Promise<PolicyDecision>;
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
  PutObjectAcl: 'WRITE_ACP',
};

export function authorize(principal: Principal, ep: Endpoint, deps: S3ApiDeps, ctx: CallCtx, facts?: RequestFacts): Access | Promise<Access> {
  if (principal.kind === 'signed') {
    const grants = (): Access | Promise<Access> =>
      principal.scope ? authorizeKey({ ...principal, scope: principal.scope }, ep, deps, ctx) : OWNER_ACCESS;
    // Bucket policy (issue 13): synchronous when the bucket is known to have none.
    const step = facts ? bucketPolicyStep(principal, ep, deps, ctx, facts) : undefined;
    if (step === undefined) return grants();
    return signedWithPolicy(step, grants);
  }
  return authorizeAnonymous(principal, ep, deps, ctx, facts);
}

/**
 * A signed request to a bucket with a policy: an explicit Deny is AccessDenied, for the owner too; an
 * explicit Allow lets the key in without a grant; no statement leaves it to the key's grants (or ACLs).
 */
async function signedWithPolicy(pending: Promise<PolicyStep | undefined>, grants: () => Access | Promise<Access>): Promise<Access> {
  const step = await pending;
  if (!step) return grants();
  if (step.decision === 'deny') throw new S3Error('AccessDenied');
  const base = step.decision === 'allow' ? OWNER_ACCESS : await grants();
  const keyDenied = step.forKey ? (key: string, v: string | undefined) => step.forKey!(key, v) === 'deny' : undefined;
  const postKeyDenied = step.forPostKey ? (owner: Owner, key: string, signatureVersion?: 'AWS') => step.forPostKey!(owner, key, signatureVersion) === 'deny' : undefined;
  return {
    ...base,
    policy: step.decision,
    ...(keyDenied && { keyDenied }),
    ...(postKeyDenied && { postKeyDenied }),
    ...(step.forBypass && { bypassPolicy: step.forBypass }),
    ...(step.forLockBody && { lockPolicy: step.forLockBody }),
  };
}

/**
 * An unsigned request: allowed where the bucket policy allows it (and nothing denies it), or else only
 * where the bucket's ownership controls let ACLs count, Block Public
 * Access does not ignore public ACLs, and an ACL grants AllUsers the permission. Costs one metadata read
 * (the bucket's acl, ownershipControls and publicAccessBlock documents). Everything else is AccessDenied,
 * the same answer as before ACLs existed. (AuthenticatedUsers grants never reach an anonymous request.)
 */
async function authorizeAnonymous(principal: Principal, ep: Endpoint, deps: S3ApiDeps, ctx: CallCtx, facts: RequestFacts | undefined): Promise<Access> {
  // The bucket policy first (issue 13): a Deny ends it, an Allow lets the request through whatever the ACLs say.
  const step = facts ? await bucketPolicyStep(principal, ep, deps, ctx, facts) : undefined;
  if (step?.decision === 'deny') throw new S3Error('AccessDenied');
  if (step && 'bucket' in ep) {
    if (step.decision === 'allow') return anonymousByPolicy(ep.bucket, step, deps, ctx);
    if (step.forKey) return anonymousPerKey(ep.bucket, step, deps, ctx);
  }
  const bucketPermission = ANONYMOUS_BUCKET_PERMISSION[ep.name];
  const objectPermission = ANONYMOUS_OBJECT_PERMISSION[ep.name];
  if ((bucketPermission === undefined && objectPermission === undefined) || !('bucket' in ep)) throw new S3Error('AccessDenied');
  const access = await loadBucketAccess(ep.bucket, deps, ctx);
  const aclsCount = aclsEnabled(access) && !publicAclsIgnored(access);
  if (!aclsCount) throw new S3Error('AccessDenied');
  if (bucketPermission !== undefined && !groupHas(access.grants, ALL_USERS, bucketPermission)) throw new S3Error('AccessDenied');
  const canList = groupHas(access.grants, ALL_USERS, 'READ') || step?.canList() === true;
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

/** Anonymous and allowed by the policy: a missing key is NoSuchKey only if the policy or an ACL lets it list. */
async function anonymousByPolicy(bucket: string, step: PolicyStep, deps: S3ApiDeps, ctx: CallCtx): Promise<Access> {
  const access = await loadBucketAccess(bucket, deps, ctx);
  const canList = step.canList() || (aclsEnabled(access) && !publicAclsIgnored(access) && groupHas(access.grants, ALL_USERS, 'READ'));
  const mapError = (e: unknown): unknown => (!canList && isMissing(e) ? new S3Error('AccessDenied') : e);
  return {
    anonymous: true,
    bucket: access,
    mapError,
    policy: 'allow',
    ...(step.forBypass && { bypassPolicy: step.forBypass }),
    ...(step.forLockBody && { lockPolicy: step.forLockBody }),
  };
}

/** Anonymous DeleteObjects on a bucket with a policy: each key needs the policy's Allow or a public WRITE ACL. */
async function anonymousPerKey(bucket: string, step: PolicyStep, deps: S3ApiDeps, ctx: CallCtx): Promise<Access> {
  const access = await loadBucketAccess(bucket, deps, ctx);
  const aclWrite = aclsEnabled(access) && !publicAclsIgnored(access) && groupHas(access.grants, ALL_USERS, 'WRITE');
  const keyDenied = (key: string, v: string | undefined): boolean => {
    const d = step.forKey!(key, v);
    return d === 'deny' || (d === 'none' && !aclWrite);
  };
  return { anonymous: true, bucket: access, mapError: (e) => e, policy: 'none', keyDenied };
}

function isMissing(e: unknown): boolean {
  return isServiceError(e, 'NoSuchKey') || isServiceError(e, 'NoSuchVersion') || isS3Error(e, 'NoSuchKey') || isS3Error(e, 'NoSuchVersion');
}
