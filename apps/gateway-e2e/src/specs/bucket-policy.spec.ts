import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  DeletePublicAccessBlockCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { useGateway } from '../support/server';
import { expectS3Error } from '../support/s3-assert';

/**
 * Bucket policies (issue 13) through the SDK, in local and distributed mode: the policy language's
 * validation (MalformedPolicy with AWS's reasons), GetBucketPolicyStatus, Block Public Access, and
 * enforcement for anonymous requests (plain fetch) and for the owner's own signed requests.
 */
const gw = useGateway();
let s3: S3Client;
let ownerId: string;

const policy = (bucket: string, ...Statement: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement });
const publicRead = (bucket: string, extra: object = {}): object => ({
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${bucket}/*`,
  ...extra,
});

async function anon(path: string, init?: RequestInit): Promise<{ status: number; code?: string; text: string }> {
  const r = await fetch(`${gw.endpoint}${path}`, init);
  const text = await r.text();
  return { status: r.status, text, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] };
}

/** A bucket whose Block Public Access is lifted (new buckets block public policies, as AWS since 2023). */
async function openBucket(Bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
}

beforeAll(async () => {
  s3 = s3Client(gw);
  ownerId = (await s3.send(new ListBucketsCommand({}))).Owner!.ID!;
});

describe('PutBucketPolicy validation', () => {
  const Bucket = 'policy-validation';
  beforeAll(() => s3.send(new CreateBucketCommand({ Bucket })));

  it.each<[string, string, string]>([
    ['not JSON', 'not json', "Policies must be valid JSON and the first byte must be '{'"],
    ['an unknown action', policy(Bucket, publicRead(Bucket, { Action: 's3:GetObjekt' })), 'Policy has invalid action'],
    ['another bucket', policy(Bucket, publicRead(Bucket, { Resource: 'arn:aws:s3:::someone-else/*' })), 'Policy has invalid resource'],
    ['an object action on the bucket ARN', policy(Bucket, publicRead(Bucket, { Resource: `arn:aws:s3:::${Bucket}` })), 'Action does not apply to any resource(s) in statement'],
    ['an unknown principal', policy(Bucket, publicRead(Bucket, { Principal: { AWS: 'arn:aws:iam::123456789012:root' } })), 'Invalid principal in policy'],
    ['an unknown condition operator', policy(Bucket, publicRead(Bucket, { Condition: { StringEqualz: { 'aws:UserAgent': 'x' } } })), 'Policy has an invalid condition operator: StringEqualz'],
    ['an unknown condition key', policy(Bucket, publicRead(Bucket, { Condition: { StringEquals: { 'aws:Frob': 'x' } } })), 'Policy has an invalid condition key'],
  ])('%s is MalformedPolicy', async (_name, Policy, message) => {
    const err = await expectS3Error(s3.send(new PutBucketPolicyCommand({ Bucket, Policy })), 'MalformedPolicy', 400);
    expect(err.message).toBe(message);
  });

  it('NotPrincipal is refused with a clear reason', async () => {
    const Policy = policy(Bucket, { Effect: 'Deny', NotPrincipal: { AWS: ownerId }, Action: 's3:*', Resource: `arn:aws:s3:::${Bucket}/*` });
    const err = await expectS3Error(s3.send(new PutBucketPolicyCommand({ Bucket, Policy })), 'MalformedPolicy', 400);
    expect(err.message).toMatch(/NotPrincipal is not supported/);
  });

  it('a policy over 20 KiB is PolicyTooLarge', async () => {
    const many = Array.from({ length: 300 }, (_, i) => `arn:aws:s3:::${Bucket}/some/rather/long/prefix/number-${i}/*`);
    const Policy = policy(Bucket, publicRead(Bucket, { Principal: { CanonicalUser: ownerId }, Resource: many }));
    await expectS3Error(s3.send(new PutBucketPolicyCommand({ Bucket, Policy })), 'PolicyTooLarge', 400);
  });

  it('no policy: GetBucketPolicy and GetBucketPolicyStatus are NoSuchBucketPolicy', async () => {
    await expectS3Error(s3.send(new GetBucketPolicyCommand({ Bucket })), 'NoSuchBucketPolicy', 404);
    await expectS3Error(s3.send(new GetBucketPolicyStatusCommand({ Bucket })), 'NoSuchBucketPolicy', 404);
  });

  it('BlockPublicPolicy (on for new buckets) refuses a public policy with AccessDenied, and takes a non-public one', async () => {
    await expectS3Error(s3.send(new PutBucketPolicyCommand({ Bucket, Policy: policy(Bucket, publicRead(Bucket)) })), 'AccessDenied', 403);
    const limited = policy(Bucket, publicRead(Bucket, { Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }));
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: limited }));
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy).toBe(limited);
    expect((await s3.send(new GetBucketPolicyStatusCommand({ Bucket }))).PolicyStatus?.IsPublic).toBe(false);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket }));
    await expectS3Error(s3.send(new GetBucketPolicyCommand({ Bucket })), 'NoSuchBucketPolicy', 404);
  });
});

describe('a public-read policy', () => {
  const Bucket = 'policy-public-read';
  beforeAll(async () => {
    await openBucket(Bucket);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'hello.txt', Body: 'hello world' }));
  });

  it('GetBucketPolicy answers the policy as put; the status is public', async () => {
    const Policy = JSON.stringify({ Version: '2012-10-17', Statement: [publicRead(Bucket)] }, null, 2);
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy }));
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy).toBe(Policy);
    expect((await s3.send(new GetBucketPolicyStatusCommand({ Bucket }))).PolicyStatus?.IsPublic).toBe(true);
  });

  it('lets an anonymous GET through, but not a PUT, a listing, or a DELETE', async () => {
    const got = await anon(`/${Bucket}/hello.txt`);
    expect([got.status, got.text]).toEqual([200, 'hello world']);
    expect(await anon(`/${Bucket}/new.txt`, { method: 'PUT', body: 'x' })).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await anon(`/${Bucket}?list-type=2`)).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await anon(`/${Bucket}/hello.txt`, { method: 'DELETE' })).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('a missing key is AccessDenied to someone who may not list (as S3)', async () => {
    expect(await anon(`/${Bucket}/missing.txt`)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('RestrictPublicBuckets makes the public policy grant nothing to anonymous requests; the owner still reads', async () => {
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket,
        PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: true },
      }),
    );
    expect(await anon(`/${Bucket}/hello.txt`)).toMatchObject({ status: 403, code: 'AccessDenied' });
    const own = await s3.send(new GetObjectCommand({ Bucket, Key: 'hello.txt' }));
    expect(await own.Body!.transformToString()).toBe('hello world');
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
    expect((await anon(`/${Bucket}/hello.txt`)).status).toBe(200);
  });

  it('DeleteBucketPolicy takes the access away at once', async () => {
    await s3.send(new DeleteBucketPolicyCommand({ Bucket }));
    expect(await anon(`/${Bucket}/hello.txt`)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });
});

describe('conditions', () => {
  const Bucket = 'policy-conditions';
  beforeAll(async () => {
    await openBucket(Bucket);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'public/a.txt', Body: 'a' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'private/b.txt', Body: 'b' }));
  });

  it('aws:SourceIp: 127.0.0.1 is allowed, 10.0.0.0/8 is not', async () => {
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: policy(Bucket, publicRead(Bucket, { Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.1/32' } } })) }));
    expect((await anon(`/${Bucket}/public/a.txt`)).status).toBe(200);
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: policy(Bucket, publicRead(Bucket, { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })) }));
    expect(await anon(`/${Bucket}/public/a.txt`)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('s3:prefix limits an anonymous listing to one prefix', async () => {
    const list = { Sid: 'ListPublic', Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${Bucket}`, Condition: { StringEquals: { 's3:prefix': 'public/' } } };
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: policy(Bucket, list) }));
    const ok = await anon(`/${Bucket}?list-type=2&prefix=public/`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<Key>public/a.txt</Key>');
    expect(ok.text).not.toContain('private/');
    expect(await anon(`/${Bucket}?list-type=2&prefix=private/`)).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await anon(`/${Bucket}?list-type=2`)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('aws:Referer: a Deny (StringNotLike, true when absent) for requests not from the site', async () => {
    const Policy = policy(
      Bucket,
      publicRead(Bucket),
      { Sid: 'NoHotlinks', Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*`, Condition: { StringNotLike: { 'aws:Referer': 'https://example.com/*' } } },
    );
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy }));
    expect(await anon(`/${Bucket}/public/a.txt`)).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect((await anon(`/${Bucket}/public/a.txt`, { headers: { Referer: 'https://example.com/page' } })).status).toBe(200);
  });
});

describe('conditions on tags and transport', () => {
  const Bucket = 'policy-tags';
  beforeAll(async () => {
    await openBucket(Bucket);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'tagged-public', Body: 'p', Tagging: 'Class=public' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'tagged-internal', Body: 'i', Tagging: 'Class=internal' }));
  });

  it("s3:ExistingObjectTag: anonymous reads only the objects tagged Class=public", async () => {
    const Policy = policy(Bucket, publicRead(Bucket, { Condition: { StringEquals: { 's3:ExistingObjectTag/Class': 'public' } } }));
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy }));
    expect((await anon(`/${Bucket}/tagged-public`)).status).toBe(200);
    expect(await anon(`/${Bucket}/tagged-internal`)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('aws:SecureTransport: a Deny of plain HTTP stops the owner here (no TLS on this port)', async () => {
    const Policy = policy(Bucket, { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${Bucket}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy }));
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'tagged-public' })), 'AccessDenied', 403);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'tagged-public' }))).Body!.transformToString()).toBe('p');
  });
});

describe('an explicit Deny binds the bucket owner too', () => {
  const Bucket = 'policy-owner-deny';
  const Source = 'policy-copy-source';
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: Source }));
    for (const Key of ['secret/s.txt', 'open/o.txt', 'secret/d.txt', 'open/d.txt']) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    await s3.send(new PutObjectCommand({ Bucket: Source, Key: 'secret/x', Body: 'x' }));
  });

  it('a Deny on a prefix blocks the owner GET and DeleteObjects there, nowhere else', async () => {
    const deny = { Sid: 'NoSecrets', Effect: 'Deny', Principal: '*', Action: ['s3:GetObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::${Bucket}/secret/*` };
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: policy(Bucket, deny) }));
    expect((await s3.send(new GetBucketPolicyStatusCommand({ Bucket }))).PolicyStatus?.IsPublic).toBe(false);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'secret/s.txt' })), 'AccessDenied', 403);
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'open/o.txt' }))).Body!.transformToString()).toBe('open/o.txt');
    const res = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'secret/d.txt' }, { Key: 'open/d.txt' }] } }));
    expect(res.Deleted?.map((d) => d.Key)).toEqual(['open/d.txt']);
    expect(res.Errors?.map((e) => [e.Key, e.Code])).toEqual([['secret/d.txt', 'AccessDenied']]);
  });

  it("the source bucket's Deny stops a copy out of it", async () => {
    const deny = { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Source}/secret/*` };
    await s3.send(new PutBucketPolicyCommand({ Bucket: Source, Policy: policy(Source, deny) }));
    await expectS3Error(s3.send(new CopyObjectCommand({ Bucket, Key: 'open/copied', CopySource: `${Source}/secret/x` })), 'AccessDenied', 403);
  });

  it('Deny s3:* locks the owner out of everything but Get/Put/DeleteBucketPolicy (lockout protection)', async () => {
    const all = { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${Bucket}`, `arn:aws:s3:::${Bucket}/*`] };
    const Policy = policy(Bucket, all);
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy }));
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'open/o.txt' })), 'AccessDenied', 403);
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'open/new', Body: 'n' })), 'AccessDenied', 403);
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy).toBe(Policy);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'open/o.txt' }))).Body!.transformToString()).toBe('open/o.txt');
  });
});
