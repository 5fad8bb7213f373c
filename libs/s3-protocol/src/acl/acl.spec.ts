import { S3Error } from '../errors';
import {
  ALL_USERS,
  AUTHENTICATED_USERS,
  checkGrantees,
  dedupeGrants,
  expandCannedAcl,
  groupHas,
  isOwnerOnly,
  isPublicAcl,
  LOG_DELIVERY,
  parseCannedAcl,
  type Grant,
} from './acl';

const OWNER = 'o'.repeat(64);
const BUCKET_OWNER = 'b'.repeat(64);
const owner: Grant = { grantee: { type: 'CanonicalUser', id: OWNER }, permission: 'FULL_CONTROL' };
const group = (uri: string, permission: Grant['permission']): Grant => ({ grantee: { type: 'Group', uri }, permission });

describe('canned ACLs (AWS table)', () => {
  it.each<[string, 'bucket' | 'object', Grant[]]>([
    ['private', 'bucket', [owner]],
    ['public-read', 'bucket', [owner, group(ALL_USERS, 'READ')]],
    ['public-read-write', 'bucket', [owner, group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')]],
    ['authenticated-read', 'object', [owner, group(AUTHENTICATED_USERS, 'READ')]],
    ['bucket-owner-read', 'bucket', [owner]],
    ['bucket-owner-full-control', 'bucket', [owner]],
  ])('%s on a %s', (canned, target, grants) => {
    expect(expandCannedAcl(parseCannedAcl(canned), target, OWNER)).toEqual(grants);
  });

  it('bucket-owner-* on an object grant the bucket owner when it is someone else', () => {
    expect(expandCannedAcl('bucket-owner-read', 'object', OWNER, BUCKET_OWNER)).toEqual([owner, { grantee: { type: 'CanonicalUser', id: BUCKET_OWNER }, permission: 'READ' }]);
    expect(expandCannedAcl('bucket-owner-full-control', 'object', OWNER, BUCKET_OWNER)[1].permission).toBe('FULL_CONTROL');
    expect(expandCannedAcl('bucket-owner-full-control', 'object', OWNER, OWNER)).toEqual([owner]);
  });

  it('refuses unknown canned ACLs (InvalidArgument) and the AWS-service ones (NotImplemented)', () => {
    expect(() => parseCannedAcl('public')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => expandCannedAcl('log-delivery-write', 'bucket', OWNER)).toThrow(expect.objectContaining({ code: 'NotImplemented' }));
    expect(() => expandCannedAcl('aws-exec-read', 'object', OWNER)).toThrow(expect.objectContaining({ code: 'NotImplemented' }));
  });
});

describe('grantees', () => {
  const known = new Set([OWNER]);
  it('accepts the owner, AllUsers and AuthenticatedUsers', () => {
    expect(() => checkGrantees([owner, group(ALL_USERS, 'READ'), group(AUTHENTICATED_USERS, 'WRITE')], known)).not.toThrow();
  });
  it.each<[Grant, string]>([
    [{ grantee: { type: 'AmazonCustomerByEmail', email: 'a@example.com' }, permission: 'READ' }, 'UnresolvableGrantByEmailAddress'],
    [{ grantee: { type: 'CanonicalUser', id: 'someone-else' }, permission: 'READ' }, 'InvalidArgument'],
    [group(LOG_DELIVERY, 'WRITE'), 'InvalidArgument'],
    [group('http://example.com/group', 'READ'), 'InvalidArgument'],
  ])('refuses %j with %s', (grant, code) => {
    let err: unknown;
    try {
      checkGrantees([owner, grant], known);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(S3Error);
    expect((err as S3Error).code).toBe(code);
  });
});

describe('grant predicates', () => {
  it('groupHas: FULL_CONTROL implies every permission', () => {
    expect(groupHas([group(ALL_USERS, 'FULL_CONTROL')], ALL_USERS, 'WRITE')).toBe(true);
    expect(groupHas([group(ALL_USERS, 'READ')], ALL_USERS, 'WRITE')).toBe(false);
    expect(groupHas([group(AUTHENTICATED_USERS, 'READ')], ALL_USERS, 'READ')).toBe(false);
  });
  it('isPublicAcl: any AllUsers or AuthenticatedUsers grant', () => {
    expect(isPublicAcl([owner])).toBe(false);
    expect(isPublicAcl([owner, group(AUTHENTICATED_USERS, 'READ_ACP')])).toBe(true);
  });
  it('isOwnerOnly: the owner FULL_CONTROL and nothing else', () => {
    expect(isOwnerOnly([owner], OWNER)).toBe(true);
    expect(isOwnerOnly([owner, owner], OWNER)).toBe(true);
    expect(isOwnerOnly([{ ...owner, permission: 'READ' }], OWNER)).toBe(false);
    expect(isOwnerOnly([owner, group(ALL_USERS, 'READ')], OWNER)).toBe(false);
  });
  it('dedupeGrants keeps one of equal grants', () => {
    expect(dedupeGrants([owner, group(ALL_USERS, 'READ'), owner, group(ALL_USERS, 'READ')])).toEqual([owner, group(ALL_USERS, 'READ')]);
  });
});
