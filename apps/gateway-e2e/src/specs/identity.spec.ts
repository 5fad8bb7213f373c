import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '../support/clients';
import { CREDENTIALS, E2E_MODE, useGateway } from '../support/server';
import { bodyBytes, expectS3Error } from '../support/s3-assert';

/**
 * Issue 13, keys and grants: keys made through the admin CLI, each seeing and doing exactly what its
 * grants (or ACLs naming it) allow; the admin API answers the root key only; no secret reaches the logs.
 */
const gw = useGateway({ MASSIVE_LOG_LEVEL: 'debug' }, { keepLogs: true });
const ADMIN_CLI = resolve(__dirname, '../../../../tools/admin.mjs');
const AUTH_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const run = promisify(execFile);

interface Key {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Runs the admin CLI against this gateway, as the root key unless `as` is given. */
async function admin(args: readonly string[], as: { accessKey: string; secretKey: string } = { accessKey: CREDENTIALS.accessKeyId, secretKey: CREDENTIALS.secretAccessKey }): Promise<string> {
  const { stdout } = await run(process.execPath, [ADMIN_CLI, ...args], {
    env: { PATH: process.env['PATH'] ?? '', MASSIVE_ADMIN_URL: gw.adminUrl, MASSIVE_ACCESS_KEY: as.accessKey, MASSIVE_SECRET_KEY: as.secretKey },
  });
  return stdout;
}

async function adminFails(args: readonly string[], as?: { accessKey: string; secretKey: string }): Promise<string> {
  try {
    await admin(args, as);
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    expect(err.code).toBe(1);
    return err.stderr ?? '';
  }
  throw new Error(`admin ${args.join(' ')} succeeded`);
}

const clientOf = (k: Key): S3Client => s3Client(gw, { credentials: k });
const secrets: string[] = [];
let app1: Key;
let app2: Key;
let s1: S3Client;
let s2: S3Client;
let root: S3Client;
const suffix = Date.now().toString(36);
const b1 = `app1-bucket-${suffix}`;
const b2 = `app2-bucket-${suffix}`;
const shared = `shared-${suffix}`;

beforeAll(async () => {
  app1 = JSON.parse(await admin(['key', 'create', '--name', 'app1', '--json'])) as Key;
  app2 = JSON.parse(await admin(['key', 'create', '--name', 'app2', '--json'])) as Key;
  secrets.push(app1.secretAccessKey, app2.secretAccessKey, CREDENTIALS.secretAccessKey);
  expect(Object.keys(app1).sort()).toEqual(['accessKeyId', 'secretAccessKey']);
  s1 = clientOf(app1);
  s2 = clientOf(app2);
  root = s3Client(gw);
  await s1.send(new CreateBucketCommand({ Bucket: b1 }));
  await s2.send(new CreateBucketCommand({ Bucket: b2 }));
  await s1.send(new PutObjectCommand({ Bucket: b1, Key: 'private.txt', Body: 'app1 only' }));
  await root.send(new CreateBucketCommand({ Bucket: shared }));
  await root.send(new PutObjectCommand({ Bucket: shared, Key: 'doc.txt', Body: 'shared doc' }));
}, 60_000);

describe('keys and grants', () => {
  it('lists keys without secrets; each key sees only its own buckets, the root key all', async () => {
    const list = await admin(['key', 'list']);
    expect(list).toContain(app1.accessKeyId);
    expect(list).toContain('app2');
    for (const s of secrets) expect(list).not.toContain(s);
    const names = async (c: S3Client) => ((await c.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
    expect(await names(s1)).toEqual([b1]);
    expect(await names(s2)).toEqual([b2]);
    expect(await names(root)).toEqual(expect.arrayContaining([b1, b2, shared]));
    const owner = (await s1.send(new ListBucketsCommand({}))).Owner;
    expect(owner?.DisplayName).toBe('app1');
    expect(owner?.ID).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a second key reading a bucket it was not granted gets AccessDenied', async () => {
    await expectS3Error(s2.send(new GetObjectCommand({ Bucket: b1, Key: 'private.txt' })), 'AccessDenied', 403);
    await expectS3Error(s2.send(new ListObjectsV2Command({ Bucket: b1 })), 'AccessDenied', 403);
    await expectS3Error(s2.send(new PutObjectCommand({ Bucket: b1, Key: 'x', Body: 'x' })), 'AccessDenied', 403);
    await expectS3Error(s2.send(new DeleteBucketCommand({ Bucket: b1 })), 'AccessDenied', 403);
    await expect(s2.send(new HeadBucketCommand({ Bucket: b1 }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    // A bucket that does not exist is still 404 (as AWS).
    await expect(s2.send(new HeadBucketCommand({ Bucket: `missing-${suffix}` }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    // The root key may do everything.
    expect((await bodyBytes((await root.send(new GetObjectCommand({ Bucket: b1, Key: 'private.txt' }))).Body)).toString()).toBe('app1 only');
  });

  it('presigned URLs of a key carry its grants (the key is loaded from metadata before SigV4)', async () => {
    // A key whose first request is presigned: the gateway finds it from the query's X-Amz-Credential.
    const reader = JSON.parse(await admin(['key', 'create', '--name', 'presigner', '--json'])) as Key;
    secrets.push(reader.secretAccessKey);
    await admin(['key', 'allow', 'presigner', b1, '--read']);
    const own = await getSignedUrl(clientOf(reader), new GetObjectCommand({ Bucket: b1, Key: 'private.txt' }), { expiresIn: 300 });
    const ok = await fetch(own);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('app1 only');
    const foreign = await fetch(await getSignedUrl(s2, new GetObjectCommand({ Bucket: b1, Key: 'private.txt' }), { expiresIn: 300 }));
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('grants allow and deny exactly: read-only cannot PUT, write cannot change ACLs or delete the bucket', async () => {
    expect(await admin(['key', 'allow', 'app1', shared, '--read'])).toContain('read');
    await admin(['key', 'allow', 'app2', shared, '--write']);
    expect((await bodyBytes((await s1.send(new GetObjectCommand({ Bucket: shared, Key: 'doc.txt' }))).Body)).toString()).toBe('shared doc');
    expect((await s1.send(new ListObjectsV2Command({ Bucket: shared }))).KeyCount).toBe(1);
    await expectS3Error(s1.send(new PutObjectCommand({ Bucket: shared, Key: 'w', Body: 'w' })), 'AccessDenied', 403);
    await s2.send(new PutObjectCommand({ Bucket: shared, Key: 'from-app2', Body: 'written by app2' }));
    await expectS3Error(s2.send(new GetObjectCommand({ Bucket: shared, Key: 'doc.txt' })), 'AccessDenied', 403);
    await expectS3Error(s2.send(new PutBucketAclCommand({ Bucket: shared, ACL: 'private' })), 'AccessDenied', 403);
    await expectS3Error(s2.send(new DeleteBucketCommand({ Bucket: shared })), 'AccessDenied', 403);
    expect((await s1.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name).sort()).toEqual([b1, shared].sort());

    // A browser form signed by a key is held to the same grants.
    const form = async (c: S3Client, key: string): Promise<number> => {
      const { url, fields } = await createPresignedPost(c, { Bucket: shared, Key: key });
      const fd = new FormData();
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      fd.append('file', new Blob(['form bytes']), 'f.txt');
      const res = await fetch(url, { method: 'POST', body: fd });
      await res.arrayBuffer();
      return res.status;
    };
    expect(await form(s2, 'form-by-app2')).toBe(204);
    expect(await form(s1, 'form-by-app1')).toBe(403);

    const info = await admin(['bucket', 'info', shared]);
    expect(info).toMatch(/app1 \(MK[0-9A-F]+\): read\n/);
    expect(info).toMatch(/app2 \(MK[0-9A-F]+\): write/);
    const json = JSON.parse(await admin(['bucket', 'info', shared, '--json'])) as { objectLock: boolean; grants: { name: string; read: boolean; write: boolean; owner: boolean }[] };
    expect(json.grants.find((g) => g.name === 'app1')).toMatchObject({ read: true, write: false, owner: false });
    expect(json.objectLock).toBe(false);
    const locked = `locked-${suffix}`;
    await root.send(new CreateBucketCommand({ Bucket: locked, ObjectLockEnabledForBucket: true }));
    expect(await admin(['bucket', 'info', locked])).toMatch(/versioning Enabled {2}object lock\n/);

    expect(await admin(['key', 'deny', 'app1', shared, '--read'])).toContain('none');
    await expectS3Error(s1.send(new GetObjectCommand({ Bucket: shared, Key: 'doc.txt' })), 'AccessDenied', 403);
    expect((await s1.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([b1]);
  });

  it('ACL grants to another key (its canonical id) and to AuthenticatedUsers are honoured where ACLs count', async () => {
    const app2Id = (await s2.send(new ListBucketsCommand({}))).Owner?.ID as string;
    const app1Id = (await s1.send(new ListBucketsCommand({}))).Owner?.ID as string;
    await s1.send(new PutBucketOwnershipControlsCommand({ Bucket: b1, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } }));
    await s1.send(new PutObjectCommand({ Bucket: b1, Key: 'for-app2.txt', Body: 'hello app2' }));
    await s1.send(new PutObjectAclCommand({ Bucket: b1, Key: 'for-app2.txt', GrantRead: `id=${app2Id}` }));
    expect((await bodyBytes((await s2.send(new GetObjectCommand({ Bucket: b1, Key: 'for-app2.txt' }))).Body)).toString()).toBe('hello app2');
    await expectS3Error(s2.send(new GetObjectCommand({ Bucket: b1, Key: 'private.txt' })), 'AccessDenied', 403);
    await expectS3Error(s2.send(new ListObjectsV2Command({ Bucket: b1 })), 'AccessDenied', 403);
    // An id that names no key is refused, as AWS refuses an unknown account.
    await expectS3Error(s1.send(new PutObjectAclCommand({ Bucket: b1, Key: 'for-app2.txt', GrantRead: `id=${'0'.repeat(64)}` })), 'InvalidArgument', 400);

    await s1.send(new PutBucketAclCommand({ Bucket: b1, GrantFullControl: `id=${app1Id}`, GrantRead: `id=${app2Id}` }));
    expect((await s2.send(new ListObjectsV2Command({ Bucket: b1 }))).Contents?.map((o) => o.Key)).toEqual(['for-app2.txt', 'private.txt']);
    const acl = await s1.send(new GetBucketAclCommand({ Bucket: b1 }));
    expect(acl.Grants).toEqual(expect.arrayContaining([expect.objectContaining({ Grantee: expect.objectContaining({ ID: app2Id }), Permission: 'READ' })]));
    await expectS3Error(s2.send(new PutObjectCommand({ Bucket: b1, Key: 'x', Body: 'x' })), 'AccessDenied', 403);

    // AuthenticatedUsers: any valid key (public, so Block Public Access must be lifted first).
    await s2.send(new PutBucketOwnershipControlsCommand({ Bucket: b2, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
    await s2.send(new DeletePublicAccessBlockCommand({ Bucket: b2 }));
    await expectS3Error(s1.send(new ListObjectsV2Command({ Bucket: b2 })), 'AccessDenied', 403);
    await s2.send(new PutBucketAclCommand({ Bucket: b2, GrantFullControl: `id=${app2Id}`, GrantRead: `uri=${AUTH_USERS}` }));
    expect((await s1.send(new ListObjectsV2Command({ Bucket: b2 }))).KeyCount).toBe(0);
    await expectS3Error(s1.send(new PutObjectCommand({ Bucket: b2, Key: 'x', Body: 'x' })), 'AccessDenied', 403);
  });

  it('CreateBucket grants to another key, and an object ACL\'s WRITE_ACP lets that key change the object\'s ACL', async () => {
    const app2Id = (await s2.send(new ListBucketsCommand({}))).Owner?.ID as string;
    const app1Id = (await s1.send(new ListBucketsCommand({}))).Owner?.ID as string;
    const b3 = `app1-granted-${suffix}`;
    // A name that is no key is refused before anything is created.
    await expectS3Error(
      s1.send(new CreateBucketCommand({ Bucket: b3, ObjectOwnership: 'ObjectWriter', GrantFullControl: `id=${app1Id}`, GrantRead: `id=${'0'.repeat(64)}` })),
      'InvalidArgument',
      400,
    );
    await expectS3Error(s1.send(new HeadBucketCommand({ Bucket: b3 })), 'NotFound', 404);
    await s1.send(new CreateBucketCommand({ Bucket: b3, ObjectOwnership: 'ObjectWriter', GrantFullControl: `id=${app1Id}`, GrantRead: `id=${app2Id}` }));
    await s1.send(new PutObjectCommand({ Bucket: b3, Key: 'acp.txt', Body: 'acp' }));
    expect((await s2.send(new ListObjectsV2Command({ Bucket: b3 }))).Contents?.map((o) => o.Key)).toEqual(['acp.txt']);

    // app2 holds no grant on b3 beyond READ: PutObjectAcl needs WRITE_ACP on the object itself.
    await expectS3Error(s2.send(new PutObjectAclCommand({ Bucket: b3, Key: 'acp.txt', ACL: 'private' })), 'AccessDenied', 403);
    await s1.send(new PutObjectAclCommand({ Bucket: b3, Key: 'acp.txt', GrantFullControl: `id=${app1Id}`, GrantWriteACP: `id=${app2Id}` }));
    await s2.send(new PutObjectAclCommand({ Bucket: b3, Key: 'acp.txt', GrantFullControl: `id=${app1Id}`, GrantRead: `id=${app2Id}` }));
    expect((await bodyBytes((await s2.send(new GetObjectCommand({ Bucket: b3, Key: 'acp.txt' }))).Body)).toString()).toBe('acp');
    // ...and it gave WRITE_ACP away with that ACL: no second change.
    await expectS3Error(s2.send(new PutObjectAclCommand({ Bucket: b3, Key: 'acp.txt', ACL: 'private' })), 'AccessDenied', 403);
  });

  it('the admin API refuses anonymous requests and every key but the root key', async () => {
    const anonymous = await fetch(`${gw.adminUrl}/v1/keys`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.json()).toMatchObject({ error: 'AccessDenied' });
    const created = await fetch(`${gw.adminUrl}/v1/keys`, { method: 'POST', body: JSON.stringify({ name: 'sneaky' }) });
    expect(created.status).toBe(403);
    expect(await adminFails(['key', 'list'], { accessKey: app1.accessKeyId, secretKey: app1.secretAccessKey })).toContain('AccessDenied');
    expect(await adminFails(['key', 'create', '--name', 'sneaky'], { accessKey: CREDENTIALS.accessKeyId, secretKey: 'wrong-secret' })).toContain('AccessDenied');
    expect(await admin(['key', 'list'])).not.toContain('sneaky');
    expect(await adminFails(['key', 'delete', 'no-such-key'])).toContain('NoSuchAccessKey');
    // Local mode serves it on the S3 port under /-/admin/; distributed mode only on the gateway's admin port.
    if (E2E_MODE === 'distributed') {
      expect(gw.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin$/);
      expect((await fetch(`${gw.endpoint}/-/admin/v1/keys`)).status).toBe(404);
    } else {
      expect(gw.adminUrl).toBe(`${gw.endpoint}/-/admin`);
    }
    expect(await adminFails(['key', 'allow', 'app1', `missing-${suffix}`, '--read'])).toContain('NoSuchBucket');
  });

  it('a deleted key is InvalidAccessKeyId at once', async () => {
    const temp = JSON.parse(await admin(['key', 'create', '--name', 'temp', '--json'])) as Key;
    secrets.push(temp.secretAccessKey);
    const t = clientOf(temp);
    expect((await t.send(new ListBucketsCommand({}))).Buckets).toEqual([]);
    expect(await admin(['key', 'delete', 'temp'])).toContain(temp.accessKeyId);
    await expectS3Error(t.send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403);
    await expectS3Error(
      clientOf({ accessKeyId: 'MKNOSUCHKEY000000000', secretAccessKey: 'x'.repeat(40) }).send(new ListBucketsCommand({})),
      'InvalidAccessKeyId',
      403,
    );
  });

  it('creating a key prints its secret once; no secret ever reaches the logs', async () => {
    const text = await admin(['key', 'create', '--name', 'printed']);
    const secret = /secret key:\s+(\S+)/.exec(text)?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9]{40}$/);
    secrets.push(secret as string);
    expect(await admin(['key', 'info', 'printed'])).not.toContain(secret);
    // The run's whole output (debug level, every request and admin action so far), once this key's
    // creation has come through the log pipe.
    const logs = await gw.logged('"name":"printed"');
    expect(logs).toContain('"action":"CreateKey"');
    for (const s of secrets) expect(logs).not.toContain(s);
  });
});
