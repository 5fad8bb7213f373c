import type { BucketConfigKind, CallCtx, Owner } from '@massive/contracts';
import type { Grant, ObjectOwnership, PublicAccessBlockConfiguration } from '@massive/s3-protocol';
import type { S3ApiDeps } from '../types';
import { decodeAcl, decodeOwnership, decodePublicAccessBlock } from './stored-documents';

/**
 * A bucket's access settings, read in one metadata call (one snapshot). Defaults as AWS's for a bucket
 * without the document: no ownership controls means ObjectWriter (ACLs on; new buckets get
 * BucketOwnerEnforced written at creation, as AWS since 2023), no Block Public Access, a private ACL.
 */
export interface BucketAccess {
  readonly owner: Owner;
  readonly ownership: ObjectOwnership;
  /** Whether the bucket has an ownership controls document at all (GetBucketOwnershipControls). */
  readonly hasOwnershipControls: boolean;
  readonly publicAccessBlock?: PublicAccessBlockConfiguration;
  /** The bucket's grants (owner FULL_CONTROL when none was stored). */
  readonly grants: readonly Grant[];
}

export const ACCESS_KINDS: readonly BucketConfigKind[] = ['acl', 'ownershipControls', 'publicAccessBlock'];

export async function loadBucketAccess(bucket: string, deps: Pick<S3ApiDeps, 'metadata'>, ctx: CallCtx): Promise<BucketAccess> {
  const { bucket: b, documents } = await deps.metadata.getBucketConfig({ bucket, kinds: ACCESS_KINDS }, ctx);
  const ownershipDoc = documents.ownershipControls;
  const pabDoc = documents.publicAccessBlock;
  return {
    owner: b.owner,
    ownership: ownershipDoc !== undefined ? decodeOwnership(ownershipDoc) : 'ObjectWriter',
    hasOwnershipControls: ownershipDoc !== undefined,
    ...(pabDoc !== undefined && { publicAccessBlock: decodePublicAccessBlock(pabDoc) }),
    grants: documents.acl !== undefined ? decodeAcl(documents.acl) : ownerGrants(b.owner.id),
  };
}

export function ownerGrants(ownerId: string): Grant[] {
  return [{ grantee: { type: 'CanonicalUser', id: ownerId }, permission: 'FULL_CONTROL' }];
}

/** ACLs count for access only when ownership controls allow them (not BucketOwnerEnforced). */
export function aclsEnabled(a: BucketAccess): boolean {
  return a.ownership !== 'BucketOwnerEnforced';
}

/** Grants to AllUsers / AuthenticatedUsers are ignored for access with IgnorePublicAcls. */
export function publicAclsIgnored(a: BucketAccess): boolean {
  return a.publicAccessBlock?.IgnorePublicAcls === true;
}
