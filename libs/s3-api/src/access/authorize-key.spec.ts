import type { BucketConfigs, MetadataApi } from '@massive/contracts';
import { AUTHENTICATED_USERS, ROUTES, type Endpoint, type EndpointName, type Grant } from '@massive/s3-protocol';
import { ServiceError } from '@massive/contracts';
import type { Authenticated } from '../http/auth';
import type { KeyPermissions, KeyScope, S3ApiDeps } from '../types';
import type { Access } from './authorize';
import { authorize } from './authorize';
import { checkCopySourceGrant } from './authorize-key';
import { encodeAcl, encodeOwnership, encodePublicAccessBlock } from './stored-documents';

const KEY = { id: 'key-canonical-id', displayName: 'app1' };
const BUCKET_OWNER = { id: 'owner-id', displayName: 'owner' };
const ctx = { requestId: 'r' };
const NONE: KeyPermissions = { read: false, write: false, owner: false };

/** A key whose grants are `grants`; `later` is what a re-read finds (a grant made elsewhere meanwhile). */
function keyScope(grants: Record<string, Partial<KeyPermissions>>, later?: Record<string, Partial<KeyPermissions>>): KeyScope & { refreshes: () => number } {
  let refreshes = 0;
  const make = (g: Record<string, Partial<KeyPermissions>>): KeyScope => ({
    accessKeyId: 'MKAPP1',
    permissions: (b) => ({ ...NONE, ...g[b] }),
    buckets: () => Object.keys(g),
    refresh: async () => {
      refreshes++;
      return make(later ?? g);
    },
  });
  return Object.assign(make(grants), { refreshes: () => refreshes });
}

function principal(scope: KeyScope): Authenticated {
  return { kind: 'signed', owner: KEY, scope } as unknown as Authenticated;
}

function depsWith(documents: BucketConfigs['documents']): { deps: S3ApiDeps; reads: () => number } {
  let reads = 0;
  const metadata = {
    getBucketConfig: async ({ bucket }: { bucket: string }) => {
      reads++;
      if (bucket === 'missing') throw new ServiceError('NoSuchBucket', 'no');
      return { bucket: { name: bucket, owner: BUCKET_OWNER }, documents };
    },
  } as unknown as MetadataApi;
  return { deps: { metadata, config: { maxKeyBytes: 1024 } } as unknown as S3ApiDeps, reads: () => reads };
}

/** One endpoint value per route name (bucket `b`, key `k`), to walk the whole routing table. */
function endpointOf(name: EndpointName, target: string): Endpoint {
  if (target === 'service') return { name } as Endpoint;
  if (target === 'bucket') return { name, bucket: 'b' } as Endpoint;
  return { name, bucket: 'b', key: 'k' } as Endpoint;
}

const ENDPOINTS = ROUTES.map((r) => ({ ep: endpointOf(r.name, r.target), auth: r.auth }));

async function decide(p: Authenticated, ep: Endpoint, deps: S3ApiDeps): Promise<Access> {
  return authorize(p, ep, deps, ctx);
}

describe('authorize: a non-root key (grants)', () => {
  const { deps } = depsWith({ ownershipControls: encodeOwnership('BucketOwnerEnforced') });

  it.each(['read', 'write', 'owner'] as const)('a %s grant opens exactly the endpoints of that auth class', async (cls) => {
    const p = principal(keyScope({ b: { [cls]: true } }));
    for (const { ep, auth } of ENDPOINTS) {
      if (!('bucket' in ep) || ep.name === 'CreateBucket') continue;
      const outcome = await decide(p, ep, deps).then(
        () => 'allowed',
        (e: { code?: string }) => e.code,
      );
      expect([ep.name, outcome]).toEqual([ep.name, auth === cls ? 'allowed' : 'AccessDenied']);
    }
  });

  it('within its grants a key is decided synchronously, with no metadata read and no refresh', () => {
    const { deps: d, reads } = depsWith({});
    const scope = keyScope({ b: { read: true } });
    const a = authorize(principal(scope), { name: 'GetObject', bucket: 'b', key: 'k' }, d, ctx);
    expect(a).not.toBeInstanceOf(Promise);
    expect(reads()).toBe(0);
    expect(scope.refreshes()).toBe(0);
  });

  it('ListBuckets and CreateBucket are open to every key (the listing is filtered; the creator owns the bucket)', () => {
    const p = principal(keyScope({}));
    expect(authorize(p, { name: 'ListBuckets' } as Endpoint, deps, ctx)).toMatchObject({ anonymous: false });
    expect(authorize(p, { name: 'CreateBucket', bucket: 'new' } as Endpoint, deps, ctx)).toMatchObject({ anonymous: false });
  });

  it('a denial re-reads the grants first, so a grant made through another gateway counts at once', async () => {
    const scope = keyScope({}, { b: { write: true } });
    await decide(principal(scope), { name: 'PutObject', bucket: 'b', key: 'k' }, deps);
    expect(scope.refreshes()).toBe(1);
  });

  it('a key deleted meanwhile is InvalidAccessKeyId', async () => {
    const scope = keyScope({});
    scope.refresh = async () => undefined;
    await expect(decide(principal(scope), { name: 'GetObject', bucket: 'b', key: 'k' }, deps)).rejects.toMatchObject({ code: 'InvalidAccessKeyId' });
  });

  it('a missing bucket without a grant is NoSuchBucket (as AWS), after one read', async () => {
    const { deps: d } = depsWith({});
    await expect(decide(principal(keyScope({})), { name: 'HeadBucket', bucket: 'missing' }, d)).rejects.toMatchObject({ code: 'NoSuchBucket' });
  });
});

describe('authorize: a non-root key (ACLs)', () => {
  const idGrant = (permission: Grant['permission']): Grant => ({ grantee: { type: 'CanonicalUser', id: KEY.id }, permission });
  const owner: Grant = { grantee: { type: 'CanonicalUser', id: BUCKET_OWNER.id }, permission: 'FULL_CONTROL' };
  const noBlock = encodePublicAccessBlock({ BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false });
  const aclDeps = (grants: Grant[], ownership: 'ObjectWriter' | 'BucketOwnerEnforced' = 'ObjectWriter', pab = noBlock) =>
    depsWith({ ownershipControls: encodeOwnership(ownership), publicAccessBlock: pab, acl: encodeAcl([owner, ...grants]) }).deps;
  const p = principal(keyScope({}));

  it.each([
    ['READ', 'ListObjectsV2', 'allowed'],
    ['READ', 'PutObject', 'AccessDenied'],
    ['WRITE', 'PutObject', 'allowed'],
    ['WRITE', 'DeleteObject', 'allowed'],
    ['WRITE', 'ListObjectsV2', 'AccessDenied'],
    ['READ_ACP', 'GetBucketAcl', 'allowed'],
    ['WRITE_ACP', 'PutBucketAcl', 'allowed'],
    ['FULL_CONTROL', 'PutBucketAcl', 'allowed'],
    ['FULL_CONTROL', 'DeleteBucket', 'AccessDenied'],
    ['FULL_CONTROL', 'PutBucketVersioning', 'AccessDenied'],
  ] as const)('a bucket ACL granting the key %s: %s is %s', async (permission, name, outcome) => {
    const ep = endpointOf(name, name === 'PutObject' || name === 'DeleteObject' ? 'object' : 'bucket');
    const got = await decide(p, ep, aclDeps([idGrant(permission)])).then(
      () => 'allowed',
      (e: { code?: string }) => e.code,
    );
    expect(got).toBe(outcome);
  });

  it('object reads follow the object ACL naming the key; missing keys are hidden without list rights', async () => {
    const a = await decide(p, { name: 'GetObject', bucket: 'b', key: 'k' }, aclDeps([]));
    expect(() => a.checkObjectAcl?.(encodeAcl([owner, idGrant('READ')]))).not.toThrow();
    expect(() => a.checkObjectAcl?.(encodeAcl([owner]))).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    expect(() => a.checkObjectAcl?.(undefined)).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    expect(a.mapError(new ServiceError('NoSuchKey', 'x'))).toMatchObject({ code: 'AccessDenied' });
  });

  it('AuthenticatedUsers counts for any key unless IgnorePublicAcls; nothing counts with BucketOwnerEnforced', async () => {
    const authUsers: Grant = { grantee: { type: 'Group', uri: AUTHENTICATED_USERS }, permission: 'READ' };
    const list: Endpoint = { name: 'ListObjectsV2', bucket: 'b' };
    await expect(decide(p, list, aclDeps([authUsers]))).resolves.toMatchObject({ anonymous: false });
    const ignoring = encodePublicAccessBlock({ BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    await expect(decide(p, list, aclDeps([authUsers], 'ObjectWriter', ignoring))).rejects.toMatchObject({ code: 'AccessDenied' });
    // IgnorePublicAcls leaves grants to the key's own id in force.
    await expect(decide(p, list, aclDeps([idGrant('READ')], 'ObjectWriter', ignoring))).resolves.toMatchObject({ anonymous: false });
    await expect(decide(p, list, aclDeps([idGrant('READ')], 'BucketOwnerEnforced'))).rejects.toMatchObject({ code: 'AccessDenied' });
  });
});

describe('checkCopySourceGrant', () => {
  const { deps } = depsWith({});
  const copy: Endpoint = { name: 'CopyObject', bucket: 'dest', key: 'k' };
  it('a key needs read on the source bucket; the root key does not', () => {
    const p = principal(keyScope({ dest: { write: true }, src: { read: true } }));
    expect(() => checkCopySourceGrant(p, copy, { 'x-amz-copy-source': '/src/a.txt' }, deps)).not.toThrow();
    expect(() => checkCopySourceGrant(p, copy, { 'x-amz-copy-source': 'other/a.txt' }, deps)).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    const root = { kind: 'signed', owner: KEY } as unknown as Authenticated;
    expect(() => checkCopySourceGrant(root, copy, { 'x-amz-copy-source': 'other/a.txt' }, deps)).not.toThrow();
  });
});
