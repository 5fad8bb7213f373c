import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { describeWithTool, findTool, rcloneEnv, runAwsCli, runTool, succeeded, type ToolResult } from '../support/cli-tools';
import { NodeSha256, rawRequest, sendHttps, type RawResponse } from '../support/raw-http';
import { bodyBytes, expectBodylessError, expectErrorXml, expectS3Error, md5Base64, md5Hex, parseXml, patternBytes, sha256Hex } from '../support/s3-assert';
import { CREDENTIALS, E2E_MODE, REGION, useGateway, type GatewayProcess } from '../support/server';
import { createServerCert } from '../support/tls';
import { filesHolding, marked } from '../support/at-rest';

/**
 * SSE-C (server-side encryption with customer-provided keys), end to end: served only over the
 * gateway's own TLS socket, refused over plain HTTP. Where this spec pins an error code or message it
 * is AWS S3's (LocalStack's AWS-validated captures, AWS's docs, responses pasted from AWS into SDK
 * issues); the few cases where AWS's answer is not on record say so.
 */

const MiB = 1024 * 1024;
const cert = createServerCert();
afterAll(() => rmSync(cert.dir, { recursive: true, force: true }));

/** HTTPS on the gateway's socket, objects over 1 MiB span chunks. */
const gw = useGateway({ MASSIVE_S3_TLS_CERT: cert.certFile, MASSIVE_S3_TLS_KEY: cert.keyFile, MASSIVE_CHUNK_SIZE: String(MiB) });
/** Plain HTTP: every SSE-C request is refused. */
const plainGw = useGateway();

const Bucket = 'ssec-spec';
const Defaulted = 'ssec-spec-default';

const ALGORITHM_HEADER = 'x-amz-server-side-encryption-customer-algorithm';
const KEY_HEADER = 'x-amz-server-side-encryption-customer-key';
const KEY_MD5_HEADER = 'x-amz-server-side-encryption-customer-key-md5';
const COPY_SOURCE = 'x-amz-copy-source-';

const SECURE_CONNECTION = 'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.';
const ENCRYPTED_OBJECT = 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.';
const NOT_APPLICABLE = 'The encryption parameters are not applicable to this object.';
/** AWS's message for a wrong (but self-consistent) key on GetObject (LocalStack's AWS-validated provider). */
const WRONG_KEY = 'Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.';
const PARTS_NEED_KEY = 'The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.';
/** AWS: a part sent with another key than the upload's (400 InvalidRequest, not 403). */
const PARTS_OTHER_KEY = 'The provided encryption parameters did not match the ones used originally.';
const REQUESTS = 'Requests specifying Server Side Encryption with Customer provided keys must provide';

/** Two customer keys (random, so no other bytes in the data dir can hold them by chance). */
const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);

/** The SDK's SSE-C parameters for `key` (a base64 string of 32 bytes is sent as is; the SDK computes the MD5). */
function ssec(key: Buffer): { SSECustomerAlgorithm: string; SSECustomerKey: string } {
  return { SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64') };
}

function copySsec(key: Buffer): { CopySourceSSECustomerAlgorithm: string; CopySourceSSECustomerKey: string } {
  return { CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: key.toString('base64') };
}

/** The three request headers for `key` (`copySource`: `x-amz-copy-source-server-side-encryption-customer-*`). */
function ssecHeaders(key: Buffer, copySource = false): Record<string, string> {
  const name = (h: string): string => (copySource ? h.replace(/^x-amz-/, COPY_SOURCE) : h);
  return { [name(ALGORITHM_HEADER)]: 'AES256', [name(KEY_HEADER)]: key.toString('base64'), [name(KEY_MD5_HEADER)]: md5Base64(key) };
}

function crc32Base64(b: Buffer): string {
  const d = Buffer.alloc(4);
  d.writeUInt32BE(crc32(b) >>> 0);
  return d.toString('base64');
}

/** The ETag S3 gives a multipart upload of these plaintext parts when it is NOT encrypted (to show SSE-C's differs). */
function plaintextMultipartEtag(parts: readonly Buffer[]): string {
  const digests = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
  return `"${md5Hex(digests)}-${parts.length}"`;
}

const SSE_C_ETAG = /^"[0-9a-f]{32}"$/;

/** An SDK client over HTTPS trusting the test CA. */
function httpsClient(target: GatewayProcess): S3Client {
  return new S3Client({
    region: REGION,
    credentials: CREDENTIALS,
    endpoint: target.endpoint,
    forcePathStyle: true,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpsAgent: new HttpsAgent({ ca: cert.caPem, keepAlive: true }) }),
  });
}

/** Keeps the headers of the last response the client read (for headers the SDK's output shape lacks). */
function recordResponseHeaders(client: S3Client): { last: Record<string, string> } {
  const box = { last: {} as Record<string, string> };
  client.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      box.last = { ...((out.response as { headers?: Record<string, string> }).headers ?? {}) };
      return out;
    },
    { step: 'deserialize', priority: 'high', name: 'e2eResponseHeaders' },
  );
  return box;
}

function encodeQuery(q: Readonly<Record<string, string>>): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.entries(q)
    .map(([k, v]) => (v === '' ? enc(k) : `${enc(k)}=${enc(v)}`))
    .join('&');
}

/** One HTTPS request trusting the test CA. */
function httpsSend(url: string, method: string, headers: Record<string, string> = {}, body?: Buffer): Promise<RawResponse> {
  return sendHttps(url, method, cert.caPem, headers, body);
}

/** A SigV4-signed request (signed payload) over HTTPS with exactly these headers: for header sets the SDK would repair. */
async function tlsRequest(
  target: GatewayProcess,
  r: { readonly method: string; readonly path: string; readonly query?: Readonly<Record<string, string>>; readonly headers?: Readonly<Record<string, string>>; readonly body?: Buffer | string },
): Promise<RawResponse> {
  const url = new URL(target.endpoint);
  const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
  const headers: Record<string, string> = { host: url.host, ...(r.headers ?? {}) };
  if (body !== undefined) headers['content-length'] = String(body.length);
  headers['x-amz-content-sha256'] = sha256Hex(body ?? '');
  const signer = new SignatureV4({ service: 's3', region: REGION, credentials: CREDENTIALS, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.sign({ method: r.method, protocol: 'https:', hostname: url.hostname, port: Number(url.port), path: r.path, query: { ...(r.query ?? {}) }, headers });
  Object.assign(headers, signed.headers);
  const qs = r.query && Object.keys(r.query).length ? `?${encodeQuery(r.query)}` : '';
  return httpsSend(`${target.endpoint}${r.path}${qs}`, r.method, headers, body);
}

/** An S3 error document with this code and exactly this message. */
function expectError(res: RawResponse, status: number, code: string, message?: string): Record<string, string> {
  expect({ status: res.status, body: res.text.slice(0, 600) }).toMatchObject({ status });
  const e = expectErrorXml(res.text, code);
  if (message !== undefined) expect(e['Message']).toBe(message);
  return e;
}

/** An SDK call that must fail with this S3 code, status and message. */
async function expectSdkError(p: Promise<unknown>, code: string, status: number, message?: string): Promise<void> {
  const err = await expectS3Error(p, code, status);
  if (message !== undefined) expect(err.message).toBe(message);
}

describe(`SSE-C over the gateway's own TLS socket (${E2E_MODE} mode)`, () => {
  let s3: S3Client;
  let responses: { last: Record<string, string> };
  const small = marked('SSEC-SMALL-PLAINTEXT-MARKER', 3000, 11);
  const large = marked('SSEC-LARGE-PLAINTEXT-MARKER', 3 * MiB + 12345, 12);
  const control = marked('SSEC-NOT-ENCRYPTED-CONTROL-MARKER', 300 * 1024, 13);
  /** The source of the copies to plain destinations (whose plaintext then rightly lies on disk: not scanned for). */
  const copySource = marked('SSEC-COPY-SOURCE-MARKER', 2 * MiB + 5000, 14);
  const putEtags: Record<string, string> = {};

  beforeAll(async () => {
    s3 = httpsClient(gw);
    responses = recordResponseHeaders(s3);
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: Defaulted }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'control', Body: control }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'sse-s3', Body: 'sse-s3 body', ServerSideEncryption: 'AES256' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'copy-source', Body: copySource, ...ssec(KEY_A) }));
  });
  afterAll(() => s3.destroy());

  async function getWith(Key: string, key: Buffer | undefined, extra: { Range?: string; PartNumber?: number } = {}) {
    const r = await s3.send(new GetObjectCommand({ Bucket, Key, ...(key && ssec(key)), ...extra }));
    return { r, bytes: await bodyBytes(r.Body) };
  }

  describe('PutObject, GetObject, HeadObject', () => {
    beforeAll(async () => {
      for (const [Key, Body] of [['small', small], ['large', large]] as const) {
        const put = await s3.send(new PutObjectCommand({ Bucket, Key, Body, ...ssec(KEY_A) }));
        expect(put.SSECustomerAlgorithm).toBe('AES256');
        expect(put.SSECustomerKeyMD5).toBe(md5Base64(KEY_A));
        expect(put.ServerSideEncryption).toBeUndefined();
        expect(put.ETag).toMatch(SSE_C_ETAG);
        expect(put.ETag).not.toBe(`"${md5Hex(Body)}"`);
        putEtags[Key] = put.ETag!;
      }
    });

    it('reads back whole with the key: plaintext bytes and size, the same ETag, SSE-C headers and no x-amz-server-side-encryption', async () => {
      for (const [Key, Body] of [['small', small], ['large', large]] as const) {
        const { r, bytes } = await getWith(Key, KEY_A);
        expect(bytes.equals(Body)).toBe(true);
        expect(r.ContentLength).toBe(Body.length);
        expect(r.ETag).toBe(putEtags[Key]);
        expect(r.SSECustomerAlgorithm).toBe('AES256');
        expect(r.SSECustomerKeyMD5).toBe(md5Base64(KEY_A));
        expect(r.ServerSideEncryption).toBeUndefined();
        expect(responses.last['x-amz-server-side-encryption']).toBeUndefined();

        const h = await s3.send(new HeadObjectCommand({ Bucket, Key, ...ssec(KEY_A) }));
        expect(h.ContentLength).toBe(Body.length);
        expect(h.ETag).toBe(putEtags[Key]);
        expect(h.SSECustomerAlgorithm).toBe('AES256');
        expect(h.SSECustomerKeyMD5).toBe(md5Base64(KEY_A));
        expect(h.ServerSideEncryption).toBeUndefined();
      }
    });

    it('ListObjectsV2 shows the same ETags and the plaintext sizes (no key needed to list)', async () => {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
      const byKey = Object.fromEntries((listed.Contents ?? []).map((o) => [o.Key, o]));
      expect(byKey['small']?.ETag).toBe(putEtags['small']);
      expect(byKey['small']?.Size).toBe(small.length);
      expect(byKey['large']?.ETag).toBe(putEtags['large']);
      expect(byKey['large']?.Size).toBe(large.length);
    });

    it.each([
      ['the first byte', 'bytes=0-0', 0, 0],
      ['across a 64 KiB package boundary', 'bytes=65530-65545', 65530, 65545],
      ['across a 1 MiB chunk boundary', `bytes=${MiB - 100}-${MiB + 99}`, MiB - 100, MiB + 99],
      ['deep inside, across chunks', 'bytes=1048000-2100000', 1048000, 2100000],
      ['the last bytes', `bytes=${3 * MiB + 12000}-`, 3 * MiB + 12000, 3 * MiB + 12344],
      ['a suffix', 'bytes=-70000', 3 * MiB + 12345 - 70000, 3 * MiB + 12344],
    ])('reads a range of the large object with the key: %s', async (_what, Range, start, end) => {
      const { r, bytes } = await getWith('large', KEY_A, { Range });
      expect(r.ContentLength).toBe(end - start + 1);
      expect(r.ContentRange).toBe(`bytes ${start}-${end}/${large.length}`);
      expect(bytes.equals(large.subarray(start, end + 1))).toBe(true);
      expect(r.SSECustomerKeyMD5).toBe(md5Base64(KEY_A));
    });

    it('reads ranges of the small (inline) object with the key', async () => {
      expect((await getWith('small', KEY_A, { Range: 'bytes=100-199' })).bytes.equals(small.subarray(100, 200))).toBe(true);
      expect((await getWith('small', KEY_A, { Range: 'bytes=-1' })).bytes.equals(small.subarray(2999))).toBe(true);
    });

    it('without the SSE-C headers: GET 400 InvalidRequest, HEAD 400 with no body', async () => {
      for (const Key of ['small', 'large']) {
        await expectSdkError(s3.send(new GetObjectCommand({ Bucket, Key })), 'InvalidRequest', 400, ENCRYPTED_OBJECT);
        await expectSdkError(s3.send(new GetObjectCommand({ Bucket, Key, Range: 'bytes=0-9' })), 'InvalidRequest', 400, ENCRYPTED_OBJECT);
        await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key })), 400);
      }
      const raw = await tlsRequest(gw, { method: 'GET', path: `/${Bucket}/small` });
      expectError(raw, 400, 'InvalidRequest', ENCRYPTED_OBJECT);
      expect(raw.body.includes(Buffer.from('SSEC-SMALL-PLAINTEXT-MARKER'))).toBe(false);
    });

    it('with a wrong key (its MD5 matching itself): GET 403 AccessDenied, HEAD 403 with no body', async () => {
      for (const Key of ['small', 'large']) {
        await expectSdkError(s3.send(new GetObjectCommand({ Bucket, Key, ...ssec(KEY_B) })), 'AccessDenied', 403, WRONG_KEY);
        await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key, ...ssec(KEY_B) })), 403);
      }
    });

    it('SSE-C headers on an unencrypted or SSE-S3 object: GET 400 InvalidRequest, HEAD 400 with no body', async () => {
      for (const Key of ['control', 'sse-s3']) {
        await expectSdkError(s3.send(new GetObjectCommand({ Bucket, Key, ...ssec(KEY_A) })), 'InvalidRequest', 400, NOT_APPLICABLE);
        await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key, ...ssec(KEY_A) })), 400);
      }
      // Without them both still read.
      expect((await getWith('control', undefined)).bytes.equals(control)).toBe(true);
      expect((await getWith('sse-s3', undefined)).bytes.toString()).toBe('sse-s3 body');
    });

    it('GetObjectAttributes needs the key too: 400 InvalidRequest without it, the PUT ETag (unquoted) with it', async () => {
      await expectSdkError(s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'small', ObjectAttributes: ['ETag', 'ObjectSize'] })), 'InvalidRequest', 400, ENCRYPTED_OBJECT);
      const a = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'small', ObjectAttributes: ['ETag', 'ObjectSize'], ...ssec(KEY_A) }));
      expect(a.ETag).toBe(putEtags['small']!.slice(1, -1));
      expect(a.ObjectSize).toBe(small.length);
    });

    it('a presigned GET signs the SSE-C headers (not hoisted to the query); the request must send them', async () => {
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'small', ...ssec(KEY_A) }), { expiresIn: 300 });
      const parsed = new URL(url);
      const signedHeaders = (parsed.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';');
      expect(signedHeaders).toEqual(expect.arrayContaining([ALGORITHM_HEADER, KEY_HEADER, KEY_MD5_HEADER]));
      expect(url).not.toContain(encodeURIComponent(KEY_A.toString('base64')));
      const ok = await httpsSend(url, 'GET', ssecHeaders(KEY_A));
      expect(ok.status).toBe(200);
      expect(ok.body.equals(small)).toBe(true);
      expect(ok.headers[ALGORITHM_HEADER]).toBe('AES256');
      expect(ok.headers[KEY_MD5_HEADER]).toBe(md5Base64(KEY_A));

      // A presigned GET that names no key reads nothing of the object.
      const bare = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'small' }), { expiresIn: 300 });
      expectError(await httpsSend(bare, 'GET'), 400, 'InvalidRequest', ENCRYPTED_OBJECT);
    });

    it('a browser POST upload with the SSE-C form fields stores the file under the customer key', async () => {
      const body = marked('SSEC-POSTED-PLAINTEXT-MARKER', 200 * 1024, 15);
      const sseFields = { [ALGORITHM_HEADER]: 'AES256', [KEY_HEADER]: KEY_A.toString('base64'), [KEY_MD5_HEADER]: md5Base64(KEY_A) };
      const { fields } = await createPresignedPost(s3, { Bucket, Key: 'posted.bin', Fields: sseFields });
      const fd = new FormData();
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      fd.append('file', new Blob([body]), 'posted.bin');
      // Serialised by fetch's own encoder, then sent over HTTPS trusting the test CA.
      const form = new Request('https://form.invalid/', { method: 'POST', body: fd });
      const r = await httpsSend(`${gw.endpoint}/${Bucket}`, 'POST', { 'content-type': form.headers.get('content-type') ?? '' }, Buffer.from(await form.arrayBuffer()));
      expect({ status: r.status, text: r.text }).toMatchObject({ status: 204 });
      expect(r.headers[ALGORITHM_HEADER]).toBe('AES256');
      expect(r.headers[KEY_MD5_HEADER]).toBe(md5Base64(KEY_A));
      expect(r.headers['etag']).not.toBe(`"${md5Hex(body)}"`);
      expect((await getWith('posted.bin', KEY_A)).bytes.equals(body)).toBe(true);
      await expectSdkError(s3.send(new GetObjectCommand({ Bucket, Key: 'posted.bin' })), 'InvalidRequest', 400, ENCRYPTED_OBJECT);
    });
  });

  describe('checksums and Content-MD5 are of the plaintext', () => {
    it('a right Content-MD5 is accepted (the ETag is still not the MD5); a wrong one is BadDigest and stores nothing', async () => {
      const body = marked('SSEC-CONTENT-MD5-MARKER', 2000, 21);
      const ok = await tlsRequest(gw, { method: 'PUT', path: `/${Bucket}/md5-ok`, body, headers: { 'content-md5': md5Base64(body), ...ssecHeaders(KEY_A) } });
      expect({ status: ok.status, text: ok.text }).toMatchObject({ status: 200 });
      expect(ok.headers['etag']).toMatch(SSE_C_ETAG);
      expect(ok.headers['etag']).not.toBe(`"${md5Hex(body)}"`);
      expect(ok.headers[ALGORITHM_HEADER]).toBe('AES256');
      expect(ok.headers[KEY_MD5_HEADER]).toBe(md5Base64(KEY_A));
      expect(ok.headers['x-amz-server-side-encryption']).toBeUndefined();

      const bad = await tlsRequest(gw, { method: 'PUT', path: `/${Bucket}/md5-bad`, body, headers: { 'content-md5': md5Base64('something else'), ...ssecHeaders(KEY_A) } });
      expectError(bad, 400, 'BadDigest');
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'md5-bad' })), 'NotFound', 404);
    });

    it("the SDK's CRC32 is the plaintext's: on the PUT, and validated by the SDK on a GET with ChecksumMode", async () => {
      const body = patternBytes(2 * MiB + 3, 22);
      const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'crc', Body: body, ChecksumAlgorithm: 'CRC32', ...ssec(KEY_A) }));
      expect(put.ChecksumCRC32).toBe(crc32Base64(body));
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'crc', ChecksumMode: 'ENABLED', ...ssec(KEY_A) }));
      expect(got.ChecksumCRC32).toBe(crc32Base64(body));
      expect((await bodyBytes(got.Body)).equals(body)).toBe(true);
    });
  });

  describe('header validation on PutObject (nothing is stored on a refusal)', () => {
    const md5A = md5Base64(KEY_A);
    const shortKey = randomBytes(16);
    const cases: readonly [string, Record<string, string>, number, string, string | undefined][] = [
      ['the key missing', { [ALGORITHM_HEADER]: 'AES256', [KEY_MD5_HEADER]: md5A }, 400, 'InvalidArgument', `${REQUESTS} an appropriate secret key.`],
      ['the algorithm missing', { [KEY_HEADER]: KEY_A.toString('base64'), [KEY_MD5_HEADER]: md5A }, 400, 'InvalidArgument', `${REQUESTS} a valid encryption algorithm.`],
      // AWS's answer here is not on record (MinIO's message; AWS may compute it, see the research note).
      ['the key MD5 missing', { [ALGORITHM_HEADER]: 'AES256', [KEY_HEADER]: KEY_A.toString('base64') }, 400, 'InvalidArgument', `${REQUESTS} the client calculated MD5 of the secret key.`],
      [
        'an algorithm other than AES256',
        { [ALGORITHM_HEADER]: 'AES128', [KEY_HEADER]: KEY_A.toString('base64'), [KEY_MD5_HEADER]: md5A },
        400,
        'InvalidEncryptionAlgorithmError',
        'The Encryption request you specified is not valid. Supported value: AES256.',
      ],
      // The MD5 matches the short key, so the length is what is wrong whichever check comes first.
      [
        'a 16-byte key (with its own MD5)',
        { [ALGORITHM_HEADER]: 'AES256', [KEY_HEADER]: shortKey.toString('base64'), [KEY_MD5_HEADER]: md5Base64(shortKey) },
        400,
        'InvalidArgument',
        'The secret key was invalid for the specified algorithm.',
      ],
      // Not on record for AWS: only the code is pinned.
      ['a key that is not base64', { [ALGORITHM_HEADER]: 'AES256', [KEY_HEADER]: 'not base64 at all!', [KEY_MD5_HEADER]: md5A }, 400, 'InvalidArgument', undefined],
      [
        'a key MD5 that does not match the key',
        { [ALGORITHM_HEADER]: 'AES256', [KEY_HEADER]: KEY_A.toString('base64'), [KEY_MD5_HEADER]: md5Base64(KEY_B) },
        400,
        'InvalidArgument',
        'The calculated MD5 hash of the key did not match the hash that was provided.',
      ],
      [
        'x-amz-server-side-encryption: AES256 as well',
        { 'x-amz-server-side-encryption': 'AES256', ...ssecHeaders(KEY_A) },
        400,
        'InvalidArgument',
        'Server Side Encryption with Customer provided key is incompatible with the encryption method specified',
      ],
    ];

    it.each(cases)('%s', async (what, headers, status, code, message) => {
      const Key = `refused-${what.replace(/[^a-z0-9]+/gi, '-')}`;
      const res = await tlsRequest(gw, { method: 'PUT', path: `/${Bucket}/${Key}`, body: 'refused body', headers });
      expectError(res, status, code, message);
      // The key is never echoed back in an error.
      expect(res.text).not.toContain(KEY_A.toString('base64'));
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key })), 'NotFound', 404);
    });

    it('CreateMultipartUpload validates the same way', async () => {
      const res = await tlsRequest(gw, { method: 'POST', path: `/${Bucket}/refused-mpu`, query: { uploads: '' }, headers: { ...ssecHeaders(KEY_A), [KEY_MD5_HEADER]: md5Base64(KEY_B) } });
      expectError(res, 400, 'InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.');
    });
  });

  describe('multipart uploads', () => {
    const parts = [marked('SSEC-PART-ONE-MARKER', 5 * MiB, 31), marked('SSEC-PART-TWO-MARKER', MiB + 77, 32)];
    const whole = Buffer.concat(parts);
    const Key = 'multi';
    let completeEtag = '';

    it('Create, UploadPart and Complete answer the SSE-C headers; part ETags are not the plaintext MD5s; Complete needs no key', async () => {
      const up = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ...ssec(KEY_A) }));
      expect(up.SSECustomerAlgorithm).toBe('AES256');
      expect(up.SSECustomerKeyMD5).toBe(md5Base64(KEY_A));
      expect(up.ServerSideEncryption).toBeUndefined();
      const done: CompletedPart[] = [];
      for (const [i, Body] of parts.entries()) {
        const r = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId: up.UploadId, PartNumber: i + 1, Body, ...ssec(KEY_A) }));
        expect(r.SSECustomerAlgorithm).toBe('AES256');
        expect(r.SSECustomerKeyMD5).toBe(md5Base64(KEY_A));
        expect(r.ServerSideEncryption).toBeUndefined();
        expect(r.ETag).toMatch(SSE_C_ETAG);
        expect(r.ETag).not.toBe(`"${md5Hex(Body)}"`);
        done.push({ PartNumber: i + 1, ETag: r.ETag });
      }
      const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId: up.UploadId }));
      expect(listed.Parts?.map((p) => p.Size)).toEqual(parts.map((p) => p.length));

      // No SSE-C headers on Complete (S3 needs them only for an upload created with a checksum algorithm).
      const c = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: up.UploadId, MultipartUpload: { Parts: done } }));
      expect(c.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
      expect(c.ETag).not.toBe(plaintextMultipartEtag(parts));
      expect(c.ServerSideEncryption).toBeUndefined();
      // As S3's API reference has it, Complete answers neither the algorithm nor the key's MD5.
      expect(responses.last[ALGORITHM_HEADER]).toBeUndefined();
      expect(responses.last[KEY_MD5_HEADER]).toBeUndefined();
      completeEtag = c.ETag!;
    });

    it('reads whole, across the part boundary, and by partNumber, with the key; HEAD and List show the Complete ETag', async () => {
      const g = await getWith(Key, KEY_A);
      expect(g.r.ContentLength).toBe(whole.length);
      expect(g.bytes.equals(whole)).toBe(true);
      expect(g.r.ETag).toBe(completeEtag);
      expect(g.r.SSECustomerKeyMD5).toBe(md5Base64(KEY_A));
      const across = await getWith(Key, KEY_A, { Range: `bytes=${5 * MiB - 100}-${5 * MiB + 99}` });
      expect(across.bytes.equals(whole.subarray(5 * MiB - 100, 5 * MiB + 100))).toBe(true);
      for (const [i, part] of parts.entries()) {
        const p = await getWith(Key, KEY_A, { PartNumber: i + 1 });
        expect(p.bytes.equals(part)).toBe(true);
        expect(p.r.PartsCount).toBe(2);
      }
      const h = await s3.send(new HeadObjectCommand({ Bucket, Key, ...ssec(KEY_A) }));
      expect(h.ETag).toBe(completeEtag);
      expect(h.ContentLength).toBe(whole.length);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: Key }));
      expect(listed.Contents?.find((o) => o.Key === Key)).toMatchObject({ ETag: completeEtag, Size: whole.length });
      await expectSdkError(s3.send(new GetObjectCommand({ Bucket, Key, PartNumber: 1 })), 'InvalidRequest', 400, ENCRYPTED_OBJECT);
      await expectSdkError(s3.send(new GetObjectCommand({ Bucket, Key, ...ssec(KEY_B) })), 'AccessDenied', 403, WRONG_KEY);
    });

    it('UploadPart without the headers: 400 InvalidRequest; with another key: 400 InvalidRequest (as AWS: not 403); neither stores a part', async () => {
      const K = 'multi-refused';
      const up = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: K, ...ssec(KEY_A) }));
      await expectSdkError(s3.send(new UploadPartCommand({ Bucket, Key: K, UploadId: up.UploadId, PartNumber: 1, Body: 'no key' })), 'InvalidRequest', 400, PARTS_NEED_KEY);
      await expectSdkError(
        s3.send(new UploadPartCommand({ Bucket, Key: K, UploadId: up.UploadId, PartNumber: 2, Body: 'other key', ...ssec(KEY_B) })),
        'InvalidRequest',
        400,
        PARTS_OTHER_KEY,
      );
      const listed = await s3.send(new ListPartsCommand({ Bucket, Key: K, UploadId: up.UploadId }));
      expect(listed.Parts ?? []).toEqual([]);
      // The right key still works afterwards.
      const r = await s3.send(new UploadPartCommand({ Bucket, Key: K, UploadId: up.UploadId, PartNumber: 1, Body: 'right key', ...ssec(KEY_A) }));
      await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: K, UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r.ETag }] } }));
      expect((await getWith(K, KEY_A)).bytes.toString()).toBe('right key');
    });

    it('UploadPart with SSE-C headers to an upload created without SSE-C: 400 InvalidRequest, no part stored', async () => {
      const K = 'multi-plain';
      const up = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: K }));
      // AWS's message for this direction is not on record; the code is.
      await expectS3Error(s3.send(new UploadPartCommand({ Bucket, Key: K, UploadId: up.UploadId, PartNumber: 1, Body: 'keyed part', ...ssec(KEY_A) })), 'InvalidRequest', 400);
      const listed = await s3.send(new ListPartsCommand({ Bucket, Key: K, UploadId: up.UploadId }));
      expect(listed.Parts ?? []).toEqual([]);
    });

    it('UploadPartCopy from an SSE-C source: into an SSE-C upload under another key, and into a plain upload', async () => {
      for (const encrypted of [true, false]) {
        const K = `part-copy-${encrypted ? 'ssec' : 'plain'}`;
        const up = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: K, ...(encrypted && ssec(KEY_B)) }));
        const r = await s3.send(
          new UploadPartCopyCommand({
            Bucket,
            Key: K,
            UploadId: up.UploadId,
            PartNumber: 1,
            CopySource: `${Bucket}/copy-source`,
            CopySourceRange: 'bytes=1000-2000999',
            ...copySsec(KEY_A),
            ...(encrypted && ssec(KEY_B)),
          }),
        );
        if (encrypted) {
          expect(r.SSECustomerAlgorithm).toBe('AES256');
          expect(r.SSECustomerKeyMD5).toBe(md5Base64(KEY_B));
          expect(r.CopyPartResult?.ETag).not.toBe(`"${md5Hex(copySource.subarray(1000, 2001000))}"`);
        }
        await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: K, UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r.CopyPartResult?.ETag }] } }));
        const g = await getWith(K, encrypted ? KEY_B : undefined);
        expect(g.bytes.equals(copySource.subarray(1000, 2001000))).toBe(true);
        if (encrypted) await expectSdkError(s3.send(new GetObjectCommand({ Bucket, Key: K })), 'InvalidRequest', 400, ENCRYPTED_OBJECT);
      }
    });
  });

  describe('CopyObject', () => {
    it('SSE-C source → plain destination: readable without a key, the plaintext MD5 as ETag, no SSE-C headers', async () => {
      const c = await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-to-plain', CopySource: `${Bucket}/copy-source`, ...copySsec(KEY_A) }));
      expect(c.SSECustomerAlgorithm).toBeUndefined();
      expect(c.SSECustomerKeyMD5).toBeUndefined();
      expect(c.CopyObjectResult?.ETag).toBe(`"${md5Hex(copySource)}"`);
      const g = await getWith('copy-to-plain', undefined);
      expect(g.bytes.equals(copySource)).toBe(true);
      expect(g.r.ETag).toBe(`"${md5Hex(copySource)}"`);
    });

    it('plain source → SSE-C destination: answers the destination key, reads only with it', async () => {
      const c = await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-to-ssec', CopySource: `${Bucket}/control`, ...ssec(KEY_B) }));
      expect(c.SSECustomerAlgorithm).toBe('AES256');
      expect(c.SSECustomerKeyMD5).toBe(md5Base64(KEY_B));
      expect(c.ServerSideEncryption).toBeUndefined();
      expect(c.CopyObjectResult?.ETag).toMatch(SSE_C_ETAG);
      expect(c.CopyObjectResult?.ETag).not.toBe(`"${md5Hex(control)}"`);
      expect((await getWith('copy-to-ssec', KEY_B)).bytes.equals(control)).toBe(true);
      await expectSdkError(s3.send(new GetObjectCommand({ Bucket, Key: 'copy-to-ssec' })), 'InvalidRequest', 400, ENCRYPTED_OBJECT);
      await expectSdkError(s3.send(new GetObjectCommand({ Bucket, Key: 'copy-to-ssec', ...ssec(KEY_A) })), 'AccessDenied', 403, WRONG_KEY);
    });

    it('SSE-C key A → key B: the copy reads with B only, the source still with A', async () => {
      const c = await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-a-to-b', CopySource: `${Bucket}/small`, ...copySsec(KEY_A), ...ssec(KEY_B) }));
      expect(c.SSECustomerKeyMD5).toBe(md5Base64(KEY_B));
      expect((await getWith('copy-a-to-b', KEY_B)).bytes.equals(small)).toBe(true);
      await expectSdkError(s3.send(new GetObjectCommand({ Bucket, Key: 'copy-a-to-b', ...ssec(KEY_A) })), 'AccessDenied', 403, WRONG_KEY);
      expect((await getWith('small', KEY_A)).bytes.equals(small)).toBe(true);
    });

    it('onto itself with a new key: afterwards it reads only with the new key', async () => {
      const Key = 'rekeyed';
      const body = marked('SSEC-REKEYED-MARKER', 1.5 * MiB, 41);
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: body, ...ssec(KEY_A) }));
      const c = await s3.send(new CopyObjectCommand({ Bucket, Key, CopySource: `${Bucket}/${Key}`, ...copySsec(KEY_A), ...ssec(KEY_B) }));
      expect(c.SSECustomerKeyMD5).toBe(md5Base64(KEY_B));
      const g = await getWith(Key, KEY_B);
      expect(g.bytes.equals(body)).toBe(true);
      expect(g.r.SSECustomerKeyMD5).toBe(md5Base64(KEY_B));
      expect(g.r.ETag).toBe(c.CopyObjectResult?.ETag);
      await expectSdkError(s3.send(new GetObjectCommand({ Bucket, Key, ...ssec(KEY_A) })), 'AccessDenied', 403, WRONG_KEY);
      await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key, ...ssec(KEY_A) })), 403);
      await expectSdkError(s3.send(new GetObjectCommand({ Bucket, Key })), 'InvalidRequest', 400, ENCRYPTED_OBJECT);
    });

    it('from an SSE-C source without the copy-source headers: 400 InvalidRequest; with a wrong source key: 403 AccessDenied; nothing written', async () => {
      await expectSdkError(s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-refused', CopySource: `${Bucket}/small` })), 'InvalidRequest', 400, ENCRYPTED_OBJECT);
      // The destination's SSE-C headers are not the source's.
      await expectSdkError(s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-refused', CopySource: `${Bucket}/small`, ...ssec(KEY_A) })), 'InvalidRequest', 400, ENCRYPTED_OBJECT);
      await expectS3Error(s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-refused', CopySource: `${Bucket}/small`, ...copySsec(KEY_B) })), 'AccessDenied', 403);
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'copy-refused' })), 'NotFound', 404);
    });
  });

  it('a bucket with default encryption (AES256) still stores an SSE-C PUT as SSE-C', async () => {
    await s3.send(new PutBucketEncryptionCommand({ Bucket: Defaulted, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
    const plain = await s3.send(new PutObjectCommand({ Bucket: Defaulted, Key: 'by-default', Body: 'defaulted' }));
    expect(plain.ServerSideEncryption).toBe('AES256');
    const body = marked('SSEC-DEFAULTED-BUCKET-MARKER', 200 * 1024, 51);
    const put = await s3.send(new PutObjectCommand({ Bucket: Defaulted, Key: 'ssec', Body: body, ...ssec(KEY_A) }));
    expect(put.ServerSideEncryption).toBeUndefined();
    expect(put.SSECustomerAlgorithm).toBe('AES256');
    expect(put.SSECustomerKeyMD5).toBe(md5Base64(KEY_A));
    await expectSdkError(s3.send(new GetObjectCommand({ Bucket: Defaulted, Key: 'ssec' })), 'InvalidRequest', 400, ENCRYPTED_OBJECT);
    const g = await s3.send(new GetObjectCommand({ Bucket: Defaulted, Key: 'ssec', ...ssec(KEY_A) }));
    expect((await bodyBytes(g.Body)).equals(body)).toBe(true);
    expect(g.ServerSideEncryption).toBeUndefined();
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: Defaulted, Key: 'ssec-mp', ...ssec(KEY_A) }));
    expect(up.ServerSideEncryption).toBeUndefined();
    expect(up.SSECustomerKeyMD5).toBe(md5Base64(KEY_A));
  });

  // Last: after every write above (objects, parts, copies, refusals).
  it('stores neither plaintext nor the customer keys: no marker, key bytes or base64 key anywhere under the data dir', () => {
    expect(filesHolding(gw.dataDir, Buffer.from('SSEC-NOT-ENCRYPTED-CONTROL-MARKER')).length).toBeGreaterThan(0);
    for (const marker of [
      'SSEC-SMALL-PLAINTEXT-MARKER',
      'SSEC-LARGE-PLAINTEXT-MARKER',
      'SSEC-CONTENT-MD5-MARKER',
      'SSEC-PART-ONE-MARKER',
      'SSEC-PART-TWO-MARKER',
      'SSEC-REKEYED-MARKER',
      'SSEC-DEFAULTED-BUCKET-MARKER',
      'SSEC-POSTED-PLAINTEXT-MARKER',
    ]) {
      expect({ marker, files: filesHolding(gw.dataDir, Buffer.from(marker)) }).toEqual({ marker, files: [] });
    }
    for (const [name, key] of [['A', KEY_A], ['B', KEY_B]] as const) {
      expect({ key: name, files: filesHolding(gw.dataDir, key) }).toEqual({ key: name, files: [] });
      expect({ key: name, files: filesHolding(gw.dataDir, Buffer.from(key.toString('base64'))) }).toEqual({ key: name, files: [] });
    }
  });
});

describe('SSE-C over plain HTTP is refused (400 InvalidRequest), whatever the operation', () => {
  const B = 'ssec-spec-plain';
  let s3: S3Client;
  beforeAll(async () => {
    s3 = new S3Client({ region: REGION, credentials: CREDENTIALS, endpoint: plainGw.endpoint, forcePathStyle: true, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'plain', Body: 'plain body' }));
  });
  afterAll(() => s3.destroy());

  it('PutObject with SSE-C headers: refused, nothing stored', async () => {
    const res = await rawRequest(plainGw, { method: 'PUT', path: `/${B}/put`, body: 'would be encrypted', headers: ssecHeaders(KEY_A) });
    expectError(res, 400, 'InvalidArgument', SECURE_CONNECTION);
    expect(res.text).not.toContain(KEY_A.toString('base64'));
    expect((await rawRequest(plainGw, { method: 'HEAD', path: `/${B}/put` })).status).toBe(404);
  });

  it('GetObject and HeadObject with SSE-C headers: refused before the object is looked at', async () => {
    expectError(await rawRequest(plainGw, { method: 'GET', path: `/${B}/plain`, headers: ssecHeaders(KEY_A) }), 400, 'InvalidArgument', SECURE_CONNECTION);
    const head = await rawRequest(plainGw, { method: 'HEAD', path: `/${B}/plain`, headers: ssecHeaders(KEY_A) });
    expect(head.status).toBe(400);
    expect(head.body.length).toBe(0);
  });

  it('any one SSE-C header is enough (even a lone key MD5, even a malformed set)', async () => {
    expectError(await rawRequest(plainGw, { method: 'PUT', path: `/${B}/lone`, body: 'x', headers: { [KEY_MD5_HEADER]: md5Base64(KEY_A) } }), 400, 'InvalidArgument', SECURE_CONNECTION);
    expectError(await rawRequest(plainGw, { method: 'PUT', path: `/${B}/lone`, body: 'x', headers: { [ALGORITHM_HEADER]: 'AES128' } }), 400, 'InvalidArgument', SECURE_CONNECTION);
    expect((await rawRequest(plainGw, { method: 'HEAD', path: `/${B}/lone` })).status).toBe(404);
  });

  it('CopyObject with only the copy-source SSE-C headers, and CreateMultipartUpload with SSE-C: refused', async () => {
    const copy = await rawRequest(plainGw, { method: 'PUT', path: `/${B}/copied`, headers: { 'x-amz-copy-source': `/${B}/plain`, ...ssecHeaders(KEY_A, true) } });
    expectError(copy, 400, 'InvalidArgument', SECURE_CONNECTION);
    expect((await rawRequest(plainGw, { method: 'HEAD', path: `/${B}/copied` })).status).toBe(404);
    const mpu = await rawRequest(plainGw, { method: 'POST', path: `/${B}/mpu`, query: { uploads: '' }, headers: ssecHeaders(KEY_A) });
    expectError(mpu, 400, 'InvalidArgument', SECURE_CONNECTION);
    const listed = parseXml((await rawRequest(plainGw, { method: 'GET', path: `/${B}`, query: { uploads: '' } })).text);
    expect(listed['ListMultipartUploadsResult']).toBeDefined();
    expect((listed['ListMultipartUploadsResult'] as Record<string, unknown>)['Upload']).toBeUndefined();
  });

  it('the SDK over HTTP gets the same answer; requests without SSE-C headers are served', async () => {
    await expectSdkError(s3.send(new PutObjectCommand({ Bucket: B, Key: 'sdk', Body: 'x', ...ssec(KEY_A) })), 'InvalidArgument', 400, SECURE_CONNECTION);
    const g = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'plain' }));
    expect((await bodyBytes(g.Body)).toString()).toBe('plain body');
  });
});

/** The aws CLI (v1 or v2: both take --sse-c and --sse-customer-key fileb://), Debian's package first. */
const AWS = findTool([process.env['MASSIVE_E2E_AWS_CLI'], '/usr/bin/aws', 'aws'], ['--version'], (v) => /^aws-cli\/[12]\./.test(v));
const describeCli = describeWithTool('sse-c.spec.ts (aws CLI)', AWS, 'the aws CLI is not installed', "Debian's awscli");

describeCli(`aws CLI with SSE-C against the HTTPS gateway (${E2E_MODE} mode)`, () => {
  const B = 'ssec-spec-cli';
  let work = '';
  let keyFile = '';
  let caFile = '';
  const cliKey = randomBytes(32);
  const smallBytes = marked('SSEC-CLI-SMALL-MARKER', 5000, 61);
  const bigBytes = patternBytes(20 * MiB, 62);

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'massive-e2e-ssec-cli-'));
    keyFile = join(work, 'sse-c.key');
    caFile = join(work, 'ca.pem');
    writeFileSync(keyFile, cliKey);
    writeFileSync(caFile, cert.caPem);
    writeFileSync(join(work, 'small.bin'), smallBytes);
    writeFileSync(join(work, 'big.bin'), bigBytes);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function aws(...args: string[]): Promise<ToolResult> {
    return runAwsCli(AWS.path!, gw.endpoint, work, args, caFile);
  }

  async function ok(...args: string[]): Promise<string> {
    return succeeded('aws', args, await aws(...args));
  }

  const sseC = (): string[] => ['--sse-c', 'AES256', '--sse-c-key', `fileb://${keyFile}`];

  it('s3 mb over HTTPS, trusting the test CA through --ca-bundle', async () => {
    expect(await ok('s3', 'mb', `s3://${B}`)).toContain(`make_bucket: ${B}`);
  });

  it('s3 cp up and down with --sse-c: a small file, byte for byte; head-object with the key names it', async () => {
    expect(await ok('s3', 'cp', '--no-progress', ...sseC(), join(work, 'small.bin'), `s3://${B}/small.bin`)).toContain('upload:');
    const head = JSON.parse(
      await ok('s3api', 'head-object', '--bucket', B, '--key', 'small.bin', '--sse-customer-algorithm', 'AES256', '--sse-customer-key', `fileb://${keyFile}`),
    ) as { ETag: string; ContentLength: number; SSECustomerAlgorithm?: string; SSECustomerKeyMD5?: string; ServerSideEncryption?: string };
    expect(head.ContentLength).toBe(smallBytes.length);
    expect(head.SSECustomerAlgorithm).toBe('AES256');
    expect(head.SSECustomerKeyMD5).toBe(md5Base64(cliKey));
    expect(head.ServerSideEncryption).toBeUndefined();
    expect(head.ETag).toMatch(SSE_C_ETAG);
    expect(head.ETag).not.toBe(`"${md5Hex(smallBytes)}"`);
    const back = join(work, 'small.back');
    await ok('s3', 'cp', '--no-progress', ...sseC(), `s3://${B}/small.bin`, back);
    expect(readFileSync(back).equals(smallBytes)).toBe(true);
  });

  it('s3 cp of a 20 MiB file: a multipart upload with SSE-C, downloaded back byte for byte', async () => {
    expect(await ok('s3', 'cp', '--no-progress', ...sseC(), join(work, 'big.bin'), `s3://${B}/big.bin`)).toContain('upload:');
    const head = JSON.parse(
      await ok('s3api', 'head-object', '--bucket', B, '--key', 'big.bin', '--sse-customer-algorithm', 'AES256', '--sse-customer-key', `fileb://${keyFile}`),
    ) as { ETag: string; ContentLength: number; SSECustomerKeyMD5?: string };
    expect(head.ContentLength).toBe(20 * MiB);
    // The CLI splits at 8 MiB: 3 parts.
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(head.SSECustomerKeyMD5).toBe(md5Base64(cliKey));
    const back = join(work, 'big.back');
    await ok('s3', 'cp', '--no-progress', ...sseC(), `s3://${B}/big.bin`, back);
    const got = readFileSync(back);
    expect(got.length).toBe(bigBytes.length);
    expect(got.equals(bigBytes)).toBe(true);
  }, 240_000);

  it('without the key the CLI cannot read it back (head-object: 400)', async () => {
    const r = await aws('s3api', 'head-object', '--bucket', B, '--key', 'small.bin');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/400|Bad Request/);
    const down = await aws('s3', 'cp', '--no-progress', `s3://${B}/small.bin`, join(work, 'small.nokey'));
    expect(down.code).not.toBe(0);
  });

  it('the CLI data left nothing readable on disk: no marker, no key', () => {
    expect(filesHolding(gw.dataDir, Buffer.from('SSEC-CLI-SMALL-MARKER'))).toEqual([]);
    expect(filesHolding(gw.dataDir, cliKey)).toEqual([]);
    expect(filesHolding(gw.dataDir, Buffer.from(cliKey.toString('base64')))).toEqual([]);
  });
});

/** rclone (Debian's package), whose S3 backend takes the customer key as `--s3-sse-customer-key-base64`. */
const RCLONE = findTool([process.env['MASSIVE_E2E_RCLONE'], '/usr/bin/rclone', 'rclone'], ['version'], (v) => /^rclone v1\./.test(v));
const describeRclone = describeWithTool('sse-c.spec.ts (rclone)', RCLONE, 'rclone is not installed', "Debian's rclone");

describeRclone(`rclone with SSE-C against the HTTPS gateway (${E2E_MODE} mode)`, () => {
  const B = 'ssec-spec-rclone';
  let work = '';
  const rcloneKey = randomBytes(32);
  const smallBytes = marked('SSEC-RCLONE-SMALL-MARKER', 7000, 71);
  // Above the 5 MiB cutoff set below: uploaded in parts, each under the key.
  const bigBytes = marked('SSEC-RCLONE-BIG-MARKER', 12 * MiB + 777, 72);

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'massive-e2e-ssec-rclone-'));
    writeFileSync(join(work, 'ca.pem'), cert.caPem);
    writeFileSync(join(work, 'rclone.conf'), '');
    writeFileSync(join(work, 'small.bin'), smallBytes);
    writeFileSync(join(work, 'big.bin'), bigBytes);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function rclone(withKey: boolean, ...args: string[]): Promise<ToolResult> {
    const sseC = withKey ? ['--s3-sse-customer-algorithm', 'AES256', '--s3-sse-customer-key-base64', rcloneKey.toString('base64')] : [];
    return runTool(
      RCLONE.path!,
      ['--config', join(work, 'rclone.conf'), '--ca-cert', join(work, 'ca.pem'), '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M', '--retries', '1', '--low-level-retries', '1', ...sseC, ...args],
      {
        env: rcloneEnv(work, gw.endpoint),
      },
    );
  }
  async function ok(withKey: boolean, ...args: string[]): Promise<string> {
    return succeeded('rclone', args, await rclone(withKey, ...args));
  }

  it('copies a small and a multipart file up and back down with the key, byte for byte', async () => {
    await ok(true, 'mkdir', `ms:${B}`);
    for (const name of ['small.bin', 'big.bin']) await ok(true, 'copyto', join(work, name), `ms:${B}/${name}`);
    for (const [name, bytes] of [['small.bin', smallBytes], ['big.bin', bigBytes]] as const) {
      const back = join(work, `${name}.back`);
      await ok(true, 'copyto', `ms:${B}/${name}`, back);
      expect(readFileSync(back).equals(bytes)).toBe(true);
    }
    // What rclone stored is SSE-C under its key: the SDK reads it only with that key.
    const s3 = httpsClient(gw);
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'big.bin', ...ssec(rcloneKey) }));
      expect(head.SSECustomerKeyMD5).toBe(md5Base64(rcloneKey));
      expect(head.ContentLength).toBe(bigBytes.length);
      await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'small.bin' })), 400);
    } finally {
      s3.destroy();
    }
  }, 240_000);

  it('without the key rclone gets none of the bytes (a listing still shows the files)', async () => {
    expect(await ok(false, 'lsf', `ms:${B}`)).toBe('big.bin\nsmall.bin\n');
    // rclone takes the 400 S3 answers its HEAD of an SSE-C object without the key for "no such file"
    // (as against AWS) and copies nothing; `cat` prints nothing.
    const back = join(work, 'small.nokey');
    await rclone(false, 'copyto', `ms:${B}/small.bin`, back);
    expect(existsSync(back)).toBe(false);
    const cat = await rclone(false, 'cat', `ms:${B}/small.bin`);
    expect(cat.stdout).toBe('');
  });

  it('left nothing readable on disk: no marker, no key', () => {
    for (const marker of ['SSEC-RCLONE-SMALL-MARKER', 'SSEC-RCLONE-BIG-MARKER']) expect(filesHolding(gw.dataDir, Buffer.from(marker))).toEqual([]);
    expect(filesHolding(gw.dataDir, rcloneKey)).toEqual([]);
    expect(filesHolding(gw.dataDir, Buffer.from(rcloneKey.toString('base64')))).toEqual([]);
  });
});
