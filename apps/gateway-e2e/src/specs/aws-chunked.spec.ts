import { createHash, createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { SignatureV4 } from '@smithy/signature-v4';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { CREDENTIALS, REGION, useGateway } from '../support/server';
import { bodyBytes, expectErrorXml, expectS3Error, md5Hex, patternBytes } from '../support/s3-assert';
import { NodeSha256, rawRequest, type RawResponse } from '../support/raw-http';

/**
 * aws-chunked bodies built by hand (the SDK only sends unsigned trailers): signed chunks
 * (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) and unsigned chunks with a checksum trailer, each also broken on purpose.
 */
const gw = useGateway();
const Bucket = 'chunked';
let s3: S3Client;

beforeAll(async () => {
  s3 = s3Client(gw);
  await s3.send(new CreateBucketCommand({ Bucket }));
});

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const hmac = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();

function signingKey(secret: string, date: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), REGION), 's3'), 'aws4_request');
}

function flipFirstByte(c: Buffer): Buffer {
  const t = Buffer.from(c);
  t[0] ^= 0xff;
  return t;
}

function crc32Base64(b: Buffer): string {
  const d = Buffer.alloc(4);
  d.writeUInt32BE(crc32(b) >>> 0);
  return d.toString('base64');
}

interface SignedChunkOptions {
  readonly chunkSize: number;
  /** Change the bytes of one chunk after signing it. */
  readonly tamperChunk?: number;
  /** Drop the final zero-length chunk (a truncated body). */
  readonly dropFinal?: boolean;
}

/** PUT with STREAMING-AWS4-HMAC-SHA256-PAYLOAD: every chunk signed, chained from the seed signature. */
async function putSignedChunks(key: string, data: Buffer, opts: SignedChunkOptions): Promise<RawResponse> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += opts.chunkSize) chunks.push(data.subarray(i, i + opts.chunkSize));
  if (!opts.dropFinal) chunks.push(Buffer.alloc(0));
  // The encoded length must be known before signing: signatures are always 64 hex digits.
  const encodedLength = chunks.reduce((n, c) => n + c.length.toString(16).length + ';chunk-signature='.length + 64 + 4 + c.length, 0);
  const date = new Date();
  const signer = new SignatureV4({ service: 's3', region: REGION, credentials: CREDENTIALS, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const url = new URL(gw.endpoint);
  const headers: Record<string, string> = {
    host: url.host,
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(data.length),
    'content-length': String(encodedLength),
  };
  const signed = await signer.sign({ method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: `/${Bucket}/${key}`, query: {}, headers }, { signingDate: date });
  const seed = /Signature=([0-9a-f]{64})/.exec(signed.headers['authorization'])![1];
  const amzDate = signed.headers['x-amz-date'];
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${REGION}/s3/aws4_request`;
  const key4 = signingKey(CREDENTIALS.secretAccessKey, day);
  let prev = seed;
  const parts: Buffer[] = [];
  chunks.forEach((c, i) => {
    const sts = ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, prev, sha256(''), sha256(c)].join('\n');
    const sig = createHmac('sha256', key4).update(sts).digest('hex');
    prev = sig;
    const sent = opts.tamperChunk === i ? flipFirstByte(c) : c;
    parts.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${sig}\r\n`), sent, Buffer.from('\r\n'));
  });
  const body = Buffer.concat(parts);
  expect(body.length).toBe(encodedLength);
  // Send exactly what was signed (rawRequest with sign:false keeps our headers untouched).
  return rawRequest(gw, { method: 'PUT', path: `/${Bucket}/${key}`, sign: false, headers: { ...signed.headers }, body });
}

/** PUT with STREAMING-UNSIGNED-PAYLOAD-TRAILER and an x-amz-checksum-crc32 trailer (what the SDK sends). */
function putUnsignedTrailer(key: string, data: Buffer, checksum: string, chunkSize = 64 * 1024): Promise<RawResponse> {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) {
    const c = data.subarray(i, i + chunkSize);
    parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0\r\nx-amz-checksum-crc32:${checksum}\r\n\r\n`));
  return rawRequest(gw, {
    method: 'PUT',
    path: `/${Bucket}/${key}`,
    sign: { contentSha256: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' },
    headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length), 'x-amz-trailer': 'x-amz-checksum-crc32' },
    body: Buffer.concat(parts),
  });
}

describe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD (signed chunks)', () => {
  it('a correctly signed chunked body is stored intact', async () => {
    const data = patternBytes(300 * 1024 + 5, 1);
    const r = await putSignedChunks('signed-chunks', data, { chunkSize: 64 * 1024 });
    expect([r.status, r.text]).toEqual([200, '']);
    expect(r.headers['etag']).toBe(`"${md5Hex(data)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'signed-chunks' }));
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(data));
    expect(got.ContentEncoding).toBeUndefined();
  });

  it('a chunk changed after signing → SignatureDoesNotMatch 403, nothing stored', async () => {
    const r = await putSignedChunks('tampered-chunks', patternBytes(200 * 1024, 2), { chunkSize: 64 * 1024, tamperChunk: 2 });
    expect(r.status).toBe(403);
    expectErrorXml(r.text, 'SignatureDoesNotMatch');
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'tampered-chunks' })), 'NotFound', 404);
  });

  it('a body without the final chunk → 400 (IncompleteBody), nothing stored', async () => {
    const r = await putSignedChunks('truncated-chunks', patternBytes(100 * 1024, 3), { chunkSize: 64 * 1024, dropFinal: true });
    expect(r.status).toBe(400);
    expect(['IncompleteBody', 'InvalidRequest', 'SignatureDoesNotMatch']).toContain(/<Code>([^<]+)</.exec(r.text)?.[1]);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'truncated-chunks' })), 'NotFound', 404);
  });
});

describe('STREAMING-UNSIGNED-PAYLOAD-TRAILER', () => {
  it('a correct CRC32 trailer stores the object and the checksum', async () => {
    const data = patternBytes(150 * 1024, 4);
    const r = await putUnsignedTrailer('trailer-ok', data, crc32Base64(data));
    expect(r.status).toBe(200);
    expect(r.headers['x-amz-checksum-crc32']).toBe(crc32Base64(data));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'trailer-ok', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC32).toBe(crc32Base64(data));
  });

  it('a wrong CRC32 trailer → BadDigest 400, previous object intact', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'trailer-bad', Body: 'previous' }));
    const data = patternBytes(150 * 1024, 5);
    const r = await putUnsignedTrailer('trailer-bad', data, crc32Base64(Buffer.from('other')));
    expect(r.status).toBe(400);
    expectErrorXml(r.text, 'BadDigest');
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'trailer-bad' }));
    expect(await got.Body!.transformToString()).toBe('previous');
  });

  it('a decoded length that disagrees with the chunks → 400, nothing stored', async () => {
    const data = patternBytes(10 * 1024, 6);
    const body = Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from(`\r\n0\r\nx-amz-checksum-crc32:${crc32Base64(data)}\r\n\r\n`)]);
    const r = await rawRequest(gw, {
      method: 'PUT',
      path: `/${Bucket}/length-lie`,
      sign: { contentSha256: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' },
      headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length + 1), 'x-amz-trailer': 'x-amz-checksum-crc32' },
      body,
    });
    expect(r.status).toBe(400);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'length-lie' })), 'NotFound', 404);
  });
});
