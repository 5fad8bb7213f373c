import { request } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { recordRequests, s3Client } from '../support/clients';
import { NodeSha256 } from '../support/raw-http';
import { CREDENTIALS, REGION, useGateway } from '../support/server';
import { bodyBytes, expectS3Error, md5Hex, patternBytes } from '../support/s3-assert';

const MiB = 1024 * 1024;
const gw = useGateway({ MASSIVE_CHUNK_SIZE: String(MiB) });
const Bucket = 'core';
let s3: S3Client;

beforeAll(async () => {
  s3 = s3Client(gw);
  await s3.send(new CreateBucketCommand({ Bucket }));
});

/** A body that sends its first half, then waits for `release` before the rest. */
function gatedBody(bytes: Buffer, release: Promise<void>): { body: Readable; halfSent: Promise<void> } {
  let onHalf!: () => void;
  const halfSent = new Promise<void>((r) => (onHalf = r));
  const half = Math.floor(bytes.length / 2);
  let step = 0;
  const body = new Readable({
    read() {
      if (step === 0) {
        step = 1;
        this.push(bytes.subarray(0, half));
        onHalf();
      } else if (step === 1) {
        step = 2;
        void release.then(() => {
          this.push(bytes.subarray(half));
          this.push(null);
        });
      }
    },
  });
  return { body, halfSent };
}

describe('UploadPart of a part number while an earlier upload of it is in flight', () => {
  it('the last completed upload of the part wins, and Complete with it succeeds', async () => {
    const Key = 'reupload';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const slow = patternBytes(3 * MiB, 11);
    const fast = patternBytes(3 * MiB, 12);
    let release!: () => void;
    const gate = gatedBody(slow, new Promise<void>((r) => (release = r)));
    const first = s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: gate.body, ContentLength: slow.length }));
    await gate.halfSent;
    const second = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: fast }));
    expect(second.ETag).toBe(`"${md5Hex(fast)}"`);
    release();
    const firstDone = await first; // completes last: it wins
    expect(firstDone.ETag).toBe(`"${md5Hex(slow)}"`);

    const parts = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.ETag])).toEqual([[1, firstDone.ETag]]);
    await expectS3Error(
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: second.ETag }] } })),
      'InvalidPart',
      400,
    );
    // The client lists both uploads of part 1 (as s3-tests' resend_first_finishes_last does): S3 accepts it.
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: second.ETag }, { PartNumber: 1, ETag: firstDone.ETag }] },
      }),
    );
    expect(done.ETag).toMatch(/-1"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect((await bodyBytes(got.Body)).equals(slow)).toBe(true);
  });

  it('a lower part number after a higher one is still InvalidPartOrder', async () => {
    const Key = 'order';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: patternBytes(5 * MiB, 13) }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: patternBytes(100, 14) }));
    await expectS3Error(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 2, ETag: p2.ETag }, { PartNumber: 1, ETag: p1.ETag }] },
        }),
      ),
      'InvalidPartOrder',
      400,
    );
  });
});

/** SigV4 headers (UNSIGNED-PAYLOAD) for a request to the gateway. */
async function signHeaders(method: string, path: string, extra: Record<string, string>, secret: string = CREDENTIALS.secretAccessKey): Promise<Record<string, string>> {
  const url = new URL(gw.endpoint);
  const signer = new SignatureV4({
    service: 's3',
    region: REGION,
    credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: secret },
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const headers = { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...extra };
  return (await signer.sign({ method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query: {}, headers })).headers;
}

/** Writes one request exactly as given on a fresh socket and returns the raw answer (the server closes or answers once). */
function rawSocket(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(Number(new URL(gw.endpoint).port), '127.0.0.1', () => sock.write(head));
    let got = '';
    sock.on('data', (d: Buffer) => {
      got += d.toString('utf8');
      if (/\r\n\r\n[\s\S]*<\/Error>/.test(got) || /^HTTP\/1\.1 2\d\d/.test(got)) sock.end();
    });
    sock.on('end', () => resolve(got));
    sock.on('close', () => resolve(got));
    sock.on('error', reject);
  });
}

describe('PUT framing', () => {
  it('neither Content-Length nor Transfer-Encoding → 411 MissingContentLength, and no object is created', async () => {
    const path = `/${Bucket}/unframed`;
    const headers = await signHeaders('PUT', path, {});
    const head = `PUT ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\nconnection: close\r\n\r\n`;
    const answer = await rawSocket(head);
    expect(answer).toMatch(/^HTTP\/1\.1 411 /);
    expect(answer).toContain('<Code>MissingContentLength</Code>');
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'unframed' })), 'NoSuchKey', 404);
  });
});

/**
 * A PUT with `Expect: 100-continue` that sends its body only on `100 Continue`: returns the final status,
 * whether the server asked for the body, and the answer.
 */
async function putExpectingContinue(path: string, body: Buffer, secret: string = CREDENTIALS.secretAccessKey): Promise<{ status: number; continued: boolean; text: string }> {
  const url = new URL(gw.endpoint);
  const signed = await signHeaders('PUT', path, { 'content-length': String(body.length), expect: '100-continue' }, secret);
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = request({ host: '127.0.0.1', port: Number(url.port), method: 'PUT', path, headers: signed, agent: false });
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, continued, text: Buffer.concat(chunks).toString('utf8') });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

describe('Expect: 100-continue', () => {
  const body = patternBytes(64 * 1024, 21);

  it('a bad signature is answered 403 before the body is asked for', async () => {
    const r = await putExpectingContinue(`/${Bucket}/expect-bad-sig`, body, 'not-the-secret');
    expect([r.status, r.continued]).toEqual([403, false]);
    expect(r.text).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('a missing bucket is answered 404 NoSuchBucket before the body is asked for', async () => {
    const r = await putExpectingContinue('/no-such-bucket-here/k', body);
    expect([r.status, r.continued]).toEqual([404, false]);
    expect(r.text).toContain('<Code>NoSuchBucket</Code>');
  });

  it('a good request gets 100 Continue, sends its body, and is stored', async () => {
    const r = await putExpectingContinue(`/${Bucket}/expect-ok`, body);
    expect([r.status, r.continued]).toEqual([200, true]);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'expect-ok' }));
    expect((await bodyBytes(got.Body)).equals(body)).toBe(true);
  });
});

describe('Content-Encoding with aws-chunked', () => {
  it('`deflate, gzip` sent with aws-chunked is stored without aws-chunked and otherwise verbatim', async () => {
    const c = s3Client(gw);
    const seen = recordRequests(c);
    const body = patternBytes(200 * 1024, 31);
    const stream = Readable.from((function* () {
      for (let i = 0; i < body.length; i += 64 * 1024) yield body.subarray(i, i + 64 * 1024);
    })());
    await c.send(new PutObjectCommand({ Bucket, Key: 'encoded', Body: stream, ContentLength: body.length, ContentEncoding: 'deflate, gzip' }));
    expect(seen[0].headers['content-encoding']).toMatch(/aws-chunked/);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'encoded' }));
    expect(head.ContentEncoding).toBe('deflate, gzip');
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'encoded' }));
    expect(got.ContentEncoding).toBe('deflate, gzip');
    expect((await bodyBytes(got.Body)).equals(body)).toBe(true);
  });
});
