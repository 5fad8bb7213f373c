import { ServiceError, type MetadataApi } from '@massive/contracts';
import { DEFAULT_S3_CONFIG, type S3ApiDeps, type S3Request } from '../../types';
import { createBucket } from './create-bucket';

function call(region: string, failWith?: ServiceError) {
  const metadata = {
    createBucket: async () => {
      if (failWith) throw failWith;
      return {};
    },
  } as unknown as MetadataApi;
  const deps = { metadata, config: { ...DEFAULT_S3_CONFIG, region } } as unknown as S3ApiDeps;
  const req = {
    headers: {},
    owner: { id: 'o', displayName: 'o' },
    ctx: { requestId: 'r' },
    body: { collect: async () => Buffer.alloc(0), length: 0 },
  } as unknown as S3Request;
  return createBucket({ name: 'CreateBucket', bucket: 'my-bucket' } as never, req, deps);
}

describe('CreateBucket of a bucket the caller already owns', () => {
  const owned = () => new ServiceError('BucketAlreadyOwnedByYou', 'owned');

  it('answers 200 in us-east-1 (S3 legacy behaviour there)', async () => {
    await expect(call('us-east-1', owned())).resolves.toMatchObject({ status: 200, headers: { Location: '/my-bucket' } });
  });

  it('is BucketAlreadyOwnedByYou in any other region', async () => {
    await expect(call('eu-west-1', owned())).rejects.toMatchObject({ code: 'BucketAlreadyOwnedByYou' });
  });

  it('never hides BucketAlreadyExists (another owner)', async () => {
    await expect(call('us-east-1', new ServiceError('BucketAlreadyExists', 'taken'))).rejects.toMatchObject({ code: 'BucketAlreadyExists' });
  });
});

describe('CreateBucket access settings', () => {
  function run(headers: Record<string, string>) {
    const calls: string[] = [];
    const metadata = {
      createBucket: async ({ configs }: { configs?: { kind: string; document: string }[] }) => {
        calls.push('createBucket', ...(configs ?? []).map((c) => `${c.kind}=${c.document}`));
        return {};
      },
      putBucketConfig: async () => {
        calls.push('putBucketConfig (not atomic with the bucket)');
      },
    } as unknown as MetadataApi;
    const deps = { metadata, config: DEFAULT_S3_CONFIG } as unknown as S3ApiDeps;
    const req = {
      headers,
      owner: { id: 'o', displayName: 'o' },
      ctx: { requestId: 'r' },
      body: { collect: async () => Buffer.alloc(0), length: 0 },
    } as unknown as S3Request;
    return { calls, done: createBucket({ name: 'CreateBucket', bucket: 'my-bucket' } as never, req, deps) };
  }

  it('creates the bucket with BucketOwnerEnforced and Block Public Access in its own transaction', async () => {
    const { calls, done } = run({});
    await done;
    expect(calls).toEqual([
      'createBucket',
      'ownershipControls={"v":1,"objectOwnership":"BucketOwnerEnforced"}',
      'publicAccessBlock={"v":1,"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}',
    ]);
  });

  it('stores a non-public ACL with ObjectWriter, in the same transaction', async () => {
    const { calls, done } = run({ 'x-amz-object-ownership': 'ObjectWriter', 'x-amz-grant-read-acp': 'id="o"' });
    await done;
    expect(calls[1]).toContain('ObjectWriter');
    expect(calls[3]).toBe('acl={"v":1,"grants":[{"grantee":{"type":"CanonicalUser","id":"o"},"permission":"READ_ACP"}]}');
  });

  it.each<[Record<string, string>, string]>([
    [{ 'x-amz-acl': 'public-read' }, 'InvalidBucketAclWithObjectOwnership'],
    [{ 'x-amz-acl': 'public-read', 'x-amz-object-ownership': 'ObjectWriter' }, 'InvalidBucketAclWithBlockPublicAccessError'],
    [{ 'x-amz-object-ownership': 'Mine' }, 'InvalidArgument'],
    [{ 'x-amz-grant-read': 'emailAddress="a@b.c"', 'x-amz-object-ownership': 'ObjectWriter' }, 'UnresolvableGrantByEmailAddress'],
  ])('refuses %j with %s before creating anything', async (headers, code) => {
    const { calls, done } = run(headers);
    await expect(done).rejects.toMatchObject({ code });
    expect(calls).toEqual([]);
  });
});
