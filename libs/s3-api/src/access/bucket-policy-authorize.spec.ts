import { ServiceError, type BucketConfigs, type MetadataApi } from '@massive/contracts';
import { parseBucketPolicy, type Endpoint } from '@massive/s3-protocol';
import type { Principal } from '../http/auth';
import type { S3ApiDeps } from '../types';
import { authorize, type Access } from './authorize';
import { BucketPolicyCache } from './bucket-policy-cache';
import { encodeBucketPolicy } from './bucket-policy-document';
import type { RequestFacts } from './policy-context';
import { encodeOwnership, encodePublicAccessBlock } from './stored-documents';

const OWNER = { id: 'a'.repeat(64), displayName: 'owner' };
const OTHER = { id: 'b'.repeat(64), displayName: 'other' };
const signed = (owner = OWNER): Principal => ({ kind: 'signed', owner }) as unknown as Principal;
const anonymous = { kind: 'anonymous', sigv4: { payloadMode: 'unsigned' } } as unknown as Principal;
const ctx = { requestId: 'r' };
const OPEN = encodePublicAccessBlock({ BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false });
/** ACLs off: an anonymous request the policy does not allow is AccessDenied at once (no object ACL to consult). */
const ENFORCED = encodeOwnership('BucketOwnerEnforced');
const RESTRICT = encodePublicAccessBlock({ BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: true });

function facts(query = '', headers: Record<string, string> = {}, remoteAddress = '::ffff:127.0.0.1'): RequestFacts {
  return { req: { headers, socket: { remoteAddress } } as unknown as RequestFacts['req'], query: new URLSearchParams(query) };
}

function policyDoc(...statements: object[]): string {
  const text = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  return encodeBucketPolicy(text, parseBucketPolicy(text, 'b'));
}

interface World {
  deps: S3ApiDeps;
  reads: () => number;
  clock: { t: number };
  set(docs: BucketConfigs['documents']): void;
}

function world(initial: BucketConfigs['documents'], tags: { key: string; value: string }[] = []): World {
  let reads = 0;
  let docs = initial;
  const clock = { t: 0 };
  const metadata = {
    getBucketConfig: async ({ bucket, kinds }: { bucket: string; kinds: readonly string[] }) => {
      reads++;
      if (bucket === 'missing') throw new ServiceError('NoSuchBucket', 'no');
      const documents = Object.fromEntries(Object.entries(docs).filter(([k]) => kinds.includes(k)));
      return { bucket: { name: bucket, owner: OWNER }, documents };
    },
    getObject: async () => ({ headers: { tags } }),
  } as unknown as MetadataApi;
  const bucketPolicies = new BucketPolicyCache(metadata, { ttlMs: 5000, maxEntries: 10, now: () => clock.t });
  return { deps: { metadata, bucketPolicies } as unknown as S3ApiDeps, reads: () => reads, clock, set: (d) => (docs = d) };
}

const get: Endpoint = { name: 'GetObject', bucket: 'b', key: 'secret/k' };
const open: Endpoint = { name: 'GetObject', bucket: 'b', key: 'open/k' };
const publicRead = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
const denySecret = { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/secret/*'] };

const run = async (p: Principal, ep: Endpoint, w: World, f = facts()): Promise<Access> => authorize(p, ep, w.deps, ctx, f);

describe('authorize with bucket policies', () => {
  it('a bucket without a policy: one metadata read, then decided synchronously until the entry expires', async () => {
    const w = world({});
    await run(signed(), get, w);
    expect(w.reads()).toBe(1);
    const again = authorize(signed(), get, w.deps, ctx, facts());
    expect(again).not.toBeInstanceOf(Promise);
    expect(w.reads()).toBe(1);
    w.clock.t = 5001;
    await run(signed(), get, w);
    expect(w.reads()).toBe(2);
  });

  it("the owner's signed request is denied by a matching Deny, and only there", async () => {
    const w = world({ policy: policyDoc(denySecret) });
    await expect(run(signed(), get, w)).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(run(signed(), open, w)).resolves.toMatchObject({ anonymous: false });
    await expect(run(signed(), { name: 'ListObjectsV2', bucket: 'b' }, w)).rejects.toMatchObject({ code: 'AccessDenied' });
  });

  it('lockout protection: the owner can always Get/Put/DeleteBucketPolicy; another key cannot', async () => {
    const w = world({ policy: policyDoc(denySecret) });
    for (const name of ['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy'] as const) {
      await expect(run(signed(), { name, bucket: 'b' }, w)).resolves.toMatchObject({ anonymous: false });
      await expect(run(signed(OTHER), { name, bucket: 'b' }, w)).rejects.toMatchObject({ code: 'AccessDenied' });
    }
    await expect(run(signed(), { name: 'GetBucketPolicyStatus', bucket: 'b' }, w)).rejects.toMatchObject({ code: 'AccessDenied' });
  });

  it('forget() drops the entry: a changed policy applies on the next request', async () => {
    const w = world({});
    await run(signed(), get, w);
    w.set({ policy: policyDoc(denySecret) });
    await expect(run(signed(), get, w)).resolves.toBeDefined(); // still cached
    w.deps.bucketPolicies!.forget('b');
    await expect(run(signed(), get, w)).rejects.toMatchObject({ code: 'AccessDenied' });
  });

  it('anonymous: allowed by the policy (ACLs off), with the bucket owner as the acting owner', async () => {
    const w = world({ policy: policyDoc(publicRead), ownershipControls: ENFORCED, publicAccessBlock: OPEN });
    const a = await run(anonymous, open, w);
    expect(a).toMatchObject({ anonymous: true, policy: 'allow', bucket: { owner: OWNER } });
    expect(a.checkObjectAcl).toBeUndefined();
    await expect(run(anonymous, { name: 'PutObject', bucket: 'b', key: 'k' }, w)).rejects.toMatchObject({ code: 'AccessDenied' });
  });

  it('anonymous: aws:SourceIp is the TCP peer (IPv4-mapped addresses read as IPv4)', async () => {
    const w = world({ policy: policyDoc({ ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } }), ownershipControls: ENFORCED, publicAccessBlock: OPEN });
    await expect(run(anonymous, open, w, facts('', {}, '::ffff:127.0.0.1'))).resolves.toMatchObject({ policy: 'allow' });
    await expect(run(anonymous, open, w, facts('', {}, '10.1.2.3'))).rejects.toMatchObject({ code: 'AccessDenied' });
  });

  it('RestrictPublicBuckets: a public policy grants nothing to anonymous requests or other keys', async () => {
    const w = world({ policy: policyDoc(publicRead), ownershipControls: ENFORCED, publicAccessBlock: RESTRICT });
    await expect(run(anonymous, open, w)).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(run(signed(OTHER), open, w)).resolves.toMatchObject({ policy: 'none' });
    await expect(run(signed(), open, w)).resolves.toMatchObject({ policy: 'allow' });
  });

  it('s3:ExistingObjectTag reads the object tags first', async () => {
    const stmt = { ...publicRead, Condition: { StringEquals: { 's3:ExistingObjectTag/Class': 'public' } } };
    const tagged = world({ policy: policyDoc(stmt), ownershipControls: ENFORCED, publicAccessBlock: OPEN }, [{ key: 'Class', value: 'public' }]);
    await expect(run(anonymous, open, tagged)).resolves.toMatchObject({ policy: 'allow' });
    const untagged = world({ policy: policyDoc(stmt), ownershipControls: ENFORCED, publicAccessBlock: OPEN }, [{ key: 'Class', value: 'internal' }]);
    await expect(run(anonymous, open, untagged)).rejects.toMatchObject({ code: 'AccessDenied' });
  });

  it('DeleteObjects: each key is decided on its own', async () => {
    const w = world({ policy: policyDoc(denySecret) });
    const a = await run(signed(), { name: 'DeleteObjects', bucket: 'b' }, w);
    // The Deny names the bucket ARN too, yet the request as a whole is not denied: only its keys are.
    expect(a.keyDenied?.('secret/x', undefined)).toBe(true);
    expect(a.keyDenied?.('open/x', undefined)).toBe(false);
    expect(a.keyDenied?.('secret/x', 'v1')).toBe(true);
  });

  it('Object Lock: s3:BypassGovernanceRetention is decided per key, for the endpoints that may bypass', async () => {
    const allowOther = { Effect: 'Allow', Principal: { AWS: [OTHER.id] }, Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention'], Resource: 'arn:aws:s3:::b/open/*' };
    const denyBypass = { Effect: 'Deny', Principal: '*', Action: 's3:BypassGovernanceRetention', Resource: 'arn:aws:s3:::b/secret/*' };
    const w = world({ policy: policyDoc(allowOther, denyBypass) });
    const del = await run(signed(OTHER), { name: 'DeleteObject', bucket: 'b', key: 'open/k' }, w);
    expect(del.bypassPolicy?.('open/k')).toBe('allow');
    expect(del.bypassPolicy?.('secret/k')).toBe('deny');
    expect(del.bypassPolicy?.('other/k')).toBe('none');
    const many = await run(signed(), { name: 'DeleteObjects', bucket: 'b' }, w);
    expect(many.bypassPolicy?.('secret/x')).toBe('deny');
    const retention = await run(signed(), { name: 'PutObjectRetention', bucket: 'b', key: 'secret/k' }, w);
    expect(retention.bypassPolicy?.('secret/k')).toBe('deny');
    // A GET cannot bypass anything: no decision is offered.
    expect((await run(signed(), { name: 'GetObject', bucket: 'b', key: 'open/k' }, w)).bypassPolicy).toBeUndefined();
  });

  it('Object Lock condition keys: a write\'s headers, and a retention body once read (AWS\'s "cap the retention" example)', async () => {
    const cap = {
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:PutObject', 's3:PutObjectRetention'],
      Resource: 'arn:aws:s3:::b/*',
      Condition: { NumericGreaterThan: { 's3:object-lock-remaining-retention-days': '10' } },
    };
    const noHold = { Effect: 'Deny', Principal: '*', Action: 's3:PutObjectLegalHold', Resource: 'arn:aws:s3:::b/*', Condition: { StringEquals: { 's3:object-lock-legal-hold': 'ON' } } };
    const w = world({ policy: policyDoc(cap, noHold) });
    const put: Endpoint = { name: 'PutObject', bucket: 'b', key: 'k' };
    const until = (days: number) => new Date(Date.now() + days * 86_400_000 - 60_000).toISOString();
    const lockHeaders = (days: number) => facts('', { 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': until(days) });
    await expect(run(signed(), put, w, lockHeaders(30))).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(run(signed(), put, w, lockHeaders(10))).resolves.toMatchObject({ policy: 'none' });
    await expect(run(signed(), put, w)).resolves.toMatchObject({ policy: 'none' });

    const retention = await run(signed(), { name: 'PutObjectRetention', bucket: 'b', key: 'k' }, w);
    expect(await retention.lockPolicy?.({ mode: 'GOVERNANCE', retainUntil: Date.parse(until(30)) })).toBe('deny');
    expect(await retention.lockPolicy?.({ mode: 'GOVERNANCE', retainUntil: Date.parse(until(3)) })).toBe('none');
    const hold = await run(signed(), { name: 'PutObjectLegalHold', bucket: 'b', key: 'k' }, w);
    expect(await hold.lockPolicy?.({ legalHold: 'ON' })).toBe('deny');
    expect(await hold.lockPolicy?.({ legalHold: 'OFF' })).toBe('none');
  });

  it("PostObject: the policy's Deny of s3:PutObject binds the form's signer, per key", async () => {
    const w = world({ policy: policyDoc(denySecret) });
    const form = { kind: 'signed', owner: { id: '', displayName: '' } } as unknown as Principal;
    const a = await run(form, { name: 'PostObject', bucket: 'b' }, w);
    expect(a.postKeyDenied?.(OWNER, 'secret/upload')).toBe(true);
    expect(a.postKeyDenied?.(OWNER, 'open/upload')).toBe(false);
  });

  it('PostObject: a Deny on s3:signatureversion AWS binds SigV2 forms only', async () => {
    const noV2 = { Sid: 'NoSigV2', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*', Condition: { StringEquals: { 's3:signatureversion': 'AWS' } } };
    const w = world({ policy: policyDoc(noV2) });
    const form = { kind: 'signed', owner: { id: '', displayName: '' } } as unknown as Principal;
    const a = await run(form, { name: 'PostObject', bucket: 'b' }, w);
    expect(a.postKeyDenied?.(OWNER, 'any/upload', 'AWS')).toBe(true);
    expect(a.postKeyDenied?.(OWNER, 'any/upload')).toBe(false);
  });

  it('a bucket that does not exist has no policy: the handler answers NoSuchBucket', async () => {
    const w = world({});
    await expect(run(signed(), { name: 'GetObject', bucket: 'missing', key: 'k' }, w)).resolves.toMatchObject({ anonymous: false });
  });
});
