import type { IncomingHttpHeaders } from 'node:http';
import type { BucketConfigKind, Owner } from '@massive/contracts';
import { isObjectOwnership, isOwnerOnly, isPublicAcl, S3Error, type Grant, type ObjectOwnership } from '@massive/s3-protocol';
import { header } from '../http/object-headers';
import { ANY_ID } from './grantee-keys';
import { requestedGrants } from './request-acl';
import { encodeAcl, encodeOwnership, encodePublicAccessBlock } from './stored-documents';

/** AWS's settings for a new bucket since April 2023: ACLs disabled, every Block Public Access flag on. */
export const NEW_BUCKET_PUBLIC_ACCESS_BLOCK = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

export interface NewBucketAccess {
  readonly documents: readonly { readonly kind: BucketConfigKind; readonly document: string }[];
  /** The ACL asked for, when it is not the owner's alone: its other canonical ids must name keys (`checkGranteeKeys`). */
  readonly grants?: readonly Grant[];
}

/**
 * CreateBucket's `x-amz-object-ownership` (default BucketOwnerEnforced) and ACL headers, checked before
 * the bucket exists: an ACL other than the owner's with ACLs disabled is InvalidBucketAclWithObjectOwnership;
 * a public one is InvalidBucketAclWithBlockPublicAccessError (a new bucket blocks public ACLs; lift the block,
 * then PutBucketAcl, as AWS requires).
 */
export function newBucketAccess(h: IncomingHttpHeaders, owner: Owner): NewBucketAccess {
  const raw = header(h, 'x-amz-object-ownership');
  if (raw !== undefined && !isObjectOwnership(raw.trim())) {
    throw new S3Error('InvalidArgument', 'Invalid x-amz-object-ownership header', { ArgumentName: 'x-amz-object-ownership', ArgumentValue: raw });
  }
  const ownership: ObjectOwnership = raw !== undefined ? (raw.trim() as ObjectOwnership) : 'BucketOwnerEnforced';
  const grants = requestedGrants(h, 'bucket', owner.id, owner.id, ANY_ID);
  const custom = grants !== undefined && !isOwnerOnly(grants, owner.id);
  if (custom && ownership === 'BucketOwnerEnforced') throw new S3Error('InvalidBucketAclWithObjectOwnership');
  if (custom && isPublicAcl(grants)) throw new S3Error('InvalidBucketAclWithBlockPublicAccessError');
  // Written with the bucket, in its CreateBucket transaction (a crash leaves all of them or no bucket).
  return {
    documents: [
      { kind: 'ownershipControls', document: encodeOwnership(ownership) },
      { kind: 'publicAccessBlock', document: encodePublicAccessBlock(NEW_BUCKET_PUBLIC_ACCESS_BLOCK) },
      ...(custom ? [{ kind: 'acl' as const, document: encodeAcl(grants) }] : []),
    ],
    ...(custom && { grants }),
  };
}
