import type { BucketConfigs, MetadataApi } from '@massive/contracts';
import { ALL_USERS, AUTHENTICATED_USERS, type Endpoint, type Grant } from '@massive/s3-protocol';
import { ServiceError } from '@massive/contracts';
import type { Principal } from '../http/auth';
import type { S3ApiDeps } from '../types';
import { authorize, type Access } from './authorize';
import { encodeAcl, encodeOwnership, encodePublicAccessBlock } from './stored-documents';

const OWNER = { id: 'owner-id', displayName: 'owner' };
const ownerGrant: Grant = { grantee: { type: 'CanonicalUser', id: OWNER.id }, permission: 'FULL_CONTROL' };
const group = (uri: string, permission: Grant['permission']): Grant => ({ grantee: { type: 'Group', uri }, permission });
const signed = { kind: 'signed', owner: OWNER } as unknown as Principal;
const anonymous = { kind: 'anonymous', sigv4: { payloadMode: 'unsigned' } } as unknown as Principal;
const ctx = { requestId: 'r' };
const NONE = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

function depsWith(documents: BucketConfigs['documents']): { deps: S3ApiDeps; reads: () => number } {
  let reads = 0;
  const metadata = {
    getBucketConfig: async ({ bucket }: { bucket: string }) => {
      reads++;
      if (bucket === 'missing') throw new ServiceError('NoSuchBucket', 'no');
      return { bucket: { name: bucket, owner: OWNER }, documents };
    },
  } as unknown as MetadataApi;
  return { deps: { metadata } as unknown as S3ApiDeps, reads: () => reads };
}

const get: Endpoint = { name: 'GetObject', bucket: 'b', key: 'k' };
const list: Endpoint = { name: 'ListObjectsV2', bucket: 'b' };
const put: Endpoint = { name: 'PutObject', bucket: 'b', key: 'k' };
const objectWriter = { ownershipControls: encodeOwnership('ObjectWriter') };

async function decide(p: Principal, ep: Endpoint, deps: S3ApiDeps): Promise<Access> {
  return authorize(p, ep, deps, ctx);
}

describe('authorize', () => {
  it('lets the signed owner through synchronously, with no metadata read', () => {
    const { deps, reads } = depsWith({});
    const a = authorize(signed, get, deps, ctx);
    expect(a).not.toBeInstanceOf(Promise);
    expect((a as Access).anonymous).toBe(false);
    expect(reads()).toBe(0);
  });

  it('refuses anonymous requests to endpoints no ACL opens, without reading anything', async () => {
    const { deps, reads } = depsWith(objectWriter);
    for (const ep of [{ name: 'ListBuckets' }, { name: 'CreateBucket', bucket: 'b' }, { name: 'PutBucketAcl', bucket: 'b' }, { name: 'CopyObject', bucket: 'b', key: 'k' }] as Endpoint[]) {
      await expect(decide(anonymous, ep, deps)).rejects.toMatchObject({ code: 'AccessDenied' });
    }
    expect(reads()).toBe(0);
  });

  it('reads the bucket settings once for an anonymous request, and answers NoSuchBucket for a missing bucket', async () => {
    const { deps, reads } = depsWith({ ...objectWriter, acl: encodeAcl([ownerGrant, group(ALL_USERS, 'READ')]) });
    await decide(anonymous, list, deps);
    expect(reads()).toBe(1);
    await expect(decide(anonymous, { name: 'ListObjects', bucket: 'missing' }, deps)).rejects.toMatchObject({ code: 'NoSuchBucket' });
  });

  it('opens a listing only with AllUsers READ on the bucket (not AuthenticatedUsers)', async () => {
    await expect(decide(anonymous, list, depsWith({ ...objectWriter, acl: encodeAcl([ownerGrant, group(ALL_USERS, 'READ')]) }).deps)).resolves.toMatchObject({ anonymous: true });
    await expect(decide(anonymous, list, depsWith({ ...objectWriter, acl: encodeAcl([ownerGrant, group(AUTHENTICATED_USERS, 'READ')]) }).deps)).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(decide(anonymous, list, depsWith(objectWriter).deps)).rejects.toMatchObject({ code: 'AccessDenied' });
  });

  it('opens writes only with AllUsers WRITE', async () => {
    await expect(decide(anonymous, put, depsWith({ ...objectWriter, acl: encodeAcl([group(ALL_USERS, 'READ')]) }).deps)).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(decide(anonymous, put, depsWith({ ...objectWriter, acl: encodeAcl([group(ALL_USERS, 'WRITE')]) }).deps)).resolves.toMatchObject({ anonymous: true });
  });

  it('leaves object reads to the object ACL, and hides missing keys unless the bucket is listable', async () => {
    const a = await decide(anonymous, get, depsWith(objectWriter).deps);
    expect(() => a.checkObjectAcl?.(encodeAcl([ownerGrant, group(ALL_USERS, 'READ')]))).not.toThrow();
    expect(() => a.checkObjectAcl?.(undefined)).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    expect(() => a.checkObjectAcl?.(encodeAcl([ownerGrant, group(ALL_USERS, 'WRITE')]))).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    expect(a.mapError(new ServiceError('NoSuchKey', 'no'))).toMatchObject({ code: 'AccessDenied' });
    const listable = await decide(anonymous, get, depsWith({ ...objectWriter, acl: encodeAcl([group(ALL_USERS, 'READ')]) }).deps);
    expect(listable.mapError(new ServiceError('NoSuchKey', 'no'))).toMatchObject({ code: 'NoSuchKey' });
  });

  it('ignores every ACL with BucketOwnerEnforced, or with IgnorePublicAcls', async () => {
    const acl = encodeAcl([ownerGrant, group(ALL_USERS, 'FULL_CONTROL')]);
    await expect(decide(anonymous, list, depsWith({ acl, ownershipControls: encodeOwnership('BucketOwnerEnforced') }).deps)).rejects.toMatchObject({ code: 'AccessDenied' });
    const ignored = encodePublicAccessBlock({ ...NONE, IgnorePublicAcls: true });
    await expect(decide(anonymous, list, depsWith({ acl, ...objectWriter, publicAccessBlock: ignored }).deps)).rejects.toMatchObject({ code: 'AccessDenied' });
    // BlockPublicAcls alone only stops new public ACLs: existing ones still count.
    const blocked = encodePublicAccessBlock({ ...NONE, BlockPublicAcls: true });
    await expect(decide(anonymous, list, depsWith({ acl, ...objectWriter, publicAccessBlock: blocked }).deps)).resolves.toMatchObject({ anonymous: true });
  });
});
