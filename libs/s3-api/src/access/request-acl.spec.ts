import { ALL_USERS, type Grant } from '@massive/s3-protocol';
import type { BucketAccess } from './bucket-access';
import { checkAclAllowed, requestedGrants, withAcl } from './request-acl';
import { decodeAcl, decodeOwnership, decodePublicAccessBlock, encodeAcl, encodeOwnership, encodePublicAccessBlock } from './stored-documents';

const OWNER = 'owner-id';
const ownerGrant: Grant = { grantee: { type: 'CanonicalUser', id: OWNER }, permission: 'FULL_CONTROL' };
const publicRead: Grant = { grantee: { type: 'Group', uri: ALL_USERS }, permission: 'READ' };

function access(over: Partial<BucketAccess>): BucketAccess {
  return { owner: { id: OWNER, displayName: 'o' }, ownership: 'ObjectWriter', hasOwnershipControls: true, grants: [ownerGrant], ...over };
}

describe('requestedGrants', () => {
  it('is undefined without ACL headers', () => {
    expect(requestedGrants({}, 'object', OWNER)).toBeUndefined();
  });
  it('expands a canned ACL', () => {
    expect(requestedGrants({ 'x-amz-acl': 'public-read' }, 'object', OWNER)).toEqual([ownerGrant, publicRead]);
  });
  it('takes grant headers as given, deduplicated, refusing unknown ids and e-mail grantees', () => {
    expect(requestedGrants({ 'x-amz-grant-read': `uri="${ALL_USERS}", uri="${ALL_USERS}"` }, 'object', OWNER)).toEqual([publicRead]);
    expect(() => requestedGrants({ 'x-amz-grant-read': 'id="other"' }, 'object', OWNER)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => requestedGrants({ 'x-amz-grant-read': 'emailAddress="a@b.c"' }, 'object', OWNER)).toThrow(expect.objectContaining({ code: 'UnresolvableGrantByEmailAddress' }));
  });
  it('refuses a canned ACL together with grant headers', () => {
    expect(() => requestedGrants({ 'x-amz-acl': 'private', 'x-amz-grant-read': `id="${OWNER}"` }, 'bucket', OWNER)).toThrow(expect.objectContaining({ code: 'InvalidRequest' }));
  });
});

describe('checkAclAllowed', () => {
  it('BucketOwnerEnforced accepts only the owner FULL_CONTROL', () => {
    const enforced = access({ ownership: 'BucketOwnerEnforced' });
    expect(() => checkAclAllowed([ownerGrant], enforced)).not.toThrow();
    expect(() => checkAclAllowed([ownerGrant, publicRead], enforced)).toThrow(expect.objectContaining({ code: 'AccessControlListNotSupported' }));
  });
  it('BlockPublicAcls refuses public ACLs with AccessDenied', () => {
    const blocked = access({ publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false } });
    expect(() => checkAclAllowed([ownerGrant, publicRead], blocked)).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    expect(() => checkAclAllowed([ownerGrant], blocked)).not.toThrow();
    expect(() => checkAclAllowed([ownerGrant, publicRead], access({}))).not.toThrow();
  });
});

describe('stored documents', () => {
  it('round-trip, and refuse what they cannot read', () => {
    expect(decodeAcl(encodeAcl([ownerGrant, publicRead]))).toEqual([ownerGrant, publicRead]);
    expect(decodeOwnership(encodeOwnership('BucketOwnerPreferred'))).toBe('BucketOwnerPreferred');
    const pab = { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false };
    expect(decodePublicAccessBlock(encodePublicAccessBlock(pab))).toEqual(pab);
    for (const bad of ['', '{}', '{"v":2,"grants":[]}', '{"v":1,"grants":[{"grantee":{"type":"Group"},"permission":"READ"}]}']) {
      expect(() => decodeAcl(bad)).toThrow();
    }
    expect(() => decodePublicAccessBlock('{"v":1,"BlockPublicAcls":true}')).toThrow();
  });
  it('withAcl replaces or drops the ACL of object headers', () => {
    const h = { userMetadata: {}, acl: 'old' };
    expect(withAcl(h, 'new')).toEqual({ userMetadata: {}, acl: 'new' });
    expect(withAcl(h, undefined)).toEqual({ userMetadata: {} });
  });
});
