import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import {
  ChecksumMode,
  CreateBucketCommand,
  DeletePublicAccessBlockCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { s3Client } from '../support/clients';
import { CREDENTIALS, REGION, useGateway } from '../support/server';
import { bodyBytes, expectErrorXml, expectS3Error, md5Hex, parseXml, patternBytes } from '../support/s3-assert';

const KiB = 1024;
const MiB = 1024 * KiB;

// Small chunks and inline threshold: a few MiB span several chunk files; small files stay inline.
const gw = useGateway({ MASSIVE_CHUNK_SIZE: String(MiB), MASSIVE_INLINE_THRESHOLD: String(64 * KiB) });

type Fields = Record<string, string>;
type Condition = unknown;

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const amzDate = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/**
 * A hand-built SigV4 form (independent of the SDK): the policy is the base64 of `doc`, signed with the
 * scope key. `extra` fields come first, the auth fields after, as in AWS's examples.
 */
function signedForm(conditions: Condition[], extra: Fields, opts: { expiration?: Date; secret?: string; accessKeyId?: string; raw?: string } = {}): Fields {
  const now = new Date();
  const date = amzDate(now);
  const credential = `${opts.accessKeyId ?? CREDENTIALS.accessKeyId}/${date.slice(0, 8)}/${REGION}/s3/aws4_request`;
  const auth = { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Credential': credential, 'X-Amz-Date': date };
  const doc = opts.raw ?? JSON.stringify({ expiration: (opts.expiration ?? new Date(now.getTime() + 600_000)).toISOString(), conditions: [...conditions, ...Object.entries(auth).map(([k, v]) => ({ [k]: v }))] });
  const policy = Buffer.from(doc, 'utf8').toString('base64');
  const key = hmac(hmac(hmac(hmac(`AWS4${opts.secret ?? CREDENTIALS.secretAccessKey}`, date.slice(0, 8)), REGION), 's3'), 'aws4_request');
  return { ...extra, ...auth, Policy: policy, 'X-Amz-Signature': hmac(key, policy).toString('hex') };
}

interface Posted {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** POSTs a multipart form with the file last (and `after` fields after it), as a browser does. */
async function post(bucket: string, fields: Fields, file: Buffer | string | undefined, opts: { filename?: string; after?: Fields; url?: string } = {}): Promise<Posted> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  if (file !== undefined) fd.append('file', new Blob([file]), opts.filename ?? 'upload.bin');
  for (const [k, v] of Object.entries(opts.after ?? {})) fd.append(k, v);
  const res = await fetch(opts.url ?? `${gw.endpoint}/${bucket}`, { method: 'POST', body: fd, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function expectError(r: Posted, code: string, status: number, message?: string | RegExp): Record<string, string> {
  expect({ status: r.status, text: r.text }).toMatchObject({ status });
  const e = expectErrorXml(r.text, code, r.headers.get('x-amz-request-id'));
  if (message !== undefined) expect(e['Message']).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  return e;
}

describe('PostObject (browser form uploads)', () => {
  const Bucket = 'post-uploads';
  let s3: S3Client;
  beforeAll(async () => {
    s3 = s3Client(gw);
    await s3.send(new CreateBucketCommand({ Bucket }));
  });

  async function getBytes(Key: string): Promise<Buffer> {
    return bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key }))).Body);
  }

  describe('with the AWS SDK form builder (@aws-sdk/s3-presigned-post)', () => {
    it('uploads; the default answer is 204 with ETag and Location; the object reads back', async () => {
      const body = patternBytes(1000, 3);
      const { url, fields } = await createPresignedPost(s3, { Bucket, Key: 'sdk/plain.bin' });
      expect(url).toBe(`${gw.endpoint}/${Bucket}`);
      const r = await post(Bucket, fields, body);
      expect(r.status).toBe(204);
      expect(r.text).toBe('');
      expect(r.headers.get('etag')).toBe(`"${md5Hex(body)}"`);
      expect(r.headers.get('location')).toBe(`${gw.endpoint}/${Bucket}/sdk%2Fplain.bin`);
      expect(await getBytes('sdk/plain.bin')).toEqual(body);
    });

    it('substitutes ${filename} into the key (the SDK then signs a starts-with condition)', async () => {
      const { fields } = await createPresignedPost(s3, { Bucket, Key: 'user/eric/${filename}' });
      const r = await post(Bucket, fields, 'photo bytes', { filename: 'photo 1.png' });
      expect(r.status).toBe(204);
      expect(r.headers.get('location')).toBe(`${gw.endpoint}/${Bucket}/user%2Feric%2Fphoto%201.png`);
      expect((await getBytes('user/eric/photo 1.png')).toString()).toBe('photo bytes');
    });

    it('success_action_status 201 answers the PostResponse document; 200 an empty body; others the default 204', async () => {
      const { fields } = await createPresignedPost(s3, { Bucket, Key: 'sdk/201', Fields: { success_action_status: '201' } });
      const r = await post(Bucket, fields, 'x');
      expect(r.status).toBe(201);
      expect(r.headers.get('content-type')).toBe('application/xml');
      expect(parseXml(r.text)).toMatchObject({
        PostResponse: { Location: `${gw.endpoint}/${Bucket}/sdk%2F201`, Bucket, Key: 'sdk/201', ETag: `"${md5Hex('x')}"` },
      });
      const ok = await post(Bucket, (await createPresignedPost(s3, { Bucket, Key: 'sdk/200', Fields: { success_action_status: '200' } })).fields, 'x');
      expect([ok.status, ok.text]).toEqual([200, '']);
      const odd = await post(Bucket, (await createPresignedPost(s3, { Bucket, Key: 'sdk/404', Fields: { success_action_status: '404' } })).fields, 'x');
      expect(odd.status).toBe(204);
    });

    it('success_action_redirect (and the older redirect) answer 303 to the URL with bucket, key and etag added', async () => {
      const { fields } = await createPresignedPost(s3, { Bucket, Key: 'sdk/r e', Fields: { success_action_redirect: 'https://app.example/done?x=1' } });
      const r = await post(Bucket, fields, 'abc');
      expect(r.status).toBe(303);
      const loc = new URL(r.headers.get('location')!);
      expect(`${loc.origin}${loc.pathname}`).toBe('https://app.example/done');
      expect(Object.fromEntries(loc.searchParams)).toEqual({ x: '1', bucket: Bucket, key: 'sdk/r e', etag: `"${md5Hex('abc')}"` });
      const old = await post(Bucket, (await createPresignedPost(s3, { Bucket, Key: 'sdk/old', Fields: { redirect: 'http://app.example/' } })).fields, 'abc');
      expect(old.status).toBe(303);
      expect(old.headers.get('location')).toBe(`http://app.example/?bucket=${Bucket}&key=sdk%2Fold&etag=%22${md5Hex('abc')}%22`);
    });

    it('stores Content-Type and the standard headers and user metadata (UTF-8 too) from the form', async () => {
      const meta = { 'Content-Type': 'image/png', 'Cache-Control': 'max-age=60', 'Content-Disposition': 'inline', 'x-amz-meta-color': 'rot-grün', 'x-amz-meta-id': '42' };
      const { fields } = await createPresignedPost(s3, { Bucket, Key: 'sdk/meta', Fields: meta });
      expect((await post(Bucket, fields, 'png')).status).toBe(204);
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'sdk/meta' }));
      expect(head).toMatchObject({ ContentType: 'image/png', CacheControl: 'max-age=60', ContentDisposition: 'inline', ContentLength: 3 });
      // Non-ASCII metadata comes back RFC 2047-encoded, as from AWS.
      expect(head.Metadata).toEqual({ color: `=?UTF-8?B?${Buffer.from('rot-grün').toString('base64')}?=`, id: '42' });
    });

    it('stores an x-amz-website-redirect-location field as a PUT stores the header', async () => {
      const { fields } = await createPresignedPost(s3, { Bucket, Key: 'sdk/moved', Fields: { 'x-amz-website-redirect-location': '/new.html' } });
      expect((await post(Bucket, fields, 'old')).status).toBe(204);
      expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'sdk/moved' }))).WebsiteRedirectLocation).toBe('/new.html');
    });

    it('x-amz-server-side-encryption AES256 in the form stores the file encrypted (SSE-S3), as a PUT with the header', async () => {
      const body = patternBytes(2 * MiB + 5, 10);
      const { fields } = await createPresignedPost(s3, { Bucket, Key: 'sdk/encrypted.bin', Fields: { 'x-amz-server-side-encryption': 'AES256' } });
      const r = await post(Bucket, fields, body);
      expect(r.status).toBe(204);
      expect(r.headers.get('x-amz-server-side-encryption')).toBe('AES256');
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'sdk/encrypted.bin' }));
      expect(got.ServerSideEncryption).toBe('AES256');
      expect((await bodyBytes(got.Body)).equals(body)).toBe(true);
      const { fields: kms } = await createPresignedPost(s3, { Bucket, Key: 'sdk/kms.bin', Fields: { 'x-amz-server-side-encryption': 'aws:kms:dsse' } });
      expectError(await post(Bucket, kms, 'x'), 'NotImplemented', 501);
      // SSE-C fields (served over TLS: sse-c.spec.ts) are refused over plain HTTP, as the headers are, and nothing is stored.
      const key = Buffer.alloc(32, 9);
      const sseC = {
        'x-amz-server-side-encryption-customer-algorithm': 'AES256',
        'x-amz-server-side-encryption-customer-key': key.toString('base64'),
        'x-amz-server-side-encryption-customer-key-MD5': createHash('md5').update(key).digest('base64'),
      };
      const { fields: customer } = await createPresignedPost(s3, { Bucket, Key: 'sdk/ssec.bin', Fields: sseC });
      expectError(await post(Bucket, customer, 'x'), 'InvalidArgument', 400, 'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.');
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'sdk/ssec.bin' })), 'NotFound', 404);
    });

    it('Object Lock fields in the form set the retention and legal hold, as a PUT\'s headers; on a bucket without Object Lock: InvalidRequest', async () => {
      const lb = 'post-lock';
      await s3.send(new CreateBucketCommand({ Bucket: lb, ObjectLockEnabledForBucket: true }));
      const until = new Date(Date.now() + 86_400_000 + 123);
      const lockFields = { 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': until.toISOString(), 'x-amz-object-lock-legal-hold': 'ON' };
      const { fields } = await createPresignedPost(s3, { Bucket: lb, Key: 'locked.txt', Fields: lockFields });
      expect((await post(lb, fields, 'locked by a form')).status).toBe(204);
      const head = await s3.send(new HeadObjectCommand({ Bucket: lb, Key: 'locked.txt' }));
      expect(head).toMatchObject({ ObjectLockMode: 'GOVERNANCE', ObjectLockLegalHoldStatus: 'ON' });
      expect(head.ObjectLockRetainUntilDate?.getTime()).toBe(until.getTime());
      const { fields: plain } = await createPresignedPost(s3, { Bucket, Key: 'sdk/locked.txt', Fields: lockFields });
      expectError(await post(Bucket, plain, 'x'), 'InvalidRequest', 400);
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'sdk/locked.txt' })), 'NotFound', 404);
    });

    it('streams a multi-chunk file through the blob store and reads it back whole', async () => {
      const body = patternBytes(3 * MiB + 123, 9);
      const { fields } = await createPresignedPost(s3, { Bucket, Key: 'sdk/big.bin', Conditions: [['content-length-range', 0, 10 * MiB]] });
      const r = await post(Bucket, fields, body);
      expect(r.status).toBe(204);
      expect(r.headers.get('etag')).toBe(`"${md5Hex(body)}"`);
      expect((await getBytes('sdk/big.bin')).equals(body)).toBe(true);
    });

    it('enforces content-length-range: EntityTooLarge and EntityTooSmall, and stores nothing', async () => {
      const { fields } = await createPresignedPost(s3, { Bucket, Key: 'sdk/ranged', Conditions: [['content-length-range', 10, 100 * KiB]] });
      expectError(await post(Bucket, fields, patternBytes(100 * KiB + 1)), 'EntityTooLarge', 400);
      expectError(await post(Bucket, fields, patternBytes(3 * MiB)), 'EntityTooLarge', 400);
      const small = expectError(await post(Bucket, fields, '123456789'), 'EntityTooSmall', 400);
      expect(small).toMatchObject({ ProposedSize: '9', MinSizeAllowed: '10' });
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'sdk/ranged' })), 'NotFound', 404);
      expect((await post(Bucket, fields, '1234567890')).status).toBe(204);
      expect((await post(Bucket, fields, patternBytes(100 * KiB))).status).toBe(204);
    });

    it('answers AccessDenied "Policy expired." for an expired policy', async () => {
      const { fields } = await createPresignedPost(s3, { Bucket, Key: 'sdk/expired', Expires: -60 });
      expectError(await post(Bucket, fields, 'x'), 'AccessDenied', 403, 'Invalid according to Policy: Policy expired.');
    });

    it('checks the key condition: a form with another key fails', async () => {
      const { fields } = await createPresignedPost(s3, { Bucket, Key: 'sdk/only-this' });
      expectError(await post(Bucket, { ...fields, key: 'sdk/other' }, 'x'), 'AccessDenied', 403, 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "sdk/only-this"]');
    });

    it('answers SignatureDoesNotMatch for a tampered policy or signature', async () => {
      const { fields } = await createPresignedPost(s3, { Bucket, Key: 'sdk/sig' });
      const doc = JSON.parse(Buffer.from(fields['Policy'], 'base64').toString()) as { expiration: string };
      doc.expiration = '2099-01-01T00:00:00Z';
      const e = expectError(await post(Bucket, { ...fields, Policy: Buffer.from(JSON.stringify(doc)).toString('base64') }, 'x'), 'SignatureDoesNotMatch', 403);
      expect(e['AWSAccessKeyId']).toBe(CREDENTIALS.accessKeyId);
      const flipped = fields['X-Amz-Signature'].replace(/^./, (c) => (c === '0' ? '1' : '0'));
      expectError(await post(Bucket, { ...fields, 'X-Amz-Signature': flipped }, 'x'), 'SignatureDoesNotMatch', 403);
    });

    it('a SigV2 form (AWSAccessKeyId, Signature = Base64(HMAC-SHA1(secret, policy))) uploads, as boto 2 builds it; a wrong signature is refused', async () => {
      const doc = JSON.stringify({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions: [{ bucket: Bucket }, ['starts-with', '$key', 'v2/'], ['content-length-range', 0, 1024]] });
      const Policy = Buffer.from(doc, 'utf8').toString('base64');
      const Signature = createHmac('sha1', CREDENTIALS.secretAccessKey).update(Policy, 'utf8').digest('base64');
      const form = { key: 'v2/form.txt', AWSAccessKeyId: CREDENTIALS.accessKeyId, Policy, Signature };
      const r = await post(Bucket, form, 'signed with v2');
      expect(r.status).toBe(204);
      expect((await getBytes('v2/form.txt')).toString()).toBe('signed with v2');
      const e = expectError(await post(Bucket, { ...form, key: 'v2/forged.txt', Signature: createHmac('sha1', 'not-the-secret').update(Policy).digest('base64') }, 'x'), 'SignatureDoesNotMatch', 403);
      expect(e['AWSAccessKeyId']).toBe(CREDENTIALS.accessKeyId);
      // The policy still binds it: content-length-range.
      expectError(await post(Bucket, { ...form, key: 'v2/big.txt' }, Buffer.alloc(2048)), 'EntityTooLarge', 400);
    });

    it("a bucket policy that denies s3:signatureversion AWS refuses SigV2 forms and lets SigV4 ones in", async () => {
      const B = 'post-no-sigv2';
      await s3.send(new CreateBucketCommand({ Bucket: B }));
      const Policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { StringEquals: { 's3:signatureversion': 'AWS' } } }],
      });
      await s3.send(new PutBucketPolicyCommand({ Bucket: B, Policy }));
      const doc = JSON.stringify({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions: [{ bucket: B }, { key: 'v2.txt' }] });
      const P = Buffer.from(doc, 'utf8').toString('base64');
      const v2 = { key: 'v2.txt', AWSAccessKeyId: CREDENTIALS.accessKeyId, Policy: P, Signature: createHmac('sha1', CREDENTIALS.secretAccessKey).update(P).digest('base64') };
      expectError(await post(B, v2, 'x'), 'AccessDenied', 403);
      expect((await post(B, signedForm([{ bucket: B }, { key: 'v4.txt' }], { key: 'v4.txt' }), 'y')).status).toBe(204);
    });

    it('posts in virtual-hosted style too', async () => {
      const body = Buffer.from('vhost');
      const { fields } = await createPresignedPost(s3, { Bucket, Key: 'sdk/vhost' });
      // fetch cannot set Host: the form is encoded by fetch's Request, then sent with node:http and a vhost Host.
      const fd = new FormData();
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      fd.append('file', new Blob([body]), 'f');
      const req = new Request(`http://127.0.0.1:${gw.port}/`, { method: 'POST', body: fd });
      const bytes = Buffer.from(await req.arrayBuffer());
      const status = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
        const rq = request(
          { host: '127.0.0.1', port: gw.port, path: '/', method: 'POST', headers: { host: `${Bucket}.s3.localtest:${gw.port}`, 'content-type': req.headers.get('content-type')!, 'content-length': bytes.length } },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
          },
        );
        rq.on('error', reject);
        rq.end(bytes);
      });
      expect(status).toEqual({ status: 204, location: `http://${Bucket}.s3.localtest:${gw.port}/sdk%2Fvhost` });
      expect((await getBytes('sdk/vhost')).toString()).toBe('vhost');
    });
  });

  describe('hand-built forms', () => {
    const base = (key: string): Condition[] => [{ bucket: Bucket }, { key }];

    it('checks every condition form: exact match, eq, starts-with, on any field', async () => {
      const conds = [...base('hb/ok'), ['starts-with', '$Content-Type', 'image/'], ['eq', '$x-amz-meta-tag', 'v1'], { acl: 'private' }];
      const good = { key: 'hb/ok', 'Content-Type': 'image/jpeg', 'x-amz-meta-tag': 'v1', acl: 'private' };
      expect((await post(Bucket, signedForm(conds, good), 'x')).status).toBe(204);
      const cases: [Fields, string][] = [
        [{ ...good, 'Content-Type': 'text/html' }, '["starts-with", "$Content-Type", "image/"]'],
        [{ ...good, 'x-amz-meta-tag': 'v2' }, '["eq", "$x-amz-meta-tag", "v1"]'],
        [{ ...good, acl: 'bucket-owner-full-control' }, '["eq", "$acl", "private"]'],
      ];
      for (const [fields, failed] of cases) {
        expectError(await post(Bucket, signedForm(conds, fields), 'x'), 'AccessDenied', 403, `Invalid according to Policy: Policy Condition failed: ${failed}`);
      }
      // A conditioned field that the form leaves out fails too.
      const { 'x-amz-meta-tag': _omit, ...without } = good;
      expectError(await post(Bucket, signedForm(conds, without), 'x'), 'AccessDenied', 403, /Policy Condition failed: \["eq", "\$x-amz-meta-tag", "v1"\]/);
    });

    it('fails the bucket condition when posted to another bucket', async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'post-other' }));
      expectError(await post('post-other', signedForm(base('hb/b'), { key: 'hb/b' }), 'x'), 'AccessDenied', 403, `Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "${Bucket}"]`);
    });

    it('refuses a field the policy does not mention; x-ignore-* fields need no condition', async () => {
      expectError(await post(Bucket, signedForm(base('hb/extra'), { key: 'hb/extra', 'x-amz-meta-sneaky': '1' }), 'x'), 'AccessDenied', 403, 'Invalid according to Policy: Extra input fields: x-amz-meta-sneaky');
      expect((await post(Bucket, signedForm(base('hb/ignore'), { key: 'hb/ignore', 'x-ignore-tracking': '1' }), 'x')).status).toBe(204);
      // The bucket is an input too: a policy must name it, form field or not.
      expectError(await post(Bucket, signedForm([{ key: 'hb/nob' }], { key: 'hb/nob' }), 'x'), 'AccessDenied', 403, 'Invalid according to Policy: Extra input fields: bucket');
      expectError(await post(Bucket, signedForm([{}], { key: 'hb/empty' }), 'x'), 'AccessDenied', 403, /^Invalid according to Policy: Extra input fields: /);
    });

    it('matches condition operators and field names case-insensitively, values case-sensitively', async () => {
      const conds = [{ bUcKeT: Bucket }, ['StArTs-WiTh', '$KeY', 'hb/ci'], { AcL: 'private' }, ['EQ', '$CoNtEnT-TyPe', 'text/plain']];
      expect((await post(Bucket, signedForm(conds, { kEy: 'hb/ci.txt', aCl: 'private', 'Content-Type': 'text/plain' }), 'x')).status).toBe(204);
      expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'hb/ci.txt' }))).ContentType).toBe('text/plain');
      expectError(await post(Bucket, signedForm(conds, { key: 'HB/ci.txt', acl: 'private', 'Content-Type': 'text/plain' }), 'x'), 'AccessDenied', 403);
    });

    it('ignores fields after the file (neither stored nor checked against the policy)', async () => {
      const r = await post(Bucket, signedForm(base('hb/after'), { key: 'hb/after' }), 'x', { after: { 'x-amz-meta-late': 'no', key: 'hb/elsewhere' } });
      expect(r.status).toBe(204);
      expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'hb/after' }))).Metadata).toEqual({});
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'hb/elsewhere' })), 'NotFound', 404);
    });

    it('verifies x-amz-checksum-* fields (BadDigest when wrong) and stores the checksum; x-amz-checksum-algorithm alone computes it', async () => {
      const body = Buffer.from('checksummed body');
      const sha = createHash('sha256').update(body).digest('base64');
      const conds = [...base('hb/ck'), ['starts-with', '$x-amz-checksum-sha256', '']];
      const r = await post(Bucket, signedForm(conds, { key: 'hb/ck', 'x-amz-checksum-sha256': sha }), body);
      expect(r.status).toBe(204);
      expect(r.headers.get('x-amz-checksum-sha256')).toBe(sha);
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'hb/ck', ChecksumMode: ChecksumMode.ENABLED }));
      expect(got.ChecksumSHA256).toBe(sha);
      await bodyBytes(got.Body);
      const wrong = createHash('sha256').update('other').digest('base64');
      expectError(await post(Bucket, signedForm(conds, { key: 'hb/ck', 'x-amz-checksum-sha256': wrong }), body), 'BadDigest', 400);
      expect((await getBytes('hb/ck')).equals(body)).toBe(true);

      const alg = await post(Bucket, signedForm([...base('hb/ck2'), { 'x-amz-checksum-algorithm': 'CRC32' }], { key: 'hb/ck2', 'x-amz-checksum-algorithm': 'CRC32' }), body);
      expect(alg.status).toBe(204);
      expect(alg.headers.get('x-amz-checksum-crc32')).toMatch(/^[A-Za-z0-9+/]{6}==$/);

      // Content-MD5, as on a PUT.
      const md5 = createHash('md5').update(body).digest('base64');
      const md5Conds = [...base('hb/md5'), ['starts-with', '$Content-MD5', '']];
      expect((await post(Bucket, signedForm(md5Conds, { key: 'hb/md5', 'Content-MD5': md5 }), body)).status).toBe(204);
      expectError(await post(Bucket, signedForm(md5Conds, { key: 'hb/md5', 'Content-MD5': createHash('md5').update('x').digest('base64') }), body), 'BadDigest', 400);
    });

    it('refuses an unsigned (anonymous) form with AccessDenied', async () => {
      expectError(await post(Bucket, { key: 'hb/anon' }, 'x'), 'AccessDenied', 403);
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'hb/anon' })), 'NotFound', 404);
    });

    it('answers InvalidArgument naming a missing signature field or the missing key', async () => {
      const full = signedForm(base('hb/m'), { key: 'hb/m' });
      for (const name of ['Policy', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Algorithm']) {
        const { [name]: _gone, ...rest } = full;
        const e = expectError(await post(Bucket, rest, 'x'), 'InvalidArgument', 400);
        expect(e['ArgumentName']).toBe(name.toLowerCase());
      }
      const { key: _k, ...noKey } = signedForm(base('hb/m'), { key: 'hb/m' });
      expect(expectError(await post(Bucket, noKey, 'x'), 'InvalidArgument', 400)['ArgumentName']).toBe('key');
    });

    it('answers InvalidAccessKeyId for an unknown key and SignatureDoesNotMatch for a wrong secret', async () => {
      expectError(await post(Bucket, signedForm(base('hb/k'), { key: 'hb/k' }, { accessKeyId: 'AKIDNOSUCHKEY' }), 'x'), 'InvalidAccessKeyId', 403);
      expectError(await post(Bucket, signedForm(base('hb/k'), { key: 'hb/k' }, { secret: 'not-the-secret' }), 'x'), 'SignatureDoesNotMatch', 403);
    });

    it('answers InvalidPolicyDocument for a signed policy that is not a valid policy', async () => {
      expectError(await post(Bucket, signedForm([], { key: 'k' }, { raw: '{not json' }), 'x'), 'InvalidPolicyDocument', 400, 'Invalid Policy: Invalid JSON.');
      expectError(await post(Bucket, signedForm([], { key: 'k' }, { raw: '{"conditions":[]}' }), 'x'), 'InvalidPolicyDocument', 400, 'Invalid Policy: Policy missing expiration.');
      expectError(
        await post(Bucket, signedForm([], { key: 'k' }, { raw: '{"expiration":"2099-01-01T00:00:00Z","conditions":[["content-length-range",0,512.5]]}' }), 'x'),
        'InvalidPolicyDocument',
        400,
      );
    });

    it('answers IncorrectNumberOfFilesInPostRequest without a file, MalformedPOSTRequest for a broken form', async () => {
      expectError(await post(Bucket, signedForm(base('hb/nofile'), { key: 'hb/nofile' }), undefined), 'IncorrectNumberOfFilesInPostRequest', 400);
      const raw = async (contentType: string, body: string): Promise<Posted> => {
        const res = await fetch(`${gw.endpoint}/${Bucket}`, { method: 'POST', headers: { 'content-type': contentType }, body });
        return { status: res.status, headers: res.headers, text: await res.text() };
      };
      // No boundary: not parseable at all.
      expectError(await raw('multipart/form-data', 'key=k'), 'MalformedPOSTRequest', 400);
      // A signed form whose file part is cut off before its closing boundary: nothing is stored.
      const fields = Object.entries(signedForm(base('hb/cut'), { key: 'hb/cut' }))
        .map(([k, v]) => `--xyz\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
        .join('');
      expectError(await raw('multipart/form-data; boundary=xyz', `${fields}--xyz\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\ncut off`), 'MalformedPOSTRequest', 400);
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'hb/cut' })), 'NotFound', 404);
    });

    it('answers MaxPostPreDataLengthExceededError when the fields before the file pass 20 KiB', async () => {
      const conds = [...base('hb/pre'), ['starts-with', '$x-amz-meta-pad', '']];
      expectError(await post(Bucket, signedForm(conds, { key: 'hb/pre', 'x-amz-meta-pad': 'p'.repeat(21 * KiB) }), 'x'), 'MaxPostPreDataLengthExceededError', 400);
    });

    it('refuses what it cannot honour: a session token, ACLs the bucket does not allow, bad tags, other storage classes', async () => {
      const withField = (name: string, value: string) => signedForm([...base('hb/no'), { [name]: value }], { key: 'hb/no', [name]: value });
      expectError(await post(Bucket, withField('x-amz-security-token', 'tok'), 'x'), 'InvalidToken', 400);
      // A new bucket's ownership is BucketOwnerEnforced: ACLs are disabled, as for a PUT with x-amz-acl.
      expectError(await post(Bucket, withField('acl', 'public-read'), 'x'), 'AccessControlListNotSupported', 400);
      expectError(await post(Bucket, withField('tagging', '<Tagging><TagSet><Tag><Key>aws:x</Key><Value>1</Value></Tag></TagSet></Tagging>'), 'x'), 'InvalidTag', 400);
      expectError(await post(Bucket, withField('x-amz-storage-class', 'GLACIER'), 'x'), 'InvalidStorageClass', 400);
      expectError(await post(Bucket, withField('x-amz-website-redirect-location', 'elsewhere.html'), 'x'), 'InvalidRedirectLocation', 400);
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'hb/no' })), 'NotFound', 404);
    });

    it('stores the tagging field as the object\'s tags, and an acl field where the bucket allows ACLs', async () => {
      const tagging = '<Tagging><TagSet><Tag><Key>source</Key><Value>browser</Value></Tag></TagSet></Tagging>';
      const r = await post(Bucket, signedForm([...base('hb/tagged'), { tagging }], { key: 'hb/tagged', tagging }), 'tagged');
      expect(r.status).toBe(204);
      const got = await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'hb/tagged' }));
      expect(got.TagSet).toEqual([{ Key: 'source', Value: 'browser' }]);

      const ob = 'post-acl';
      await s3.send(new CreateBucketCommand({ Bucket: ob, ObjectOwnership: 'ObjectWriter' }));
      await s3.send(new DeletePublicAccessBlockCommand({ Bucket: ob }));
      const acl = 'public-read';
      const up = await post(ob, signedForm([{ bucket: ob }, { key: 'pub' }, { acl }], { key: 'pub', acl }), 'public bytes');
      expect(up.status).toBe(204);
      const grants = (await s3.send(new GetObjectAclCommand({ Bucket: ob, Key: 'pub' }))).Grants ?? [];
      expect(grants.some((g) => g.Grantee?.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' && g.Permission === 'READ')).toBe(true);
      // Readable without a signature, as a PUT with x-amz-acl: public-read would be.
      const anon = await fetch(`${gw.endpoint}/${ob}/pub`);
      expect(anon.status).toBe(200);
      expect(await anon.text()).toBe('public bytes');
    });

    it('creates a new version per upload in a versioned bucket and answers its x-amz-version-id', async () => {
      const vb = 'post-versioned';
      await s3.send(new CreateBucketCommand({ Bucket: vb }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: vb, VersioningConfiguration: { Status: 'Enabled' } }));
      const ids: string[] = [];
      for (const body of ['one', 'two']) {
        const r = await post(vb, signedForm([{ bucket: vb }, { key: 'v' }], { key: 'v' }), body);
        expect(r.status).toBe(204);
        ids.push(r.headers.get('x-amz-version-id') ?? '');
      }
      expect(ids[0]).not.toBe(ids[1]);
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: vb }));
      expect((versions.Versions ?? []).map((v) => v.VersionId).sort()).toEqual([...ids].sort());
      const first = await s3.send(new GetObjectCommand({ Bucket: vb, Key: 'v', VersionId: ids[0] }));
      expect((await bodyBytes(first.Body)).toString()).toBe('one');
    });

    it('answers NoSuchBucket for a form posted to a bucket that does not exist', async () => {
      expectError(await post('post-missing', signedForm([{ bucket: 'post-missing' }, { key: 'k' }], { key: 'k' }), 'x'), 'NoSuchBucket', 404);
    });
  });
});
