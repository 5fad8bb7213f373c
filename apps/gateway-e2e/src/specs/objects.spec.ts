import { get } from 'node:http';
import { Readable } from 'node:stream';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  ChecksumAlgorithm,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { recordRequests, s3Client, STYLES } from '../support/clients';
import { BLOB_BACKEND, E2E_MODE, useGateway } from '../support/server';
import { bodyBytes, expectBodylessError, expectErrorXml, expectS3Error, md5Base64, md5Hex, patternBytes } from '../support/s3-assert';
import { rawRequest } from '../support/raw-http';

const KiB = 1024;
const MiB = 1024 * KiB;
const INLINE = 128 * KiB;

// Small chunks so a few MiB span several chunk files.
const gw = useGateway({ MASSIVE_CHUNK_SIZE: String(MiB), MASSIVE_INLINE_THRESHOLD: String(INLINE), MASSIVE_METRICS_PUBLIC: 'true' });

/** A GET whose reader takes its headers and first bytes, then stops reading until `resume`. */
function stalledGet(url: string): Promise<{ resume(): Promise<Buffer> }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.once('data', () => {
        res.pause();
        resolve({
          resume: () =>
            new Promise<Buffer>((done, fail) => {
              res.on('end', () => done(Buffer.concat(parts)));
              res.on('error', fail);
              res.resume();
            }),
        });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

/**
 * `blob_read_buffers_reused_total` of the process that reads chunks (gateway in local mode, blob service
 * in distributed), undefined where there is none (chunks in SeaweedFS: no local disk store to pool reads).
 */
async function readBuffersReused(): Promise<number | undefined> {
  return metricValue(gw.blobMetricsUrl, 'blob_read_buffers_reused_total');
}

/** Socket reads of blob data the gateway received in handed-back memory (distributed mode only). */
async function receiveBuffersReused(): Promise<number | undefined> {
  return metricValue(gw.gatewayMetricsUrl, 'blob_data_client_receive_buffers_reused_total');
}

async function metricValue(url: string, name: string): Promise<number | undefined> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(await res.text());
  return m ? Number(m[1]) : undefined;
}

describe.each(STYLES)('objects: put / get / head / delete (%s style)', (style) => {
  const Bucket = `objects-${style}`;
  let s3: S3Client;
  beforeAll(async () => {
    s3 = s3Client(gw, { style });
    await s3.send(new CreateBucketCommand({ Bucket }));
  });

  it('round-trips bytes; ETag is the hex MD5; HEAD matches GET; DELETE then 404 NoSuchKey', async () => {
    const body = patternBytes(1000, 7);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'hello.bin', Body: body }));
    expect(put.ETag).toBe(`"${md5Hex(body)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'hello.bin' }));
    expect(await bodyBytes(got.Body)).toEqual(body);
    expect(got.ETag).toBe(put.ETag);
    expect(got.ContentLength).toBe(1000);
    expect(got.ContentType).toBe('application/octet-stream'); // what the SDK sends for bytes
    expect(got.AcceptRanges).toBe('bytes');
    expect(got.LastModified).toBeInstanceOf(Date);
    expect(Math.abs(got.LastModified!.getTime() - Date.now())).toBeLessThan(60_000);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'hello.bin' }));
    expect(head.ContentLength).toBe(1000);
    expect(head.ETag).toBe(put.ETag);
    expect(head.LastModified).toEqual(got.LastModified);

    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'hello.bin' }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    const err = await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'hello.bin' })), 'NoSuchKey', 404);
    expect(err.$metadata?.requestId).toBeTruthy();
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'hello.bin' })), 'NotFound', 404);
  });

  it('an object stored without Content-Type is served as binary/octet-stream', async () => {
    const res = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/untyped`, body: 'x' });
    expect(res.status).toBe(200);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'untyped' }));
    expect(head.ContentType).toBe('binary/octet-stream');
  });

  it('DELETE of a missing key is a 204 no-op', async () => {
    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'never-there' }));
    expect(del.$metadata.httpStatusCode).toBe(204);
  });

  it('PUT overwrites: the last write wins', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'over', Body: 'first' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'over', Body: 'second!' }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'over' }));
    expect(await got.Body!.transformToString()).toBe('second!');
  });

  it('stores and returns metadata and standard headers', async () => {
    const expires = new Date('2030-01-02T03:04:05Z');
    await s3.send(
      new PutObjectCommand({
        Bucket,
        Key: 'meta',
        Body: '{"a":1}',
        ContentType: 'application/json; charset=utf-8',
        ContentEncoding: 'identity',
        ContentDisposition: 'attachment; filename="x.json"',
        ContentLanguage: 'de-CH',
        CacheControl: 'max-age=60, must-revalidate',
        Expires: expires,
        Metadata: { color: 'blue', 'multi-word': 'Hello World', empty: '' },
      }),
    );
    for (const r of [
      await s3.send(new HeadObjectCommand({ Bucket, Key: 'meta' })),
      await s3.send(new GetObjectCommand({ Bucket, Key: 'meta' })),
    ]) {
      expect(r.ContentType).toBe('application/json; charset=utf-8');
      expect(r.ContentEncoding).toBe('identity');
      expect(r.ContentDisposition).toBe('attachment; filename="x.json"');
      expect(r.ContentLanguage).toBe('de-CH');
      expect(r.CacheControl).toBe('max-age=60, must-revalidate');
      expect(r.Expires?.getTime()).toBe(expires.getTime());
      expect(r.Metadata).toEqual({ color: 'blue', 'multi-word': 'Hello World', empty: '' });
    }
  });
});

describe('objects: non-ASCII user metadata', () => {
  const Bucket = 'objects-utf8-meta';
  it('UTF-8 metadata signs and round-trips as AWS answers it (RFC 2047-encoded on the way out)', async () => {
    const s3 = s3Client(gw);
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x', Metadata: { name: 'héllo wörld', plain: 'ascii' } }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'k' }));
    expect(head.Metadata).toEqual({ name: `=?UTF-8?B?${Buffer.from('héllo wörld', 'utf8').toString('base64')}?=`, plain: 'ascii' });
  });
});

describe('objects: validation and checksums', () => {
  const Bucket = 'objects-checks';
  let s3: S3Client;
  beforeAll(async () => {
    s3 = s3Client(gw);
    await s3.send(new CreateBucketCommand({ Bucket }));
  });

  it('user metadata over 2 KiB → MetadataTooLarge 400; exactly 2 KiB is accepted', async () => {
    const exact = { k: 'v'.repeat(2048 - 1) }; // name + value = 2048 bytes
    await s3.send(new PutObjectCommand({ Bucket, Key: 'meta-exact', Body: 'x', Metadata: exact }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'meta-exact' }));
    expect(head.Metadata?.k).toHaveLength(2047);
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket, Key: 'meta-big', Body: 'x', Metadata: { a: 'x'.repeat(1500), b: 'y'.repeat(600) } })),
      'MetadataTooLarge',
      400,
    );
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'meta-big' })), 'NotFound', 404);
  });

  it('Content-MD5 that matches is accepted; a wrong one → BadDigest 400 and nothing is stored', async () => {
    const body = Buffer.from('content-md5 body');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'md5-ok', Body: body, ContentMD5: md5Base64(body) }));
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket, Key: 'md5-bad', Body: body, ContentMD5: md5Base64('something else') })),
      'BadDigest',
      400,
    );
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'md5-bad' })), 'NotFound', 404);
  });

  it('a Content-MD5 that is not a base64 MD5 → InvalidDigest 400', async () => {
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'md5-junk', Body: 'x', ContentMD5: 'not-md5' })), 'InvalidDigest', 400);
  });

  it('a large body with a wrong Content-MD5 → BadDigest, previous version intact', async () => {
    const body = patternBytes(3 * MiB + 5, 3);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'md5-big', Body: 'previous' }));
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket, Key: 'md5-big', Body: body, ContentMD5: md5Base64(body.subarray(1)) })),
      'BadDigest',
      400,
    );
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'md5-big' }));
    expect(await got.Body!.transformToString()).toBe('previous');
  });

  it.each([
    [ChecksumAlgorithm.CRC32, 'ChecksumCRC32', 'AAAAAA=='],
    [ChecksumAlgorithm.CRC32C, 'ChecksumCRC32C', 'AAAAAA=='],
    [ChecksumAlgorithm.SHA1, 'ChecksumSHA1', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    [ChecksumAlgorithm.SHA256, 'ChecksumSHA256', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    [ChecksumAlgorithm.CRC64NVME, 'ChecksumCRC64NVME', 'AAAAAAAAAAA='],
  ] as const)('a wrong %s value → BadDigest 400', async (algorithm, field, wrong) => {
    const Key = `bad-${algorithm}`;
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key, Body: 'checksummed body', [field]: wrong })), 'BadDigest', 400);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key })), 'NotFound', 404);
  });

  it('a checksum header that is not valid base64 of the right length → InvalidRequest or InvalidDigest 400', async () => {
    const err = await s3.send(new PutObjectCommand({ Bucket, Key: 'bad-len', Body: 'x', ChecksumCRC32: 'AAAA' })).then(
      () => undefined,
      (e: { name: string; $metadata: { httpStatusCode: number } }) => e,
    );
    expect(err?.$metadata.httpStatusCode).toBe(400);
    expect(['InvalidRequest', 'InvalidDigest', 'InvalidArgument', 'BadDigest']).toContain(err?.name);
  });

  it('empty object: ETag of no bytes, Content-Length 0, GET returns nothing', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'empty', Body: Buffer.alloc(0) }));
    expect(put.ETag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'empty' }));
    expect(got.ContentLength).toBe(0);
    expect((await bodyBytes(got.Body)).length).toBe(0);
  });

  it.each([0, 1, INLINE - 1, INLINE, INLINE + 1, MiB, 2 * MiB, 3 * MiB + 12345])('%d bytes round-trip intact (inline and chunked)', async (n) => {
    const body = patternBytes(n, n + 1);
    const Key = `size-${n}`;
    const put = await s3.send(new PutObjectCommand({ Bucket, Key, Body: body }));
    expect(put.ETag).toBe(`"${md5Hex(body)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(got.ContentLength).toBe(n);
    const back = await bodyBytes(got.Body);
    expect(back.length).toBe(n);
    expect(md5Hex(back)).toBe(md5Hex(body));
  });

  it('a streamed body of unknown length goes out as aws-chunked with a CRC32 trailer and is stored intact', async () => {
    const c = s3Client(gw);
    const seen = recordRequests(c);
    const body = patternBytes(2 * MiB + 77, 11);
    const stream = Readable.from((function* () {
      for (let i = 0; i < body.length; i += 64 * KiB) yield body.subarray(i, i + 64 * KiB);
    })());
    const put = await c.send(new PutObjectCommand({ Bucket, Key: 'streamed', Body: stream, ContentLength: body.length }));
    const h = seen[0].headers;
    expect(h['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    expect(h['x-amz-trailer']).toBe('x-amz-checksum-crc32');
    expect(h['content-encoding']).toContain('aws-chunked');
    expect(put.ETag).toBe(`"${md5Hex(body)}"`);
    expect(put.ChecksumCRC32).toBeTruthy();
    const head = await c.send(new HeadObjectCommand({ Bucket, Key: 'streamed', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC32).toBe(put.ChecksumCRC32);
    // aws-chunked is a transfer encoding, never stored as the object's Content-Encoding.
    expect(head.ContentEncoding).toBeUndefined();
    const got = await c.send(new GetObjectCommand({ Bucket, Key: 'streamed' }));
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(body));
  });

  describe.each<[string, { requestChecksumCalculation?: 'WHEN_REQUIRED' }]>([
    ['WHEN_SUPPORTED (default)', {}],
    ['WHEN_REQUIRED', { requestChecksumCalculation: 'WHEN_REQUIRED' }],
  ])('requestChecksumCalculation %s', (_label, cfg) => {
    it('PUT and GET with and without checksums round-trip', async () => {
      const c = s3Client(gw, cfg);
      const seen = recordRequests(c);
      const body = patternBytes(200 * KiB, 5);
      const put = await c.send(new PutObjectCommand({ Bucket, Key: `calc-${_label}`, Body: body }));
      expect(put.ETag).toBe(`"${md5Hex(body)}"`);
      const sent = seen[0].headers;
      if (cfg.requestChecksumCalculation === 'WHEN_REQUIRED') {
        expect(Object.keys(sent).some((k) => k.startsWith('x-amz-checksum-'))).toBe(false);
        expect(put.ChecksumCRC32).toBeUndefined();
      } else {
        expect(put.ChecksumCRC32).toBeTruthy();
      }
      const got = await c.send(new GetObjectCommand({ Bucket, Key: `calc-${_label}` }));
      expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(body));
    });
  });

  it.each([
    [ChecksumAlgorithm.CRC32, 'ChecksumCRC32'],
    [ChecksumAlgorithm.CRC32C, 'ChecksumCRC32C'],
    [ChecksumAlgorithm.SHA1, 'ChecksumSHA1'],
    [ChecksumAlgorithm.SHA256, 'ChecksumSHA256'],
    [ChecksumAlgorithm.CRC64NVME, 'ChecksumCRC64NVME'],
  ] as const)('ChecksumAlgorithm %s: PUT returns it, GET/HEAD with ChecksumMode ENABLED return the same value', async (algorithm, field) => {
    const Key = `ck-${algorithm}`;
    const body = patternBytes(300 * KiB, 9);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key, Body: body, ChecksumAlgorithm: algorithm }));
    const value = put[field];
    expect(value).toBeTruthy();
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    expect(head[field]).toBe(value);
    expect(head.ChecksumType).toBe('FULL_OBJECT');
    const got = await s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    expect(got[field]).toBe(value);
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(body));
    // Without ChecksumMode the checksum is not returned.
    const plain = await rawRequest(gw, { method: 'HEAD', path: `/${Bucket}/${Key}` });
    expect(plain.status).toBe(200);
    expect(Object.keys(plain.headers).filter((k) => k.startsWith('x-amz-checksum-') && k !== 'x-amz-checksum-type')).toEqual([]);
  });

  it('a plain Transfer-Encoding: chunked PUT (not aws-chunked) → 501 NotImplemented naming the header, as S3; nothing stored', async () => {
    const res = await rawRequest(gw, {
      method: 'PUT',
      path: `/${Bucket}/no-length`,
      headers: { 'transfer-encoding': 'chunked' },
      sign: 'unsigned',
    });
    expect(res.status).toBe(501);
    expectErrorXml(res.text, 'NotImplemented', res.headers['x-amz-request-id'] as string);
    expect(res.text).toContain('<Message>A header you provided implies functionality that is not implemented</Message>');
    expect(res.text).toContain('<Header>Transfer-Encoding</Header>');
    await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key: 'no-length' })), 404);
  });
});

describe('object keys', () => {
  const Bucket = 'object-keys';
  let s3: S3Client;
  beforeAll(async () => {
    s3 = s3Client(gw);
    await s3.send(new CreateBucketCommand({ Bucket }));
  });

  const keys = [
    '../x',
    'a/../../b',
    'a//b',
    '/',
    '//leading',
    'trailing/',
    './dot',
    'a b+c%d',
    'q?x=1&y=2#frag',
    'semi;colon,comma=eq@at$dollar',
    '~tilde*star(paren)\'quote"',
    'unicodé/日本語/😀',
    'tab\tnewline\n',
    'ctl\u0001\u001f\u007f', // control characters: S3 keys may hold any UTF-8; listings carry them as character references
    'cr\rlf',
    'a'.repeat(1024),
    'é'.repeat(512), // 1024 bytes of UTF-8
  ];

  it.each(keys.map((k) => [k.length > 40 ? `${k.slice(0, 12)}…(${Buffer.byteLength(k)} bytes)` : JSON.stringify(k), k]))(
    'key %s round-trips through PUT, HEAD, GET, LIST and DELETE',
    async (_label, Key) => {
      const body = `body of ${Key}`;
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: body }));
      const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
      expect(await got.Body!.transformToString()).toBe(body);
      await s3.send(new HeadObjectCommand({ Bucket, Key }));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: Key }));
      expect(listed.Contents?.map((o) => o.Key)).toContain(Key);
      await s3.send(new DeleteObjectCommand({ Bucket, Key }));
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key })), 'NotFound', 404);
    },
  );

  it('keys differing only in slashes or dots are distinct objects', async () => {
    const variants = ['d/x', 'd//x', 'd/./x', 'd/../d/x'];
    for (const Key of variants) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    for (const Key of variants) {
      const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
      expect(await got.Body!.transformToString()).toBe(Key);
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'd/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['d/../d/x', 'd/./x', 'd//x', 'd/x']);
  });

  it('a 1025-byte key → KeyTooLongError 400', async () => {
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'k'.repeat(1025), Body: 'x' })), 'KeyTooLongError', 400);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'é'.repeat(512) + 'x' })), 'KeyTooLongError', 400);
  });
});

describe('virtual-hosted style details', () => {
  it('a bucket name with dots is addressed as <a.b.c>.s3.localtest', async () => {
    const s3 = s3Client(gw);
    await s3.send(new CreateBucketCommand({ Bucket: 'dotted.bucket.name' }));
    const host = `dotted.bucket.name.s3.localtest:${gw.port}`;
    const put = await rawRequest(gw, { method: 'PUT', path: '/k/one', host, body: 'dotted' });
    expect(put.status).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'dotted.bucket.name', Key: 'k/one' }));
    expect(await got.Body!.transformToString()).toBe('dotted');
  });

  it('keys starting with a slash keep it in vhost style (path //x)', async () => {
    const vh = s3Client(gw, { style: 'vhost' });
    await vh.send(new CreateBucketCommand({ Bucket: 'vhost-slashes' }));
    for (const Key of ['/x', '//y', '/']) {
      await vh.send(new PutObjectCommand({ Bucket: 'vhost-slashes', Key, Body: Key }));
    }
    const listed = await s3Client(gw).send(new ListObjectsV2Command({ Bucket: 'vhost-slashes' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['/', '//y', '/x']);
    const got = await vh.send(new GetObjectCommand({ Bucket: 'vhost-slashes', Key: '//y' }));
    expect(await got.Body!.transformToString()).toBe('//y');
  });

  it('the bare domain is the service (ListBuckets); path style works on it too', async () => {
    const host = `s3.localtest:${gw.port}`;
    const list = await rawRequest(gw, { method: 'GET', path: '/', host });
    expect(list.status).toBe(200);
    expect(list.text).toContain('<ListAllMyBucketsResult');
    const head = await rawRequest(gw, { method: 'HEAD', path: '/vhost-slashes', host });
    expect(head.status).toBe(200);
  });
});

describe('concurrent writers', () => {
  it('parallel PUTs of one key leave exactly one complete version, whose ETag matches its bytes', async () => {
    const s3 = s3Client(gw);
    const Bucket = 'concurrency';
    await s3.send(new CreateBucketCommand({ Bucket }));
    const bodies = Array.from({ length: 8 }, (_, i) => patternBytes(i % 2 ? 1500 * KiB : 10 * KiB, 500 + i));
    const results = await Promise.allSettled(bodies.map((Body) => s3.send(new PutObjectCommand({ Bucket, Key: 'contended', Body }))));
    // Every write succeeds (last writer wins) or fails with a retryable conflict, never an internal error.
    for (const r of results) {
      if (r.status === 'rejected') expect(['SlowDown', 'ConditionalRequestConflict', 'ServiceUnavailable']).toContain((r.reason as Error).name);
    }
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'contended' }));
    const back = await bodyBytes(got.Body);
    expect(got.ETag).toBe(`"${md5Hex(back)}"`);
    expect(bodies.some((b) => b.equals(back))).toBe(true);
  });

  it('GETs return exactly their bytes while read memory is reused, also to readers that stall (their pieces wait in the socket)', async () => {
    // The blob store reuses the memory of a piece once its socket write completes. A piece handed back
    // earlier (when written to the socket rather than out of it) would show up here as another object's
    // bytes: in the responses of readers that stop reading for a while, whose pieces then wait in the
    // gateway's socket while the parallel GETs reuse memory.
    const s3 = s3Client(gw);
    const Bucket = 'concurrent-reads';
    await s3.send(new CreateBucketCommand({ Bucket }));
    const bodies = Array.from({ length: 6 }, (_, i) => patternBytes(3 * MiB + 1000 * i + 17, 900 + i));
    const stalledBodies = Array.from({ length: 3 }, (_, i) => patternBytes(16 * MiB + 333 * i, 950 + i));
    await Promise.all([
      ...bodies.map((Body, i) => s3.send(new PutObjectCommand({ Bucket, Key: `reads/${i}`, Body }))),
      ...stalledBodies.map((Body, i) => s3.send(new PutObjectCommand({ Bucket, Key: `stalled/${i}`, Body }))),
    ]);
    const reusedBefore = await readBuffersReused();
    const receivedBefore = await receiveBuffersReused();
    const stalled = await Promise.all(
      stalledBodies.map(async (_, i) => stalledGet(await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: `stalled/${i}` }), { expiresIn: 300 }))),
    );
    const gets = Array.from({ length: 48 }, async (_, n) => {
      const i = n % bodies.length;
      const from = (n * 98_765) % MiB;
      const ranged = n % 3 === 1;
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: `reads/${i}`, ...(ranged && { Range: `bytes=${from}-${from + 2 * MiB}` }) }));
      const back = await bodyBytes(got.Body);
      const want = ranged ? bodies[i].subarray(from, from + 2 * MiB + 1) : bodies[i];
      return back.equals(want);
    });
    expect(await Promise.all(gets)).toEqual(gets.map(() => true));
    const stalledBack = await Promise.all(stalled.map((r) => r.resume()));
    expect(stalledBack.map((b, i) => b.equals(stalledBodies[i]))).toEqual(stalledBodies.map(() => true));
    // And on local disk the memory went round: pieces were handed back once written, and later reads
    // landed in them. SeaweedFS reads arrive in HTTP responses: no pool there.
    const reusedAfter = await readBuffersReused();
    if (BLOB_BACKEND === 'local') expect(reusedAfter! - reusedBefore!).toBeGreaterThan(0);
    else expect([reusedBefore, reusedAfter]).toEqual([undefined, undefined]);
    // In distributed mode the gateway receives bodies from the blob data path in pooled buffers too,
    // handed back once written to the S3 client: the stalled readers' pieces wait in its sockets.
    const receivedAfter = await receiveBuffersReused();
    if (E2E_MODE === 'distributed') expect(receivedAfter! - receivedBefore!).toBeGreaterThan(0);
    else expect([receivedBefore, receivedAfter]).toEqual([undefined, undefined]);
  });

  it('parallel PUT bodies land in reused receive memory on the blob service (distributed), each stored exactly', async () => {
    // The blob data server lends write bodies as views of pooled buffers and the blob service hands
    // them back once their chunk is stored: a buffer handed back too early would put another body's
    // bytes into a chunk, which the reads below would show.
    const s3 = s3Client(gw);
    const Bucket = 'pooled-writes';
    await s3.send(new CreateBucketCommand({ Bucket }));
    const before = await metricValue(gw.blobMetricsUrl, 'blob_data_server_receive_buffers_reused_total');
    for (let round = 0; round < 2; round++) {
      const bodies = Array.from({ length: 12 }, (_, i) => patternBytes(MiB + 4099 * i + 1, 700 + round * 12 + i));
      await Promise.all(bodies.map((Body, i) => s3.send(new PutObjectCommand({ Bucket, Key: `w/${round}/${i}`, Body }))));
      const back = await Promise.all(bodies.map(async (_, i) => bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key: `w/${round}/${i}` }))).Body)));
      expect(back.map((b, i) => b.equals(bodies[i]))).toEqual(bodies.map(() => true));
    }
    const after = await metricValue(gw.blobMetricsUrl, 'blob_data_server_receive_buffers_reused_total');
    if (E2E_MODE === 'distributed') expect(after! - before!).toBeGreaterThan(0);
    else expect([before, after]).toEqual([undefined, undefined]);
  });

  it('parallel PUTs of distinct keys all land', async () => {
    const s3 = s3Client(gw);
    const Bucket = 'concurrency';
    await Promise.all(Array.from({ length: 40 }, (_, i) => s3.send(new PutObjectCommand({ Bucket, Key: `many/${i}`, Body: `v${i}` }))));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'many/' }));
    expect(listed.KeyCount).toBe(40);
  });
});
