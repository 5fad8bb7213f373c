import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand,
  DeletePublicAccessBlockCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompleteMultipartUploadCommandOutput,
  type CreateMultipartUploadCommandOutput,
  type PutObjectCommandInput,
  type PutObjectCommandOutput,
  type S3Client,
  type ServerSideEncryptionRule,
  type UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { filesHolding, marked } from '../support/at-rest';
import { describeWithTool, findTool, rcloneEnv, runTool, succeeded, type ToolResult, useAwsCli } from '../support/cli-tools';
import { s3Client } from '../support/clients';
import { rawRequest, send, type RawRequest, type RawResponse } from '../support/raw-http';
import { bodyBytes, expectErrorXml, expectS3Error, md5Hex, patternBytes } from '../support/s3-assert';
import { E2E_MODE, REGION, useGateway } from '../support/server';

/**
 * SSE-KMS (`x-amz-server-side-encryption: aws:kms`) from the gateway's built-in key service, end to end,
 * on a gateway started with `MASSIVE_KMS_KEYS=app,backup` (`app` the default key) and on one without the
 * setting (its one key `default`):
 *
 * - keys: every accepted way to name one (bare id, `alias/<id>`, key ARN and alias ARN of any account)
 *   is answered with the key ARN `arn:aws:kms:us-east-1:000000000000:key/<id>`; an unknown id or an ARN
 *   of another region is 400 `KMS.NotFoundException` and stores nothing;
 * - request validation: KMS headers without `aws:kms` (absent or AES256), a malformed encryption
 *   context, a bucket-key header that is not true/false are 400 InvalidArgument; `aws:kms:dsse` stays
 *   501; KMS headers on GetObject are 400;
 * - responses of PutObject, CopyObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 *   GetObject and HeadObject: SSE, key ARN, BucketKeyEnabled only when enabled, the canonical context
 *   only on the writes that were given one; plaintext MD5 ETags for single PUTs, `-N` for multipart;
 * - reads: whole, ranges (across 64 KiB packages and multipart part boundaries), part numbers and
 *   presigned URLs, with nothing extra; anonymous reads of a public SSE-KMS object are refused (SigV4
 *   required) while a public SSE-S3 object next to it is served;
 * - bucket default encryption with aws:kms (with and without a key, any key form, an unknown key),
 *   and a request's own encryption winning over it;
 * - multipart uploads and UploadPartCopy; CopyObject (the copy's encryption from its own request or
 *   the destination's default, never the source; onto itself with another key; to plaintext);
 * - POST form fields; bucket policy conditions on `s3:x-amz-server-side-encryption` and
 *   `s3:x-amz-server-side-encryption-aws-kms-key-id`;
 * - no plaintext at rest (marker scan of the data dir); objects readable after a restart;
 * - the aws CLI (`s3 cp --sse aws:kms --sse-kms-key-id`, `s3api head-object`, bucket encryption) and
 *   rclone (`--s3-server-side-encryption aws:kms --s3-sse-kms-key-id app`).
 */

const KiB = 1024;
const MiB = 1024 * KiB;

const gw = useGateway({ MASSIVE_KMS_KEYS: 'app,backup' });
/** No MASSIVE_KMS_KEYS: one key, `default`. */
const defaultGw = useGateway();

let s3: S3Client;
beforeAll(() => {
  s3 = s3Client(gw);
});

/** The ARN the gateway names a key by (its region, account 000000000000). */
const keyArn = (id: string): string => `arn:aws:kms:${REGION}:000000000000:key/${id}`;
const APP = keyArn('app');
const BACKUP = keyArn('backup');

const REQUIRES_KMS_HEADER = 'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms';
const BAD_CONTEXT = "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map";
const NEEDS_SIGV4 = 'Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.';

const SSE_HEADER = 'x-amz-server-side-encryption';
const KEY_ID_HEADER = 'x-amz-server-side-encryption-aws-kms-key-id';
const CONTEXT_HEADER = 'x-amz-server-side-encryption-context';
const BUCKET_KEY_HEADER = 'x-amz-server-side-encryption-bucket-key-enabled';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** What a request sends: keys out of order, spaces; the gateway stores and answers the canonical form. */
const CONTEXT_SENT = b64('{ "project": "massive", "app": "e2e-kms" }');
/** The canonical JSON (keys sorted, no spaces) of CONTEXT_SENT, base64: what writes answer. */
const CONTEXT_STORED = b64('{"app":"e2e-kms","project":"massive"}');

/** The SSE fields of an SDK answer. */
interface SseFields {
  readonly ServerSideEncryption?: string;
  readonly SSEKMSKeyId?: string;
  readonly BucketKeyEnabled?: boolean;
}

/** aws:kms under `arn`; BucketKeyEnabled exactly true when `bucketKey`, absent otherwise. */
function expectKms(out: SseFields, arn: string, bucketKey = false): void {
  expect({ sse: out.ServerSideEncryption, key: out.SSEKMSKeyId, bucketKey: out.BucketKeyEnabled }).toStrictEqual({
    sse: 'aws:kms',
    key: arn,
    bucketKey: bucketKey ? true : undefined,
  });
}

/** Not SSE-KMS: `sse` (undefined for a plaintext object, 'AES256' for SSE-S3) and no KMS fields. */
function expectNotKms(out: SseFields, sse: 'AES256' | undefined): void {
  expect({ sse: out.ServerSideEncryption, key: out.SSEKMSKeyId, bucketKey: out.BucketKeyEnabled }).toStrictEqual({ sse, key: undefined, bucketKey: undefined });
}

const header = (r: RawResponse, name: string): string | undefined => {
  const v = r.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

/** A raw answer that is an S3 error document with this status, code and (when given) exact message. */
function expectRawError(r: RawResponse, status: number, code: string, message?: string): Record<string, string> {
  expect({ status: r.status, body: r.text.slice(0, 600) }).toMatchObject({ status });
  const e = expectErrorXml(r.text, code, header(r, 'x-amz-request-id'));
  if (message !== undefined) expect(e['Message']).toBe(message);
  return e;
}

/** An SDK call that must fail with this code, status and (when given) exact message. */
async function expectSdkError(p: Promise<unknown>, code: string, status: number, message?: string): Promise<void> {
  const err = await expectS3Error(p, code, status);
  if (message !== undefined) expect(err.message).toBe(message);
}

async function expectMissing(client: S3Client, Bucket: string, Key: string): Promise<void> {
  await expectS3Error(client.send(new HeadObjectCommand({ Bucket, Key })), 'NotFound', 404);
}

async function expectNoUpload(client: S3Client, Bucket: string, Key: string): Promise<void> {
  const listed = await client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: Key }));
  expect((listed.Uploads ?? []).map((u) => u.Key)).toEqual([]);
}

async function getObject(Bucket: string, Key: string, extra: { Range?: string; PartNumber?: number } = {}, client = s3) {
  const r = await client.send(new GetObjectCommand({ Bucket, Key, ...extra }));
  return { r, bytes: await bodyBytes(r.Body) };
}

/** The standard multipart ETag from the part ETags the gateway answered: MD5 of their binary digests, `-N`. */
function multipartEtagOf(partEtags: readonly string[]): string {
  const digests = Buffer.concat(partEtags.map((e) => Buffer.from(e.replace(/"/g, ''), 'hex')));
  return `"${md5Hex(digests)}-${partEtags.length}"`;
}

const policy = (...Statement: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement });

describe(`keys: how a request names one, how answers name it (${E2E_MODE} mode)`, () => {
  const Bucket = 'kms-keys';
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'plain-src', Body: 'plain source' }));
  });

  it.each<[string, string | undefined, string]>([
    ['no key id: the default key (the first listed)', undefined, APP],
    ['the bare id', 'app', APP],
    ['alias/<id>', 'alias/app', APP],
    ['the key ARN (account 000000000000)', APP, APP],
    ['the key ARN of another account', 'arn:aws:kms:us-east-1:111122223333:key/app', APP],
    ['the alias ARN', 'arn:aws:kms:us-east-1:111122223333:alias/app', APP],
    ['the second key by its bare id', 'backup', BACKUP],
    ['the second key by alias/<id>', 'alias/backup', BACKUP],
    ['the second key by its key ARN of another account', 'arn:aws:kms:us-east-1:444455556666:key/backup', BACKUP],
    ['the second key by its alias ARN', 'arn:aws:kms:us-east-1:444455556666:alias/backup', BACKUP],
  ])('%s: PUT, HEAD and GET name the key ARN; the bytes and the plaintext MD5 ETag come back', async (_what, SSEKMSKeyId, arn) => {
    const Key = `form-${SSEKMSKeyId ?? 'none'}`.replace(/[:/]/g, '_');
    const Body = patternBytes(40 * KiB + 3, 101);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key, Body, ServerSideEncryption: 'aws:kms', ...(SSEKMSKeyId !== undefined && { SSEKMSKeyId }) }));
    expectKms(put, arn);
    expect(put.ETag).toBe(`"${md5Hex(Body)}"`);
    expect(put.SSEKMSEncryptionContext).toBeUndefined();
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    expectKms(head, arn);
    expect(head.ContentLength).toBe(Body.length);
    const { r, bytes } = await getObject(Bucket, Key);
    expectKms(r, arn);
    expect(r.ETag).toBe(`"${md5Hex(Body)}"`);
    expect(bytes.equals(Body)).toBe(true);
  });

  it.each(['nope', 'alias/nope', 'arn:aws:kms:us-east-1:111122223333:key/nope', 'arn:aws:kms:us-east-1:111122223333:alias/nope', 'App'])(
    "unknown key %s: 400 KMS.NotFoundException (\"Invalid keyId '<as sent>'\", for an ARN \"Key '<ARN>' does not exist\", as AWS) on PutObject, CreateMultipartUpload and CopyObject; nothing stored",
    async (SSEKMSKeyId) => {
      const Key = `unknown-${SSEKMSKeyId}`.replace(/[:/]/g, '_');
      const message = SSEKMSKeyId.startsWith('arn:') ? `Key '${SSEKMSKeyId}' does not exist` : `Invalid keyId '${SSEKMSKeyId}'`;
      await expectSdkError(s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId })), 'KMS.NotFoundException', 400, message);
      await expectMissing(s3, Bucket, Key);
      await expectSdkError(s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId })), 'KMS.NotFoundException', 400, message);
      await expectNoUpload(s3, Bucket, Key);
      await expectSdkError(
        s3.send(new CopyObjectCommand({ Bucket, Key, CopySource: `${Bucket}/plain-src`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId })),
        'KMS.NotFoundException',
        400,
        message,
      );
      await expectMissing(s3, Bucket, Key);
    },
  );

  it('the error document carries the code KMS.NotFoundException as such', async () => {
    const r = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/raw-unknown`, body: 'x', headers: { [SSE_HEADER]: 'aws:kms', [KEY_ID_HEADER]: 'no-such-key' } });
    expectRawError(r, 400, 'KMS.NotFoundException', "Invalid keyId 'no-such-key'");
    await expectMissing(s3, Bucket, 'raw-unknown');
  });

  it('a key ARN or alias ARN of another region: 400 KMS.NotFoundException ("Invalid arn ..."), nothing stored', async () => {
    for (const SSEKMSKeyId of ['arn:aws:kms:eu-west-1:111122223333:key/app', 'arn:aws:kms:eu-west-1:000000000000:alias/backup']) {
      const err = await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'other-region', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId })), 'KMS.NotFoundException', 400);
      expect(err.message).toMatch(/^Invalid arn/);
      await expectMissing(s3, Bucket, 'other-region');
    }
  });
});

describe('request validation', () => {
  const Bucket = 'kms-validation';
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: 'source bytes' }));
  });

  /** PutObject, CopyObject and CreateMultipartUpload of `key` with `headers`. */
  const writes = (key: string, headers: Record<string, string>): [string, RawRequest][] => [
    ['PutObject', { method: 'PUT', path: `/${Bucket}/${key}`, body: 'x', headers }],
    ['CopyObject', { method: 'PUT', path: `/${Bucket}/${key}`, headers: { 'x-amz-copy-source': `/${Bucket}/src`, ...headers } }],
    ['CreateMultipartUpload', { method: 'POST', path: `/${Bucket}/${key}`, query: { uploads: '' }, headers }],
  ];

  it.each<[string, Record<string, string>]>([
    ['a key id alone', { [KEY_ID_HEADER]: 'app' }],
    ['a key id with AES256', { [SSE_HEADER]: 'AES256', [KEY_ID_HEADER]: 'app' }],
    ['a context alone', { [CONTEXT_HEADER]: CONTEXT_SENT }],
    ['a context with AES256', { [SSE_HEADER]: 'AES256', [CONTEXT_HEADER]: CONTEXT_SENT }],
    ['a bucket-key header alone', { [BUCKET_KEY_HEADER]: 'true' }],
    ['a bucket-key header with AES256', { [SSE_HEADER]: 'AES256', [BUCKET_KEY_HEADER]: 'true' }],
  ])('%s (no aws:kms): 400 InvalidArgument "...requires HTTP header x-amz-server-side-encryption : aws:kms", nothing stored', async (what, headers) => {
    const key = `no-kms-${what.replace(/\W+/g, '-')}`;
    for (const [op, req] of writes(key, headers)) {
      const r = await rawRequest(gw, req);
      try {
        expectRawError(r, 400, 'InvalidArgument', REQUIRES_KMS_HEADER);
      } catch (e) {
        throw new Error(`${op}: ${(e as Error).message}`);
      }
    }
    await expectMissing(s3, Bucket, key);
    await expectNoUpload(s3, Bucket, key);
  });

  it('the SDK gets the same answer for SSEKMSKeyId without ServerSideEncryption', async () => {
    await expectSdkError(s3.send(new PutObjectCommand({ Bucket, Key: 'sdk-no-kms', Body: 'x', SSEKMSKeyId: 'app' })), 'InvalidArgument', 400, REQUIRES_KMS_HEADER);
    await expectSdkError(
      s3.send(new PutObjectCommand({ Bucket, Key: 'sdk-no-kms', Body: 'x', ServerSideEncryption: 'AES256', SSEKMSEncryptionContext: CONTEXT_SENT })),
      'InvalidArgument',
      400,
      REQUIRES_KMS_HEADER,
    );
    await expectMissing(s3, Bucket, 'sdk-no-kms');
  });

  it.each<[string, string]>([
    ['not base64 of JSON', b64('not json at all')],
    ['not base64 at all', '!!!%%%***'],
    ['a JSON array', b64('["a","b"]')],
    ['a JSON string', b64('"a string"')],
    ['JSON null', b64('null')],
    ['a number value', b64('{"a":1}')],
    ['a nested object value', b64('{"a":{"b":"c"}}')],
    ['a boolean value', b64('{"a":"x","b":true}')],
  ])('a context that is %s: 400 InvalidArgument with the context message, nothing stored', async (what, context) => {
    const key = `bad-context-${what.replace(/\W+/g, '-')}`;
    for (const [op, req] of writes(key, { [SSE_HEADER]: 'aws:kms', [CONTEXT_HEADER]: context })) {
      const r = await rawRequest(gw, req);
      try {
        expectRawError(r, 400, 'InvalidArgument', BAD_CONTEXT);
      } catch (e) {
        throw new Error(`${op}: ${(e as Error).message}`);
      }
    }
    await expectMissing(s3, Bucket, key);
    await expectNoUpload(s3, Bucket, key);
  });

  it('aws:kms:dsse stays 501 NotImplemented (SDK and raw, PutObject and CreateMultipartUpload), nothing stored', async () => {
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'dsse', Body: 'x', ServerSideEncryption: 'aws:kms:dsse' })), 'NotImplemented', 501);
    await expectS3Error(s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'dsse', ServerSideEncryption: 'aws:kms:dsse' })), 'NotImplemented', 501);
    expectRawError(await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/dsse`, body: 'x', headers: { [SSE_HEADER]: 'aws:kms:dsse', [KEY_ID_HEADER]: 'app' } }), 501, 'NotImplemented');
    await expectMissing(s3, Bucket, 'dsse');
    await expectNoUpload(s3, Bucket, 'dsse');
  });

  it('a bucket-key header other than true/false: 400 InvalidArgument, nothing stored', async () => {
    for (const value of ['yes', '1', 'enabled', 'true,false']) {
      const r = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/bad-bucket-key`, body: 'x', headers: { [SSE_HEADER]: 'aws:kms', [BUCKET_KEY_HEADER]: value } });
      expectRawError(r, 400, 'InvalidArgument');
    }
    await expectMissing(s3, Bucket, 'bad-bucket-key');
  });

  it('the bucket-key header is read case-insensitively: TRUE enables it, False leaves it absent', async () => {
    const on = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/bucket-key-upper`, body: 'on', headers: { [SSE_HEADER]: 'aws:kms', [BUCKET_KEY_HEADER]: 'TRUE' } });
    expect(on.status).toBe(200);
    expect([header(on, SSE_HEADER), header(on, KEY_ID_HEADER), header(on, BUCKET_KEY_HEADER)]).toEqual(['aws:kms', APP, 'true']);
    expectKms(await s3.send(new HeadObjectCommand({ Bucket, Key: 'bucket-key-upper' })), APP, true);
    const off = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/bucket-key-mixed`, body: 'off', headers: { [SSE_HEADER]: 'aws:kms', [BUCKET_KEY_HEADER]: 'False' } });
    expect(off.status).toBe(200);
    expect([header(off, SSE_HEADER), header(off, KEY_ID_HEADER), header(off, BUCKET_KEY_HEADER)]).toEqual(['aws:kms', APP, undefined]);
    expectKms(await s3.send(new HeadObjectCommand({ Bucket, Key: 'bucket-key-mixed' })), APP);
  });

  it.each<[string, Record<string, string>]>([
    ['x-amz-server-side-encryption-aws-kms-key-id', { [KEY_ID_HEADER]: 'app' }],
    ['x-amz-server-side-encryption-context', { [CONTEXT_HEADER]: CONTEXT_SENT }],
    ['x-amz-server-side-encryption: aws:kms', { [SSE_HEADER]: 'aws:kms' }],
    ['x-amz-server-side-encryption: aws:kms with a key id', { [SSE_HEADER]: 'aws:kms', [KEY_ID_HEADER]: 'app' }],
  ])('GetObject with %s: 400 InvalidArgument, no object bytes', async (_what, headers) => {
    const r = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/src`, headers });
    expectRawError(r, 400, 'InvalidArgument');
    expect(r.text).not.toContain('source bytes');
  });
});

describe('PutObject, GetObject, HeadObject', () => {
  const Bucket = 'kms-objects';
  /** Inline-sized, key `app`, with a context and the bucket key. */
  const small = marked('KMS-SMALL-PLAINTEXT-MARKER', 3000, 1);
  /** Spans chunks, key `backup`, no context, no bucket key. */
  const large = marked('KMS-LARGE-PLAINTEXT-MARKER', 3 * MiB + 12345, 2);
  /** Plain: its marker must be found on disk, or the scan proves nothing. */
  const control = marked('KMS-NOT-ENCRYPTED-CONTROL-MARKER', 300 * KiB, 3);
  const answers: Record<string, PutObjectCommandOutput> = {};

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    answers['small'] = await s3.send(
      new PutObjectCommand({ Bucket, Key: 'small', Body: small, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'app', SSEKMSEncryptionContext: CONTEXT_SENT, BucketKeyEnabled: true }),
    );
    answers['large'] = await s3.send(new PutObjectCommand({ Bucket, Key: 'large', Body: large, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/backup', BucketKeyEnabled: false }));
    answers['control'] = await s3.send(new PutObjectCommand({ Bucket, Key: 'control', Body: control }));
  });

  it('PutObject answers aws:kms, the key ARN, the bucket key only when enabled, the canonical context only when given, the plaintext MD5 ETag', () => {
    expectKms(answers['small']!, APP, true);
    expect(answers['small']!.SSEKMSEncryptionContext).toBe(CONTEXT_STORED);
    expect(answers['small']!.ETag).toBe(`"${md5Hex(small)}"`);
    expectKms(answers['large']!, BACKUP);
    expect(answers['large']!.SSEKMSEncryptionContext).toBeUndefined();
    expect(answers['large']!.ETag).toBe(`"${md5Hex(large)}"`);
    expectNotKms(answers['control']!, undefined);
  });

  it('GET and HEAD: the plaintext bytes, size and ETag, aws:kms with the key ARN and the bucket key as written', async () => {
    for (const [Key, Body, arn, bucketKey] of [['small', small, APP, true], ['large', large, BACKUP, false]] as const) {
      const { r, bytes } = await getObject(Bucket, Key);
      expect(bytes.equals(Body)).toBe(true);
      expect(r.ContentLength).toBe(Body.length);
      expect(r.ETag).toBe(`"${md5Hex(Body)}"`);
      expectKms(r, arn, bucketKey);
      const h = await s3.send(new HeadObjectCommand({ Bucket, Key }));
      expectKms(h, arn, bucketKey);
      expect(h.ContentLength).toBe(Body.length);
      expect(h.ETag).toBe(`"${md5Hex(Body)}"`);
    }
    expectNotKms(await s3.send(new HeadObjectCommand({ Bucket, Key: 'control' })), undefined);
  });

  it('GET and HEAD never answer the encryption context; the headers on the wire are exact', async () => {
    for (const method of ['GET', 'HEAD']) {
      const r = await rawRequest(gw, { method, path: `/${Bucket}/small` });
      expect(r.status).toBe(200);
      expect(header(r, SSE_HEADER)).toBe('aws:kms');
      expect(header(r, KEY_ID_HEADER)).toBe(APP);
      expect(header(r, BUCKET_KEY_HEADER)).toBe('true');
      expect(header(r, CONTEXT_HEADER)).toBeUndefined();
      const l = await rawRequest(gw, { method, path: `/${Bucket}/large` });
      expect(header(l, KEY_ID_HEADER)).toBe(BACKUP);
      expect(header(l, BUCKET_KEY_HEADER)).toBeUndefined();
      expect(header(l, CONTEXT_HEADER)).toBeUndefined();
    }
  });

  it('ListObjectsV2 shows the plaintext sizes and ETags', async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(Object.fromEntries((listed.Contents ?? []).map((o) => [o.Key, [o.Size, o.ETag]]))).toEqual({
      small: [small.length, `"${md5Hex(small)}"`],
      large: [large.length, `"${md5Hex(large)}"`],
      control: [control.length, `"${md5Hex(control)}"`],
    });
  });

  it.each([
    ['the first byte', 'bytes=0-0', 0, 0],
    ['across a 64 KiB package boundary', 'bytes=65530-65545', 65530, 65545],
    ['whole packages', 'bytes=65536-196607', 65536, 196607],
    ['deep inside, across a 1 MiB boundary', 'bytes=1048000-2100000', 1048000, 2100000],
    ['the last bytes', `bytes=${3 * MiB + 12000}-`, 3 * MiB + 12000, 3 * MiB + 12344],
    ['a suffix', 'bytes=-70000', 3 * MiB + 12345 - 70000, 3 * MiB + 12344],
  ])('reads a range of the large object: %s', async (_what, Range, start, end) => {
    const { r, bytes } = await getObject(Bucket, 'large', { Range });
    expect(r.ContentLength).toBe(end - start + 1);
    expect(r.ContentRange).toBe(`bytes ${start}-${end}/${large.length}`);
    expect(bytes.equals(large.subarray(start, end + 1))).toBe(true);
    expectKms(r, BACKUP);
  });

  it('reads ranges of the small (inline) object', async () => {
    expect((await getObject(Bucket, 'small', { Range: 'bytes=100-199' })).bytes.equals(small.subarray(100, 200))).toBe(true);
    expect((await getObject(Bucket, 'small', { Range: 'bytes=-1' })).bytes.equals(small.subarray(2999))).toBe(true);
  });

  it('a presigned GET URL (SigV4 in the query) reads it with nothing extra', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'small' }), { expiresIn: 300 });
    const u = new URL(url);
    const r = await send(u, 'GET', `${u.pathname}${u.search}`, { host: u.host });
    expect(r.status).toBe(200);
    expect(r.body.equals(small)).toBe(true);
    expect(header(r, KEY_ID_HEADER)).toBe(APP);
  });

  it('stores no plaintext: the markers of the SSE-KMS objects are nowhere under the data dir, the control is', () => {
    expect(filesHolding(gw.dataDir, Buffer.from('KMS-NOT-ENCRYPTED-CONTROL-MARKER')).length).toBeGreaterThan(0);
    expect(filesHolding(gw.dataDir, Buffer.from('KMS-SMALL-PLAINTEXT-MARKER'))).toEqual([]);
    expect(filesHolding(gw.dataDir, Buffer.from('KMS-LARGE-PLAINTEXT-MARKER'))).toEqual([]);
  });
});

describe('multipart uploads', () => {
  const Bucket = 'kms-multipart';
  const Key = 'mp';
  const parts = [marked('KMS-MP-PART-ONE-MARKER', 5 * MiB, 11), marked('KMS-MP-PART-TWO-MARKER', 5 * MiB, 12), marked('KMS-MP-PART-THREE-MARKER', MiB + 77, 13)];
  const whole = Buffer.concat(parts);
  let created: CreateMultipartUploadCommandOutput;
  const uploaded: UploadPartCommandOutput[] = [];
  let completed: CompleteMultipartUploadCommandOutput;
  let listedSizes: (number | undefined)[] = [];
  /** The source of the part copies: unmarked, since a copy to a plain upload rightly leaves it on disk. */
  const copySource = patternBytes(3 * MiB + 999, 14);

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    created = await s3.send(
      new CreateMultipartUploadCommand({ Bucket, Key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'backup', SSEKMSEncryptionContext: CONTEXT_SENT, BucketKeyEnabled: true }),
    );
    for (const [i, Body] of parts.entries()) {
      // No encryption headers on the parts: they follow the upload.
      uploaded.push(await s3.send(new UploadPartCommand({ Bucket, Key, UploadId: created.UploadId, PartNumber: i + 1, Body })));
    }
    listedSizes = ((await s3.send(new ListPartsCommand({ Bucket, Key, UploadId: created.UploadId }))).Parts ?? []).map((p) => p.Size);
    completed = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: created.UploadId, MultipartUpload: { Parts: uploaded.map((u, i) => ({ PartNumber: i + 1, ETag: u.ETag })) } }),
    );
    await s3.send(new PutObjectCommand({ Bucket, Key: 'copy-source', Body: copySource, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'app', SSEKMSEncryptionContext: CONTEXT_SENT }));
  });

  it('CreateMultipartUpload answers aws:kms, the key ARN, the bucket key and the canonical context', () => {
    expectKms(created, BACKUP, true);
    expect(created.SSEKMSEncryptionContext).toBe(CONTEXT_STORED);
  });

  it('each UploadPart (sent without encryption headers) answers aws:kms and the key ARN; ListParts shows the plaintext sizes', () => {
    expect(uploaded).toHaveLength(3);
    for (const u of uploaded) {
      expectKms(u, BACKUP, true);
      expect(u.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    }
    expect(listedSizes).toEqual(parts.map((p) => p.length));
  });

  it('CompleteMultipartUpload answers aws:kms and the key ARN, and the usual -N ETag', () => {
    expectKms(completed, BACKUP, true);
    expect(completed.ETag).toBe(multipartEtagOf(uploaded.map((u) => u.ETag!)));
    expect(completed.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
  });

  it('reads back byte for byte with its size, ETag and the key on GET and HEAD', async () => {
    const { r, bytes } = await getObject(Bucket, Key);
    expect(r.ContentLength).toBe(whole.length);
    expect(bytes.equals(whole)).toBe(true);
    expect(r.ETag).toBe(completed.ETag);
    expectKms(r, BACKUP, true);
    const h = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    expectKms(h, BACKUP, true);
    expect(h.ContentLength).toBe(whole.length);
    expect(h.ETag).toBe(completed.ETag);
  });

  it.each([
    ['across the first part boundary', 5 * MiB - 100, 5 * MiB + 99],
    ['across both part boundaries', 5 * MiB - 10, 10 * MiB + 10],
    ['from the first part into the last', 1000, 10 * MiB + 500],
    ['the last byte of a part and the first of the next', 10 * MiB - 1, 10 * MiB],
    ['inside the last part to its end', 10 * MiB + 5, 11 * MiB + 76],
  ])('reads a range %s', async (_what, start, end) => {
    const { r, bytes } = await getObject(Bucket, Key, { Range: `bytes=${start}-${end}` });
    expect(r.ContentLength).toBe(end - start + 1);
    expect(r.ContentRange).toBe(`bytes ${start}-${end}/${whole.length}`);
    expect(bytes.equals(whole.subarray(start, end + 1))).toBe(true);
  });

  it('reads a part by its number', async () => {
    const { r, bytes } = await getObject(Bucket, Key, { PartNumber: 2 });
    expect(bytes.equals(parts[1]!)).toBe(true);
    expectKms(r, BACKUP, true);
  });

  it('an upload naming no key uses the default key, in every answer', async () => {
    const K = 'mp-default-key';
    const body = patternBytes(MiB + 5, 15);
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: K, ServerSideEncryption: 'aws:kms' }));
    expectKms(up, APP);
    expect(up.SSEKMSEncryptionContext).toBeUndefined();
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: K, UploadId: up.UploadId, PartNumber: 1, Body: body }));
    expectKms(part, APP);
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: K, UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    expectKms(done, APP);
    expect(done.ETag).toBe(multipartEtagOf([part.ETag!]));
    const { r, bytes } = await getObject(Bucket, K);
    expect(bytes.equals(body)).toBe(true);
    expectKms(r, APP);
  });

  it('UploadPartCopy from an SSE-KMS source (no source headers) into an SSE-KMS upload, an SSE-S3 one and a plain one', async () => {
    const range: [number, number] = [1000, 2 * MiB + 999];
    const want = copySource.subarray(range[0], range[1] + 1);
    const targets: { readonly name: string; readonly enc: Pick<PutObjectCommandInput, 'ServerSideEncryption' | 'SSEKMSKeyId'>; readonly check: (o: SseFields) => void }[] = [
      { name: 'kms', enc: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'backup' }, check: (o) => expectKms(o, BACKUP) },
      { name: 'sse-s3', enc: { ServerSideEncryption: 'AES256' }, check: (o) => expectNotKms(o, 'AES256') },
      { name: 'plain', enc: {}, check: (o) => expectNotKms(o, undefined) },
    ];
    for (const { name, enc, check: expectSse } of targets) {
      const K = `part-copy-${name}`;
      const up = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: K, ...enc }));
      const r = await s3.send(
        new UploadPartCopyCommand({ Bucket, Key: K, UploadId: up.UploadId, PartNumber: 1, CopySource: `${Bucket}/copy-source`, CopySourceRange: `bytes=${range[0]}-${range[1]}` }),
      );
      const done = await s3.send(
        new CompleteMultipartUploadCommand({ Bucket, Key: K, UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r.CopyPartResult?.ETag }] } }),
      );
      expectSse(done);
      const { r: got, bytes } = await getObject(Bucket, K);
      expect(bytes.equals(want)).toBe(true);
      expectSse(got);
    }
  });

  it('UploadPartCopy of a range across the part boundaries of an SSE-KMS multipart source', async () => {
    const K = 'part-copy-of-multipart';
    const [start, end] = [5 * MiB - 4096, 10 * MiB + 4095];
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: K, ServerSideEncryption: 'aws:kms' }));
    const r = await s3.send(new UploadPartCopyCommand({ Bucket, Key: K, UploadId: up.UploadId, PartNumber: 1, CopySource: `${Bucket}/${Key}`, CopySourceRange: `bytes=${start}-${end}` }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: K, UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r.CopyPartResult?.ETag }] } }));
    const { r: got, bytes } = await getObject(Bucket, K);
    expect(bytes.equals(whole.subarray(start, end + 1))).toBe(true);
    expectKms(got, APP);
  });

  it('stores no plaintext of the parts', () => {
    for (const marker of ['KMS-MP-PART-ONE-MARKER', 'KMS-MP-PART-TWO-MARKER', 'KMS-MP-PART-THREE-MARKER']) {
      expect(filesHolding(gw.dataDir, Buffer.from(marker))).toEqual([]);
    }
  });
});

describe('CopyObject', () => {
  const Bucket = 'kms-copy';
  /** A bucket with an aws:kms default under `backup`. */
  const Defaulted = 'kms-copy-default';
  /** Key `app`, a context, the bucket key: none of it may follow a copy. */
  const source = patternBytes(2 * MiB + 4321, 21);

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: Defaulted }));
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: Defaulted,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'backup' } }] },
      }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket, Key: 'src', Body: source, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'app', SSEKMSEncryptionContext: CONTEXT_SENT, BucketKeyEnabled: true }),
    );
  });

  it('to a plain destination (no header, no default): a plaintext object with the same bytes', async () => {
    const c = await s3.send(new CopyObjectCommand({ Bucket, Key: 'to-plain', CopySource: `${Bucket}/src` }));
    expectNotKms(c, undefined);
    expect(c.SSEKMSEncryptionContext).toBeUndefined();
    expect(c.CopyObjectResult?.ETag).toBe(`"${md5Hex(source)}"`);
    const { r, bytes } = await getObject(Bucket, 'to-plain');
    expect(bytes.equals(source)).toBe(true);
    expectNotKms(r, undefined);
    expect(header(await rawRequest(gw, { method: 'HEAD', path: `/${Bucket}/to-plain` }), SSE_HEADER)).toBeUndefined();
  });

  it('with aws:kms and another key: that key, no bucket key and no context from the source', async () => {
    const c = await s3.send(new CopyObjectCommand({ Bucket, Key: 'to-backup', CopySource: `${Bucket}/src`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'backup' }));
    expectKms(c, BACKUP);
    expect(c.SSEKMSEncryptionContext).toBeUndefined();
    const { r, bytes } = await getObject(Bucket, 'to-backup');
    expect(bytes.equals(source)).toBe(true);
    expectKms(r, BACKUP);
  });

  it('with aws:kms, its own context and the bucket key: answers its canonical context', async () => {
    const own = b64('{"z":"last","a":"first"}');
    const c = await s3.send(
      new CopyObjectCommand({ Bucket, Key: 'with-context', CopySource: `${Bucket}/src`, ServerSideEncryption: 'aws:kms', SSEKMSEncryptionContext: own, BucketKeyEnabled: true }),
    );
    expectKms(c, APP, true);
    expect(c.SSEKMSEncryptionContext).toBe(b64('{"a":"first","z":"last"}'));
    const { r, bytes } = await getObject(Bucket, 'with-context');
    expect(bytes.equals(source)).toBe(true);
    expectKms(r, APP, true);
  });

  it('with AES256: an SSE-S3 copy', async () => {
    const c = await s3.send(new CopyObjectCommand({ Bucket, Key: 'to-sse-s3', CopySource: `${Bucket}/src`, ServerSideEncryption: 'AES256' }));
    expectNotKms(c, 'AES256');
    const { r, bytes } = await getObject(Bucket, 'to-sse-s3');
    expect(bytes.equals(source)).toBe(true);
    expectNotKms(r, 'AES256');
  });

  it("into a bucket with an aws:kms default: the destination's key, not the source's", async () => {
    const c = await s3.send(new CopyObjectCommand({ Bucket: Defaulted, Key: 'copied', CopySource: `${Bucket}/src` }));
    expectKms(c, BACKUP);
    expect(c.SSEKMSEncryptionContext).toBeUndefined();
    const { r, bytes } = await getObject(Defaulted, 'copied');
    expect(bytes.equals(source)).toBe(true);
    expectKms(r, BACKUP);
  });

  it('an SSE-S3 or plain source copied with aws:kms becomes SSE-KMS', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'plain-src', Body: 'was plain' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'sse-s3-src', Body: 'was sse-s3', ServerSideEncryption: 'AES256' }));
    for (const [Key, text] of [['plain-src', 'was plain'], ['sse-s3-src', 'was sse-s3']] as const) {
      const c = await s3.send(new CopyObjectCommand({ Bucket, Key: `${Key}-kms`, CopySource: `${Bucket}/${Key}`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/backup' }));
      expectKms(c, BACKUP);
      const { r, bytes } = await getObject(Bucket, `${Key}-kms`);
      expect(bytes.toString()).toBe(text);
      expectKms(r, BACKUP);
    }
  });

  it('onto itself with aws:kms and another key: allowed, HEAD names the new key, the bytes read back the same', async () => {
    const body = patternBytes(MiB + 17, 22);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'self', Body: body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'app' }));
    expectKms(await s3.send(new HeadObjectCommand({ Bucket, Key: 'self' })), APP);
    const c = await s3.send(new CopyObjectCommand({ Bucket, Key: 'self', CopySource: `${Bucket}/self`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'backup' }));
    expectKms(c, BACKUP);
    const h = await s3.send(new HeadObjectCommand({ Bucket, Key: 'self' }));
    expectKms(h, BACKUP);
    expect(h.ContentLength).toBe(body.length);
    const { bytes } = await getObject(Bucket, 'self');
    expect(bytes.equals(body)).toBe(true);
    // And a plaintext object encrypted in place.
    await s3.send(new PutObjectCommand({ Bucket, Key: 'self-plain', Body: 'plain in place' }));
    expectKms(await s3.send(new CopyObjectCommand({ Bucket, Key: 'self-plain', CopySource: `${Bucket}/self-plain`, ServerSideEncryption: 'aws:kms' })), APP);
    const again = await getObject(Bucket, 'self-plain');
    expect(again.bytes.toString()).toBe('plain in place');
    expectKms(again.r, APP);
  });
});

describe('bucket default encryption (PutBucketEncryption with aws:kms)', () => {
  const rule = async (Bucket: string): Promise<ServerSideEncryptionRule | undefined> =>
    (await s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules?.[0];
  const putDefault = (Bucket: string, KMSMasterKeyID?: string, BucketKeyEnabled?: boolean) =>
    s3.send(
      new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', ...(KMSMasterKeyID !== undefined && { KMSMasterKeyID }) }, ...(BucketKeyEnabled !== undefined && { BucketKeyEnabled }) }],
        },
      }),
    );

  it('without a key: accepted, read back as stored; plain writes get aws:kms under the default key', async () => {
    const Bucket = 'kms-default-nokey';
    await s3.send(new CreateBucketCommand({ Bucket }));
    expect((await putDefault(Bucket)).$metadata.httpStatusCode).toBe(200);
    const r = await rule(Bucket);
    expect(r?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('aws:kms');
    expect(r?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID).toBeUndefined();
    expect(r?.BucketKeyEnabled ?? false).toBe(false);

    const body = marked('KMS-BUCKET-DEFAULT-MARKER', 200 * KiB, 31);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'by-default', Body: body }));
    expectKms(put, APP);
    expect(put.ETag).toBe(`"${md5Hex(body)}"`);
    const { r: got, bytes } = await getObject(Bucket, 'by-default');
    expect(bytes.equals(body)).toBe(true);
    expectKms(got, APP);
    expectKms(await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp-by-default' })), APP);
    expect(filesHolding(gw.dataDir, Buffer.from('KMS-BUCKET-DEFAULT-MARKER'))).toEqual([]);
  });

  it('with alias/backup and the bucket key: KMSMasterKeyID read back as sent; plain writes get that key and the bucket key', async () => {
    const Bucket = 'kms-default-alias';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await putDefault(Bucket, 'alias/backup', true);
    const r = await rule(Bucket);
    expect(r?.ApplyServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/backup' });
    expect(r?.BucketKeyEnabled).toBe(true);

    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'plain-put', Body: 'defaulted' }));
    expectKms(put, BACKUP, true);
    expect(put.SSEKMSEncryptionContext).toBeUndefined();
    expectKms(await s3.send(new HeadObjectCommand({ Bucket, Key: 'plain-put' })), BACKUP, true);
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'plain-mp' }));
    expectKms(up, BACKUP, true);
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'plain-mp', UploadId: up.UploadId, PartNumber: 1, Body: 'mp body' }));
    expectKms(part, BACKUP, true);
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'plain-mp', UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    expectKms(done, BACKUP, true);
    expect((await getObject(Bucket, 'plain-mp')).bytes.toString()).toBe('mp body');
  });

  it("a request's own encryption wins over the default", async () => {
    const Bucket = 'kms-default-override';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await putDefault(Bucket, 'backup', true);
    const aes = await s3.send(new PutObjectCommand({ Bucket, Key: 'aes', Body: 'aes', ServerSideEncryption: 'AES256' }));
    expectNotKms(aes, 'AES256');
    expectNotKms(await s3.send(new HeadObjectCommand({ Bucket, Key: 'aes' })), 'AES256');
    expectNotKms(await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'aes-mp', ServerSideEncryption: 'AES256' })), 'AES256');
    const app = await s3.send(new PutObjectCommand({ Bucket, Key: 'app', Body: 'app', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'app', BucketKeyEnabled: true }));
    expectKms(app, APP, true);
    expectKms(await s3.send(new HeadObjectCommand({ Bucket, Key: 'app' })), APP, true);
    const noBucketKey = await s3.send(new PutObjectCommand({ Bucket, Key: 'no-bucket-key', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'backup', BucketKeyEnabled: false }));
    expectKms(noBucketKey, BACKUP);
    expectKms(await s3.send(new HeadObjectCommand({ Bucket, Key: 'no-bucket-key' })), BACKUP);
    expect((await getObject(Bucket, 'aes')).bytes.toString()).toBe('aes');
  });

  it('a key ARN of another account: read back as sent (not expanded); objects name the key ARN', async () => {
    const Bucket = 'kms-default-arn';
    const sent = 'arn:aws:kms:us-east-1:111122223333:key/backup';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await putDefault(Bucket, sent);
    expect((await rule(Bucket))?.ApplyServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: sent });
    expectKms(await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' })), BACKUP);
    expectKms(await s3.send(new HeadObjectCommand({ Bucket, Key: 'k' })), BACKUP);
  });

  it('an unknown key is accepted by PutBucketEncryption; a write naming no encryption then fails with 400 KMS.NotFoundException', async () => {
    const Bucket = 'kms-default-unknown';
    await s3.send(new CreateBucketCommand({ Bucket }));
    expect((await putDefault(Bucket, 'no-such-key')).$metadata.httpStatusCode).toBe(200);
    expect((await rule(Bucket))?.ApplyServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'no-such-key' });
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'plain', Body: 'x' })), 'KMS.NotFoundException', 400);
    await expectMissing(s3, Bucket, 'plain');
    await expectS3Error(s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'plain-mp' })), 'KMS.NotFoundException', 400);
    await expectNoUpload(s3, Bucket, 'plain-mp');
    // A request's own encryption does not need the default's key.
    expectNotKms(await s3.send(new PutObjectCommand({ Bucket, Key: 'aes', Body: 'x', ServerSideEncryption: 'AES256' })), 'AES256');
    expectKms(await s3.send(new PutObjectCommand({ Bucket, Key: 'app', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'app' })), APP);
  });

  it('after DeleteBucketEncryption plain writes are plaintext; what was encrypted stays readable under its key', async () => {
    const Bucket = 'kms-default-deleted';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await putDefault(Bucket, 'backup');
    expectKms(await s3.send(new PutObjectCommand({ Bucket, Key: 'before', Body: 'before' })), BACKUP);
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket }));
    expectNotKms(await s3.send(new PutObjectCommand({ Bucket, Key: 'after', Body: 'after' })), undefined);
    const { r, bytes } = await getObject(Bucket, 'before');
    expect(bytes.toString()).toBe('before');
    expectKms(r, BACKUP);
  });
});

describe('POST form uploads with the SSE-KMS fields', () => {
  const Bucket = 'kms-post';
  beforeAll(() => s3.send(new CreateBucketCommand({ Bucket })));

  async function post(fields: Record<string, string>, file: Buffer | string): Promise<{ status: number; text: string; requestId: string | null }> {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    fd.append('file', new Blob([file]), 'upload.bin');
    const res = await fetch(`${gw.endpoint}/${Bucket}`, { method: 'POST', body: fd, redirect: 'manual' });
    return { status: res.status, text: await res.text(), requestId: res.headers.get('x-amz-request-id') };
  }

  it('aws:kms with a key id, a context and the bucket key: stored as a PUT with the headers stores it', async () => {
    const body = patternBytes(300 * KiB + 1, 41);
    const Fields = { [SSE_HEADER]: 'aws:kms', [KEY_ID_HEADER]: 'alias/backup', [CONTEXT_HEADER]: CONTEXT_SENT, [BUCKET_KEY_HEADER]: 'true' };
    const { fields } = await createPresignedPost(s3, { Bucket, Key: 'form/backup.bin', Fields });
    const r = await post(fields, body);
    expect({ status: r.status, text: r.text }).toEqual({ status: 204, text: '' });
    const h = await s3.send(new HeadObjectCommand({ Bucket, Key: 'form/backup.bin' }));
    expectKms(h, BACKUP, true);
    expect(h.ETag).toBe(`"${md5Hex(body)}"`);
    const { bytes } = await getObject(Bucket, 'form/backup.bin');
    expect(bytes.equals(body)).toBe(true);
  });

  it('aws:kms alone: the default key', async () => {
    const { fields } = await createPresignedPost(s3, { Bucket, Key: 'form/default.bin', Fields: { [SSE_HEADER]: 'aws:kms' } });
    expect((await post(fields, 'form default')).status).toBe(204);
    expectKms(await s3.send(new HeadObjectCommand({ Bucket, Key: 'form/default.bin' })), APP);
    expect((await getObject(Bucket, 'form/default.bin')).bytes.toString()).toBe('form default');
  });

  it('an unknown key field: 400 KMS.NotFoundException; a key id field without aws:kms: 400 InvalidArgument; nothing stored', async () => {
    const unknown = await createPresignedPost(s3, { Bucket, Key: 'form/unknown.bin', Fields: { [SSE_HEADER]: 'aws:kms', [KEY_ID_HEADER]: 'nope' } });
    const r = await post(unknown.fields, 'x');
    expect(r.status).toBe(400);
    expect(expectErrorXml(r.text, 'KMS.NotFoundException', r.requestId)['Message']).toBe("Invalid keyId 'nope'");
    await expectMissing(s3, Bucket, 'form/unknown.bin');
    const lone = await createPresignedPost(s3, { Bucket, Key: 'form/lone.bin', Fields: { [KEY_ID_HEADER]: 'app' } });
    const l = await post(lone.fields, 'x');
    expect(l.status).toBe(400);
    expect(expectErrorXml(l.text, 'InvalidArgument', l.requestId)['Message']).toBe(REQUIRES_KMS_HEADER);
    await expectMissing(s3, Bucket, 'form/lone.bin');
  });
});

describe('anonymous reads of public objects', () => {
  const Bucket = 'kms-public';
  const kmsBody = marked('KMS-PUBLIC-SECRET-MARKER', 100 * KiB, 51);
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
    await s3.send(
      new PutBucketPolicyCommand({ Bucket, Policy: policy({ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*` }) }),
    );
    await s3.send(new PutObjectCommand({ Bucket, Key: 'kms', Body: kmsBody, ServerSideEncryption: 'aws:kms' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'sse-s3', Body: 'public sse-s3', ServerSideEncryption: 'AES256' }));
  });

  const anonymous = (method: string, Key: string, headers: Record<string, string> = {}) => rawRequest(gw, { method, path: `/${Bucket}/${Key}`, sign: false, headers });

  it('an anonymous GET of the SSE-KMS object: 400 InvalidArgument, SigV4 required, none of its bytes', async () => {
    for (const headers of [{}, { range: 'bytes=0-99' }] as Record<string, string>[]) {
      const r = await anonymous('GET', 'kms', headers);
      expectRawError(r, 400, 'InvalidArgument', NEEDS_SIGV4);
      expect(r.body.includes(Buffer.from('KMS-PUBLIC-SECRET-MARKER'))).toBe(false);
    }
  });

  it('an anonymous HEAD of the SSE-KMS object: 400 without a body', async () => {
    const r = await anonymous('HEAD', 'kms');
    expect([r.status, r.body.length]).toEqual([400, 0]);
  });

  it('the public SSE-S3 object next to it is served anonymously; the owner reads the SSE-KMS one signed', async () => {
    const r = await anonymous('GET', 'sse-s3');
    expect([r.status, r.text]).toEqual([200, 'public sse-s3']);
    expect(header(r, SSE_HEADER)).toBe('AES256');
    const { r: got, bytes } = await getObject(Bucket, 'kms');
    expect(bytes.equals(kmsBody)).toBe(true);
    expectKms(got, APP);
  });
});

describe('bucket policy conditions on the SSE-KMS headers (an explicit Deny binds the owner)', () => {
  const Bucket = 'kms-policy';
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket,
        Policy: policy(
          {
            Sid: 'OnlyKms',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${Bucket}/enc/*`,
            Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
          },
          {
            Sid: 'OnlyBackupByArn',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${Bucket}/keyed/*`,
            Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': BACKUP } },
          },
        ),
      }),
    );
  });

  const putObject = (Key: string, extra: Partial<PutObjectCommandInput> = {}) => s3.send(new PutObjectCommand({ Bucket, Key, Body: 'guarded', ...extra }));

  it('s3:x-amz-server-side-encryption: a plain or AES256 PUT is 403 AccessDenied, an aws:kms PUT succeeds', async () => {
    await expectS3Error(putObject('enc/plain'), 'AccessDenied', 403);
    await expectMissing(s3, Bucket, 'enc/plain');
    await expectS3Error(putObject('enc/aes', { ServerSideEncryption: 'AES256' }), 'AccessDenied', 403);
    await expectMissing(s3, Bucket, 'enc/aes');
    expectKms(await putObject('enc/kms', { ServerSideEncryption: 'aws:kms' }), APP);
    expectKms(await putObject('enc/kms-backup', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'backup' }), BACKUP);
    // Outside the statement's resource, plain writes go on.
    expectNotKms(await putObject('open/plain'), undefined);
  });

  it('s3:x-amz-server-side-encryption-aws-kms-key-id is the header as sent: only the exact key ARN passes', async () => {
    expectKms(await putObject('keyed/arn', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: BACKUP }), BACKUP);
    for (const [Key, SSEKMSKeyId] of [
      ['keyed/bare', 'backup'],
      ['keyed/alias', 'alias/backup'],
      ['keyed/other-key', APP],
      ['keyed/none', undefined],
    ] as const) {
      await expectS3Error(putObject(Key, { ServerSideEncryption: 'aws:kms', ...(SSEKMSKeyId !== undefined && { SSEKMSKeyId }) }), 'AccessDenied', 403);
      await expectMissing(s3, Bucket, Key);
    }
  });
});

describe('without MASSIVE_KMS_KEYS: one key, "default"', () => {
  const Bucket = 'kms-only-default';
  const DEFAULT = keyArn('default');
  let client: S3Client;
  beforeAll(async () => {
    client = s3Client(defaultGw);
    await client.send(new CreateBucketCommand({ Bucket }));
  });

  it('aws:kms without a key id, and the id "default", name arn:...:key/default; "app" is unknown there', async () => {
    const body = patternBytes(70 * KiB, 61);
    expectKms(await client.send(new PutObjectCommand({ Bucket, Key: 'implicit', Body: body, ServerSideEncryption: 'aws:kms' })), DEFAULT);
    expectKms(await client.send(new PutObjectCommand({ Bucket, Key: 'explicit', Body: body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/default' })), DEFAULT);
    const { r, bytes } = await getObject(Bucket, 'implicit', {}, client);
    expect(bytes.equals(body)).toBe(true);
    expectKms(r, DEFAULT);
    await expectSdkError(client.send(new PutObjectCommand({ Bucket, Key: 'app', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'app' })), 'KMS.NotFoundException', 400, "Invalid keyId 'app'");
    await expectMissing(client, Bucket, 'app');
  });

  it('a bucket default without a key uses it too', async () => {
    const B = 'kms-only-default-bucket';
    await client.send(new CreateBucketCommand({ Bucket: B }));
    await client.send(new PutBucketEncryptionCommand({ Bucket: B, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } }));
    expectKms(await client.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'x' })), DEFAULT);
  });
});

/** The aws CLI (v1 or v2: both take --sse aws:kms --sse-kms-key-id), Debian's package first. */
const AWS = findTool([process.env['MASSIVE_E2E_AWS_CLI'], '/usr/bin/aws', 'aws'], ['--version'], (v) => /^aws-cli\/[12]\./.test(v));
const describeCli = describeWithTool('sse-kms.spec.ts (aws CLI)', AWS, 'the aws CLI is not installed', "Debian's awscli");

describeCli(`aws CLI with SSE-KMS (${E2E_MODE} mode)`, () => {
  const Bucket = 'kms-cli';
  const cli = useAwsCli(AWS, gw, 'kms-cli');
  const { aws, ok } = cli;
  const smallBytes = marked('KMS-CLI-SMALL-MARKER', 5000, 71);
  const bigBytes = patternBytes(20 * MiB, 72);

  beforeAll(async () => {
    writeFileSync(join(cli.work, 'small.bin'), smallBytes);
    writeFileSync(join(cli.work, 'big.bin'), bigBytes);
    await s3.send(new CreateBucketCommand({ Bucket }));
  });
  interface Head {
    readonly ContentLength: number;
    readonly ETag: string;
    readonly ServerSideEncryption?: string;
    readonly SSEKMSKeyId?: string;
    readonly BucketKeyEnabled?: boolean;
  }
  const head = async (Key: string): Promise<Head> => JSON.parse(await ok('s3api', 'head-object', '--bucket', Bucket, '--key', Key)) as Head;

  it('s3 cp --sse aws:kms --sse-kms-key-id app up; head-object names aws:kms and the key ARN; s3 cp down gives the same bytes', async () => {
    expect(await ok('s3', 'cp', '--no-progress', '--sse', 'aws:kms', '--sse-kms-key-id', 'app', join(cli.work, 'small.bin'), `s3://${Bucket}/small.bin`)).toContain('upload:');
    const h = await head('small.bin');
    expect({ sse: h.ServerSideEncryption, key: h.SSEKMSKeyId, length: h.ContentLength, etag: h.ETag }).toEqual({
      sse: 'aws:kms',
      key: APP,
      length: smallBytes.length,
      etag: `"${md5Hex(smallBytes)}"`,
    });
    expect(h.BucketKeyEnabled).toBeUndefined();
    const back = join(cli.work, 'small.back');
    await ok('s3', 'cp', '--no-progress', `s3://${Bucket}/small.bin`, back);
    expect(readFileSync(back).equals(smallBytes)).toBe(true);
    expect(filesHolding(gw.dataDir, Buffer.from('KMS-CLI-SMALL-MARKER'))).toEqual([]);
  }, 60_000);

  it('s3 cp of a 20 MiB file under backup: a multipart upload (-3 ETag) under that key, downloaded byte for byte', async () => {
    expect(await ok('s3', 'cp', '--no-progress', '--sse', 'aws:kms', '--sse-kms-key-id', 'backup', join(cli.work, 'big.bin'), `s3://${Bucket}/big.bin`)).toContain('upload:');
    const h = await head('big.bin');
    expect([h.ServerSideEncryption, h.SSEKMSKeyId, h.ContentLength]).toEqual(['aws:kms', BACKUP, bigBytes.length]);
    // The CLI splits at 8 MiB: 3 parts.
    expect(h.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    const back = join(cli.work, 'big.back');
    await ok('s3', 'cp', '--no-progress', `s3://${Bucket}/big.bin`, back);
    const got = readFileSync(back);
    expect(got.length).toBe(bigBytes.length);
    expect(got.equals(bigBytes)).toBe(true);
  }, 240_000);

  it('an unknown --sse-kms-key-id fails the copy with KMS.NotFoundException', async () => {
    const r = await aws('s3', 'cp', '--no-progress', '--sse', 'aws:kms', '--sse-kms-key-id', 'nope', join(cli.work, 'small.bin'), `s3://${Bucket}/nope.bin`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('KMS.NotFoundException');
    await expectMissing(s3, Bucket, 'nope.bin');
  }, 60_000);

  it('s3api put-bucket-encryption with aws:kms, get-bucket-encryption reads it back; a plain s3 cp is then encrypted under it', async () => {
    const B = 'kms-cli-default';
    await ok('s3', 'mb', `s3://${B}`);
    const config = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/backup' }, BucketKeyEnabled: true }] };
    await ok('s3api', 'put-bucket-encryption', '--bucket', B, '--server-side-encryption-configuration', JSON.stringify(config));
    const got = JSON.parse(await ok('s3api', 'get-bucket-encryption', '--bucket', B)) as { ServerSideEncryptionConfiguration: typeof config };
    expect(got.ServerSideEncryptionConfiguration.Rules[0]).toEqual(config.Rules[0]);
    await ok('s3', 'cp', '--no-progress', join(cli.work, 'small.bin'), `s3://${B}/plain.bin`);
    const h = JSON.parse(await ok('s3api', 'head-object', '--bucket', B, '--key', 'plain.bin')) as Head;
    expect([h.ServerSideEncryption, h.SSEKMSKeyId, h.BucketKeyEnabled]).toEqual(['aws:kms', BACKUP, true]);
  }, 60_000);
});

/** rclone (Debian's package), whose S3 backend takes `--s3-server-side-encryption aws:kms --s3-sse-kms-key-id`. */
const RCLONE = findTool([process.env['MASSIVE_E2E_RCLONE'], '/usr/bin/rclone', 'rclone'], ['version'], (v) => /^rclone v1\./.test(v));
const describeRclone = describeWithTool('sse-kms.spec.ts (rclone)', RCLONE, 'rclone is not installed', "Debian's rclone");

describeRclone(`rclone with SSE-KMS (${E2E_MODE} mode)`, () => {
  const Bucket = 'kms-rclone';
  let work = '';
  const smallBytes = marked('KMS-RCLONE-SMALL-MARKER', 7000, 81);
  // Above the 5 MiB cutoff set below: uploaded in 3 parts (5 + 5 + 2 MiB and change).
  const bigBytes = marked('KMS-RCLONE-BIG-MARKER', 12 * MiB + 777, 82);

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'massive-e2e-kms-rclone-'));
    writeFileSync(join(work, 'rclone.conf'), '');
    writeFileSync(join(work, 'small.bin'), smallBytes);
    writeFileSync(join(work, 'big.bin'), bigBytes);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function rclone(withSse: boolean, ...args: string[]): Promise<ToolResult> {
    const sse = withSse ? ['--s3-server-side-encryption', 'aws:kms', '--s3-sse-kms-key-id', 'app'] : [];
    return runTool(
      RCLONE.path!,
      ['--config', join(work, 'rclone.conf'), '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M', '--retries', '1', '--low-level-retries', '1', ...sse, ...args],
      { env: rcloneEnv(work, gw.endpoint) },
    );
  }
  async function ok(withSse: boolean, ...args: string[]): Promise<string> {
    return succeeded('rclone', args, await rclone(withSse, ...args));
  }

  it('copies a small and a multipart file up with aws:kms under app, and back down byte for byte (with and without the flags)', async () => {
    await ok(true, 'mkdir', `ms:${Bucket}`);
    for (const name of ['small.bin', 'big.bin']) await ok(true, 'copyto', join(work, name), `ms:${Bucket}/${name}`);
    for (const [name, bytes] of [['small.bin', smallBytes], ['big.bin', bigBytes]] as const) {
      const h = await s3.send(new HeadObjectCommand({ Bucket, Key: name }));
      expectKms(h, APP);
      expect(h.ContentLength).toBe(bytes.length);
      for (const withSse of [true, false]) {
        const back = join(work, `${name}.${withSse}.back`);
        await ok(withSse, 'copyto', `ms:${Bucket}/${name}`, back);
        expect(readFileSync(back).equals(bytes)).toBe(true);
      }
    }
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'big.bin' }))).ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'small.bin' }))).ETag).toBe(`"${md5Hex(smallBytes)}"`);
  }, 240_000);

  it('left no plaintext on disk', () => {
    for (const marker of ['KMS-RCLONE-SMALL-MARKER', 'KMS-RCLONE-BIG-MARKER']) expect(filesHolding(gw.dataDir, Buffer.from(marker))).toEqual([]);
  }, 60_000);
});

describe('after a restart', () => {
  const Bucket = 'kms-restart';
  const appBody = patternBytes(2 * MiB + 3, 91);
  const backupBody = patternBytes(100 * KiB, 92);

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'app', Body: appBody, ServerSideEncryption: 'aws:kms', SSEKMSEncryptionContext: CONTEXT_SENT }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'backup', Body: backupBody, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'backup', BucketKeyEnabled: true }));
  });

  it('objects under both keys read back whole and in ranges, naming their keys (the data keys are sealed under the persisted master key)', async () => {
    await gw.restart();
    const client = s3Client(gw);
    try {
      const a = await getObject(Bucket, 'app', {}, client);
      expect(a.bytes.equals(appBody)).toBe(true);
      expectKms(a.r, APP);
      const ar = await getObject(Bucket, 'app', { Range: 'bytes=1048570-1048589' }, client);
      expect(ar.bytes.equals(appBody.subarray(1048570, 1048590))).toBe(true);
      const b = await getObject(Bucket, 'backup', {}, client);
      expect(b.bytes.equals(backupBody)).toBe(true);
      expectKms(b.r, BACKUP, true);
    } finally {
      client.destroy();
    }
  }, 120_000);
});
