import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  DeleteBucketOwnershipControlsCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  UploadPartCommand,
  type Grant,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { useGateway } from '../support/server';
import { expectErrorXml, expectS3Error } from '../support/s3-assert';
import { rawRequest } from '../support/raw-http';

const gw = useGateway();
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTH_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
let s3: S3Client;
let anon: S3Client;
let ownerId: string;

/** An SDK client that sends requests without any signature (anonymous). */
function anonymousClient(): S3Client {
  return s3Client(gw, { signer: { sign: async (request) => request } });
}

async function fetchS3(path: string, init?: RequestInit): Promise<{ status: number; text: string; code?: string; headers: Headers }> {
  const r = await fetch(`${gw.endpoint}${path}`, init);
  const text = await r.text();
  return { status: r.status, text, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1], headers: r.headers };
}

function summary(grants: Grant[] | undefined): string[] {
  return (grants ?? []).map((g) => `${g.Grantee?.Type}:${g.Grantee?.ID ?? g.Grantee?.URI ?? g.Grantee?.EmailAddress}:${g.Permission}`).sort();
}

/** A bucket with ACLs enabled (ObjectWriter) and Block Public Access lifted, as AWS requires for public ACLs. */
async function openBucket(Bucket: string, ACL?: 'public-read' | 'public-read-write'): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket, ObjectOwnership: 'ObjectWriter' }));
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
  if (ACL) await s3.send(new PutBucketAclCommand({ Bucket, ACL }));
}

beforeAll(async () => {
  s3 = s3Client(gw);
  anon = anonymousClient();
  await s3.send(new CreateBucketCommand({ Bucket: 'acl-default' }));
  await s3.send(new PutObjectCommand({ Bucket: 'acl-default', Key: 'obj', Body: 'private' }));
  ownerId = (await s3.send(new GetBucketAclCommand({ Bucket: 'acl-default' }))).Owner!.ID!;
});

describe('new buckets: BucketOwnerEnforced and Block Public Access (AWS since 2023)', () => {
  const Bucket = 'acl-default';

  it('GetBucketOwnershipControls / GetPublicAccessBlock show the defaults', async () => {
    const oc = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket }));
    expect(oc.OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket }));
    expect(pab.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
  });

  it('GetBucketAcl / GetObjectAcl answer the owner FULL_CONTROL', async () => {
    const b = await s3.send(new GetBucketAclCommand({ Bucket }));
    expect(b.Owner?.ID).toBeTruthy();
    expect(summary(b.Grants)).toEqual([`CanonicalUser:${ownerId}:FULL_CONTROL`]);
    const o = await s3.send(new GetObjectAclCommand({ Bucket, Key: 'obj' }));
    expect(o.Owner?.ID).toBe(ownerId);
    expect(summary(o.Grants)).toEqual([`CanonicalUser:${ownerId}:FULL_CONTROL`]);
  });

  it('refuses ACLs: AccessControlListNotSupported, but accepts bucket-owner-full-control', async () => {
    await expectS3Error(s3.send(new PutBucketAclCommand({ Bucket, ACL: 'public-read' })), 'AccessControlListNotSupported', 400);
    await expectS3Error(s3.send(new PutObjectAclCommand({ Bucket, Key: 'obj', ACL: 'public-read' })), 'AccessControlListNotSupported', 400);
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'pub', Body: 'x', ACL: 'public-read' })), 'AccessControlListNotSupported', 400);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'pub' })), 'NoSuchKey', 404);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'bofc', Body: 'x', ACL: 'bucket-owner-full-control' }));
    await s3.send(new PutObjectAclCommand({ Bucket, Key: 'obj', ACL: 'bucket-owner-full-control' }));
  });

  it('CreateBucket with a public canned ACL: InvalidBucketAclWithObjectOwnership, and no bucket', async () => {
    await expectS3Error(s3.send(new CreateBucketCommand({ Bucket: 'acl-refused', ACL: 'public-read' })), 'InvalidBucketAclWithObjectOwnership', 400);
    await expectS3Error(s3.send(new GetBucketAclCommand({ Bucket: 'acl-refused' })), 'NoSuchBucket', 404);
    await expectS3Error(
      s3.send(new CreateBucketCommand({ Bucket: 'acl-refused', ACL: 'public-read', ObjectOwnership: 'ObjectWriter' })),
      'InvalidBucketAclWithBlockPublicAccessError',
      400,
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'acl-private', ACL: 'private' }));
  });

  it('a private object and a private bucket stay AccessDenied to anonymous requests', async () => {
    for (const [method, path] of [
      ['GET', `/${Bucket}/obj`],
      ['HEAD', `/${Bucket}/obj`],
      ['GET', `/${Bucket}`],
      ['GET', `/${Bucket}?list-type=2`],
      ['PUT', `/${Bucket}/anon`],
      ['GET', `/${Bucket}?acl`],
    ]) {
      const r = await fetchS3(path, { method, body: method === 'PUT' ? 'x' : undefined });
      expect([method, path, r.status]).toEqual([method, path, 403]);
      if (method !== 'HEAD') expectErrorXml(r.text, 'AccessDenied', r.headers.get('x-amz-request-id'));
    }
  });
});

describe('ObjectWriter buckets: ACLs stored and enforced', () => {
  const Bucket = 'acl-open';
  beforeAll(async () => {
    await openBucket(Bucket);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'public.txt', Body: 'hello world', ACL: 'public-read', ContentType: 'text/plain' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'private.txt', Body: 'secret' }));
  });

  it('a public-read object is fetched with plain HTTP, without a signature', async () => {
    const r = await fetchS3(`/${Bucket}/public.txt`);
    expect([r.status, r.text, r.headers.get('content-type')]).toEqual([200, 'hello world', 'text/plain']);
    const h = await fetch(`${gw.endpoint}/${Bucket}/public.txt`, { method: 'HEAD' });
    expect([h.status, h.headers.get('content-length')]).toEqual([200, '11']);
  });

  it('and with an SDK client that has no credentials', async () => {
    const got = await anon.send(new GetObjectCommand({ Bucket, Key: 'public.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello world');
    await anon.send(new HeadObjectCommand({ Bucket, Key: 'public.txt' }));
    await expectS3Error(anon.send(new GetObjectCommand({ Bucket, Key: 'private.txt' })), 'AccessDenied', 403);
  });

  it('a private object, a missing key (bucket not listable) and the listing are AccessDenied', async () => {
    await expectS3Error(anon.send(new GetObjectCommand({ Bucket, Key: 'missing' })), 'AccessDenied', 403);
    await expectS3Error(anon.send(new ListObjectsV2Command({ Bucket })), 'AccessDenied', 403);
    await expectS3Error(anon.send(new PutObjectCommand({ Bucket, Key: 'anon', Body: 'x' })), 'AccessDenied', 403);
    const r = await fetchS3(`/${Bucket}/private.txt`);
    expect(r.status).toBe(403);
    expectErrorXml(r.text, 'AccessDenied');
  });

  it('GetObjectAcl shows the canned grants expanded', async () => {
    const o = await s3.send(new GetObjectAclCommand({ Bucket, Key: 'public.txt' }));
    expect(summary(o.Grants)).toEqual([`CanonicalUser:${ownerId}:FULL_CONTROL`, `Group:${ALL_USERS}:READ`]);
  });

  it('PutObjectAcl makes an object public and private again', async () => {
    await s3.send(new PutObjectAclCommand({ Bucket, Key: 'private.txt', ACL: 'public-read' }));
    expect((await fetchS3(`/${Bucket}/private.txt`)).text).toBe('secret');
    await s3.send(new PutObjectAclCommand({ Bucket, Key: 'private.txt', ACL: 'private' }));
    expect((await fetchS3(`/${Bucket}/private.txt`)).status).toBe(403);
  });

  it('PutObjectAcl with an AccessControlPolicy body and with grant headers', async () => {
    await s3.send(
      new PutObjectAclCommand({
        Bucket,
        Key: 'private.txt',
        AccessControlPolicy: {
          Owner: { ID: ownerId },
          Grants: [
            { Grantee: { Type: 'CanonicalUser', ID: ownerId }, Permission: 'FULL_CONTROL' },
            { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
          ],
        },
      }),
    );
    expect((await fetchS3(`/${Bucket}/private.txt`)).status).toBe(200);
    await s3.send(new PutObjectAclCommand({ Bucket, Key: 'private.txt', GrantRead: `uri="${AUTH_USERS}"`, GrantFullControl: `id="${ownerId}"` }));
    const o = await s3.send(new GetObjectAclCommand({ Bucket, Key: 'private.txt' }));
    expect(summary(o.Grants)).toEqual([`CanonicalUser:${ownerId}:FULL_CONTROL`, `Group:${AUTH_USERS}:READ`]);
    // AuthenticatedUsers is not everyone: an anonymous request stays out.
    expect((await fetchS3(`/${Bucket}/private.txt`)).status).toBe(403);
  });

  it('grantees we cannot honour are refused clearly', async () => {
    await expectS3Error(s3.send(new PutObjectAclCommand({ Bucket, Key: 'private.txt', GrantRead: 'emailAddress="someone@example.com"' })), 'UnresolvableGrantByEmailAddress', 400);
    await expectS3Error(s3.send(new PutObjectAclCommand({ Bucket, Key: 'private.txt', GrantRead: `id="${'f'.repeat(64)}"` })), 'InvalidArgument', 400);
    await expectS3Error(
      s3.send(
        new PutBucketAclCommand({
          Bucket,
          AccessControlPolicy: { Owner: { ID: ownerId }, Grants: [{ Grantee: { Type: 'AmazonCustomerByEmail', EmailAddress: 'a@example.com' }, Permission: 'READ' }] },
        }),
      ),
      'UnresolvableGrantByEmailAddress',
      400,
    );
    await expectS3Error(s3.send(new PutObjectAclCommand({ Bucket, Key: 'private.txt', ACL: 'public-read', GrantRead: `id="${ownerId}"` })), 'InvalidRequest', 400);
    const r = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/private.txt`, query: { acl: '' }, body: '<AccessControlPolicy><Nope/></AccessControlPolicy>' });
    expect(r.status).toBe(400);
    expectErrorXml(r.text, 'MalformedACLError');
  });

  it('PutObjectAcl with versionId changes that version only', async () => {
    const Bucket2 = 'acl-versions';
    await openBucket(Bucket2);
    await s3.send(new PutBucketVersioningCommand({ Bucket: Bucket2, VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = await s3.send(new PutObjectCommand({ Bucket: Bucket2, Key: 'k', Body: 'one' }));
    await s3.send(new PutObjectCommand({ Bucket: Bucket2, Key: 'k', Body: 'two' }));
    const put = await s3.send(new PutObjectAclCommand({ Bucket: Bucket2, Key: 'k', VersionId: v1.VersionId, ACL: 'public-read' }));
    expect(put.$metadata.httpStatusCode).toBe(200);
    expect((await fetchS3(`/${Bucket2}/k?versionId=${v1.VersionId}`)).text).toBe('one');
    expect((await fetchS3(`/${Bucket2}/k`)).status).toBe(403);
    const acl = await s3.send(new GetObjectAclCommand({ Bucket: Bucket2, Key: 'k', VersionId: v1.VersionId }));
    expect(summary(acl.Grants)).toContain(`Group:${ALL_USERS}:READ`);
  });

  it('CopyObject gets the requested ACL, not the source one', async () => {
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-private', CopySource: `${Bucket}/public.txt` }));
    expect((await fetchS3(`/${Bucket}/copy-private`)).status).toBe(403);
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-public', CopySource: `${Bucket}/private.txt`, ACL: 'public-read' }));
    expect((await fetchS3(`/${Bucket}/copy-public`)).status).toBe(200);
  });

  it('CreateMultipartUpload ACL applies at Complete', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mpu', ACL: 'public-read' }));
    const p = await s3.send(new UploadPartCommand({ Bucket, Key: 'mpu', UploadId, PartNumber: 1, Body: 'multipart body' }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mpu', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] } }));
    expect((await fetchS3(`/${Bucket}/mpu`)).text).toBe('multipart body');
  });
});

describe('public-read and public-read-write buckets', () => {
  it('a public-read bucket lists anonymously (ListObjects and V2), and a missing key is then 404', async () => {
    const Bucket = 'acl-listable';
    await openBucket(Bucket, 'public-read');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'a.txt', Body: 'a' }));
    const list = await anon.send(new ListObjectsV2Command({ Bucket }));
    expect(list.Contents?.map((c) => c.Key)).toEqual(['a.txt']);
    const v1 = await fetchS3(`/${Bucket}`);
    expect(v1.status).toBe(200);
    expect(v1.text).toContain('<Key>a.txt</Key>');
    // Listing the bucket is allowed, its private objects are not readable.
    expect((await fetchS3(`/${Bucket}/a.txt`)).status).toBe(403);
    expect((await fetchS3(`/${Bucket}/missing`)).code).toBe('NoSuchKey');
    const acl = await s3.send(new GetBucketAclCommand({ Bucket }));
    expect(summary(acl.Grants)).toEqual([`CanonicalUser:${ownerId}:FULL_CONTROL`, `Group:${ALL_USERS}:READ`]);
  });

  it('an anonymous PUT into a public-read-write bucket is stored (owned by the bucket owner)', async () => {
    const Bucket = 'acl-writable';
    await openBucket(Bucket, 'public-read-write');
    const put = await fetchS3(`/${Bucket}/dropped.txt`, { method: 'PUT', body: 'dropped' });
    expect(put.status).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'dropped.txt' }));
    expect(await got.Body!.transformToString()).toBe('dropped');
    const acl = await s3.send(new GetBucketAclCommand({ Bucket }));
    expect(summary(acl.Grants)).toEqual([`CanonicalUser:${ownerId}:FULL_CONTROL`, `Group:${ALL_USERS}:READ`, `Group:${ALL_USERS}:WRITE`]);
  });
});

describe('Block Public Access and ownership changes override public ACLs', () => {
  const Bucket = 'acl-blocked';
  beforeAll(async () => {
    await openBucket(Bucket, 'public-read');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'public.txt', Body: 'public', ACL: 'public-read' }));
  });

  it('IgnorePublicAcls: public objects and listings are AccessDenied until lifted', async () => {
    expect((await fetchS3(`/${Bucket}/public.txt`)).status).toBe(200);
    await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
    expect((await fetchS3(`/${Bucket}/public.txt`)).status).toBe(403);
    await expectS3Error(anon.send(new ListObjectsV2Command({ Bucket })), 'AccessDenied', 403);
    const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket }));
    expect(pab.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
    await expectS3Error(s3.send(new GetPublicAccessBlockCommand({ Bucket })), 'NoSuchPublicAccessBlockConfiguration', 404);
    expect((await fetchS3(`/${Bucket}/public.txt`)).status).toBe(200);
  });

  it('BlockPublicAcls: new public ACLs are AccessDenied, private ones pass', async () => {
    await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true } }));
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'p2', Body: 'x', ACL: 'public-read' })), 'AccessDenied', 403);
    await expectS3Error(s3.send(new PutObjectAclCommand({ Bucket, Key: 'public.txt', ACL: 'public-read-write' })), 'AccessDenied', 403);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'p3', Body: 'x', ACL: 'private' }));
    // Existing public ACLs still count (only IgnorePublicAcls stops them).
    expect((await fetchS3(`/${Bucket}/public.txt`)).status).toBe(200);
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
  });

  it('BucketOwnerEnforced: refused while the bucket ACL is public; once set, object ACLs stop counting', async () => {
    const enforce = () => s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
    await expectS3Error(enforce(), 'InvalidBucketAclWithObjectOwnership', 400);
    await s3.send(new PutBucketAclCommand({ Bucket, ACL: 'private' }));
    await enforce();
    expect((await fetchS3(`/${Bucket}/public.txt`)).status).toBe(403);
    const o = await s3.send(new GetObjectAclCommand({ Bucket, Key: 'public.txt' }));
    expect(summary(o.Grants)).toEqual([`CanonicalUser:${ownerId}:FULL_CONTROL`]);
    await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket }));
    await expectS3Error(s3.send(new GetBucketOwnershipControlsCommand({ Bucket })), 'OwnershipControlsNotFoundError', 404);
    expect((await fetchS3(`/${Bucket}/public.txt`)).status).toBe(200);
  });
});
