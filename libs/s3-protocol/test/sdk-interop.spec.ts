/**
 * Interop with the real AWS SDK for JavaScript v3: requests are captured by a fake request handler (no
 * network) and fed to the verifier and the aws-chunked decoder exactly as the gateway would.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { HttpRequest } from '@smithy/types';
import { computeChecksum, parseRequestChecksum } from '../src/checksums';
import { decodeAwsChunked, verifyPayloadSha256, verifySigV4, type RawHeaders, type SigV4Request, type SignedAuth, type Trailers } from '../src/sigv4';
import { collect } from './sources';

const credentials = { accessKeyId: 'AKIAINTEROP', secretAccessKey: 'interop/secret+key' };
const lookup = { lookup: (id: string) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined) };
const REGION = 'eu-west-1';

interface Captured {
  readonly req: Omit<SigV4Request, 'headers'> & { readonly headers: RawHeaders };
  readonly body: Buffer;
}

function client(sink: Captured[]): S3Client {
  return new S3Client({
    endpoint: 'http://localhost:9000',
    forcePathStyle: true,
    region: REGION,
    credentials,
    requestHandler: {
      handle: async (request: HttpRequest) => {
        const parts: Buffer[] = [];
        const body: unknown = request.body;
        if (body instanceof Readable) for await (const c of body) parts.push(Buffer.from(c as Buffer));
        else if (typeof body === 'string' || body instanceof Uint8Array) parts.push(Buffer.from(body));
        const rawQuery = Object.entries(request.query ?? {})
          .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => (x === null ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(x)}`)))
          .join('&');
        sink.push({ req: { method: request.method, rawPath: request.path, rawQuery, headers: request.headers }, body: Buffer.concat(parts) });
        return { response: { statusCode: 200, headers: {}, body: Readable.from([]) } };
      },
    },
  });
}

function verify(c: Captured): SignedAuth {
  const auth = verifySigV4(c.req, lookup, { region: REGION });
  if (auth.kind === 'anonymous') throw new Error('anonymous');
  return auth;
}

const KEYS = ['plain.txt', 'a b/ü+~.txt', 'x//y', '../x', "it's (1)*!", 'emoji 😀', '%41'];

describe('AWS SDK v3 interop', () => {
  it.each(KEYS)('PutObject with a stream body (STREAMING-UNSIGNED-PAYLOAD-TRAILER, CRC32) for key %j', async (key) => {
    const sink: Captured[] = [];
    const data = [Buffer.from('hello '), Buffer.alloc(70000, 'x'), Buffer.from(key)];
    const total = data.reduce((n, b) => n + b.length, 0);
    await client(sink).send(new PutObjectCommand({ Bucket: 'bucket', Key: key, Body: Readable.from(data), ContentLength: total }));
    const auth = verify(sink[0]);
    expect(auth.payloadMode).toBe('streaming-unsigned-trailer');
    const wanted = parseRequestChecksum(sink[0].req.headers);
    expect(wanted).toMatchObject({ location: 'trailer', algorithm: 'CRC32' });
    let trailers: Trailers | undefined;
    const body = await collect(
      decodeAwsChunked(Readable.from([sink[0].body]), {
        mode: 'streaming-unsigned-trailer',
        decodedContentLength: auth.decodedContentLength,
        expectedTrailers: auth.trailers,
        onTrailers: (t) => (trailers = t),
      }),
    );
    expect(body.equals(Buffer.concat(data))).toBe(true);
    expect(trailers?.get('x-amz-checksum-crc32')).toBe(await computeChecksum('CRC32', body));
  });

  it('PutObject with a buffer body (signed payload hash)', async () => {
    const sink: Captured[] = [];
    const data = Buffer.from('Welcome to Amazon S3.');
    await client(sink).send(new PutObjectCommand({ Bucket: 'bucket', Key: 'k', Body: data }));
    const auth = verify(sink[0]);
    if (auth.payloadMode === 'sha256') {
      expect((await collect(verifyPayloadSha256(Readable.from([sink[0].body]), auth.payloadSha256 ?? ''))).equals(data)).toBe(true);
      await expect(collect(verifyPayloadSha256(Readable.from([Buffer.from('tampered')]), auth.payloadSha256 ?? ''))).rejects.toMatchObject({ code: 'XAmzContentSHA256Mismatch' });
    } else {
      expect(['unsigned', 'streaming-unsigned-trailer']).toContain(auth.payloadMode);
    }
  });

  it('UploadPart with CRC32C and GET/List requests with odd parameters', async () => {
    const sink: Captured[] = [];
    const s3 = client(sink);
    await s3.send(new UploadPartCommand({ Bucket: 'bucket', Key: 'a b', UploadId: 'u+/=', PartNumber: 2, Body: Readable.from([Buffer.from('part')]), ContentLength: 4, ChecksumAlgorithm: 'CRC32C' }));
    await s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'ü/ñ', Range: 'bytes=0-9', VersionId: 'v 1' }));
    await s3.send(new ListObjectsV2Command({ Bucket: 'bucket', Prefix: 'a b/ü+', Delimiter: '/', StartAfter: '~x' }));
    for (const c of sink) expect(verify(c).accessKeyId).toBe(credentials.accessKeyId);
    expect(parseRequestChecksum(sink[0].req.headers)).toMatchObject({ algorithm: 'CRC32C' });
    const tampered = { ...sink[2].req, rawQuery: sink[2].req.rawQuery.replace('delimiter=%2F', 'delimiter=-') };
    expect(() => verifySigV4(tampered, lookup, { region: REGION })).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));
  });

  it.each(KEYS)('presigned GetObject URL (s3-request-presigner) for key %j', async (key) => {
    const url = await getSignedUrl(client([]), new GetObjectCommand({ Bucket: 'bucket', Key: key, ResponseContentType: 'text/plain' }), { expiresIn: 900 });
    // Split by hand: WHATWG URL would normalise '/../' away, which a raw HTTP request line does not.
    const target = url.slice('http://localhost:9000'.length);
    const q = target.indexOf('?');
    const auth = verifySigV4({ method: 'GET', rawPath: target.slice(0, q), rawQuery: target.slice(q + 1), headers: { host: 'localhost:9000' } }, lookup, { region: REGION });
    expect(auth).toMatchObject({ kind: 'presigned', payloadMode: 'unsigned' });
  });
});
