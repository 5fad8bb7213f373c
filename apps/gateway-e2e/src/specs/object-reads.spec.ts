import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { useGateway } from '../support/server';
import { bodyBytes, expectBodylessError, expectErrorXml, expectS3Error, md5Hex, patternBytes } from '../support/s3-assert';
import { rawRequest } from '../support/raw-http';

const MiB = 1024 * 1024;
const gw = useGateway({ MASSIVE_CHUNK_SIZE: String(MiB) });
const Bucket = 'reads';
let s3: S3Client;

const small = patternBytes(1000, 1);
const big = patternBytes(3 * MiB + 100, 2); // four 1 MiB chunks
let smallEtag = '';
let lastModified: Date;

beforeAll(async () => {
  s3 = s3Client(gw);
  await s3.send(new CreateBucketCommand({ Bucket }));
  smallEtag = (await s3.send(new PutObjectCommand({ Bucket, Key: 'small', Body: small }))).ETag!;
  await s3.send(new PutObjectCommand({ Bucket, Key: 'big', Body: big }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'empty', Body: Buffer.alloc(0) }));
  lastModified = (await s3.send(new HeadObjectCommand({ Bucket, Key: 'small' }))).LastModified!;
});

describe('GetObject ranges', () => {
  const cases: [string, string, number, number][] = [
    // [object, Range, expected start, expected end (inclusive)]
    ['small', 'bytes=0-0', 0, 0],
    ['small', 'bytes=0-99', 0, 99],
    ['small', 'bytes=10-19', 10, 19],
    ['small', 'bytes=-1', 999, 999],
    ['small', 'bytes=-100', 900, 999],
    ['small', 'bytes=-5000', 0, 999], // suffix longer than the object: the whole object
    ['small', 'bytes=990-', 990, 999],
    ['small', 'bytes=999-', 999, 999],
    ['small', 'bytes=500-5000', 500, 999], // end past the object is clamped
    ['big', `bytes=${MiB - 10}-${MiB + 9}`, MiB - 10, MiB + 9], // across a chunk boundary
    ['big', `bytes=${MiB}-${2 * MiB - 1}`, MiB, 2 * MiB - 1], // exactly one chunk
    ['big', `bytes=${MiB - 1}-${3 * MiB}`, MiB - 1, 3 * MiB], // spans three chunks
    ['big', 'bytes=-50', 3 * MiB + 50, 3 * MiB + 99],
    ['big', `bytes=${3 * MiB}-`, 3 * MiB, 3 * MiB + 99],
  ];
  it.each(cases)('%s with %s → 206 and exactly those bytes', async (Key, Range, start, end) => {
    const src = Key === 'small' ? small : big;
    const got = await s3.send(new GetObjectCommand({ Bucket, Key, Range }));
    expect(got.$metadata.httpStatusCode).toBe(206);
    expect(got.ContentRange).toBe(`bytes ${start}-${end}/${src.length}`);
    expect(got.ContentLength).toBe(end - start + 1);
    const bytes = await bodyBytes(got.Body);
    expect(bytes.length).toBe(end - start + 1);
    expect(bytes.equals(src.subarray(start, end + 1))).toBe(true);
  });

  it('HEAD with a Range answers 206 with Content-Range and the range length', async () => {
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'small', Range: 'bytes=100-199' }));
    expect(head.$metadata.httpStatusCode).toBe(206);
    expect(head.ContentRange).toBe('bytes 100-199/1000');
    expect(head.ContentLength).toBe(100);
  });

  it.each(['bytes=1000-', 'bytes=1000-2000', 'bytes=5000-5001'])('a range starting past the end (%s) → 416 InvalidRange, Content-Range bytes */size', async (range) => {
    const err = await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'small', Range: range })), 'InvalidRange', 416);
    expect(err.$response?.headers?.['content-range']).toBe('bytes */1000');
    const raw = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/small`, headers: { range } });
    expect(raw.status).toBe(416);
    expect(raw.headers['content-range']).toBe('bytes */1000');
    expect(expectErrorXml(raw.text, 'InvalidRange', raw.headers['x-amz-request-id'] as string)['Resource']).toBe(`/${Bucket}/small`);
  });

  it('any range of an empty object → 416 InvalidRange (bytes */0); without Range it is a 200', async () => {
    for (const range of ['bytes=0-0', 'bytes=0-', 'bytes=-1']) {
      const raw = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/empty`, headers: { range } });
      expect([range, raw.status, raw.headers['content-range']]).toEqual([range, 416, 'bytes */0']);
      expectErrorXml(raw.text, 'InvalidRange');
    }
    const plain = await s3.send(new GetObjectCommand({ Bucket, Key: 'empty' }));
    expect(plain.$metadata.httpStatusCode).toBe(200);
    expect((await bodyBytes(plain.Body)).length).toBe(0);
  });

  it('a syntactically invalid or multi-range Range header is ignored (200, whole object), as S3 does', async () => {
    for (const range of ['bytes=5-2', 'bytes=abc', 'items=0-1', 'bytes=0-1,5-6']) {
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'small', Range: range }));
      expect([got.$metadata.httpStatusCode, range]).toEqual([200, range]);
      expect(got.ContentRange).toBeUndefined();
      expect((await bodyBytes(got.Body)).length).toBe(1000);
    }
  });
});

describe('conditional GET and HEAD', () => {
  const later = () => new Date(lastModified.getTime() + 3600_000);
  const earlier = () => new Date(lastModified.getTime() - 3600_000);

  it('If-Match with the ETag (or *) → 200; another ETag → 412 PreconditionFailed', async () => {
    expect((await s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfMatch: smallEtag }))).$metadata.httpStatusCode).toBe(200);
    expect((await s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfMatch: '*' }))).$metadata.httpStatusCode).toBe(200);
    expect((await s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfMatch: `"nope", ${smallEtag}` }))).$metadata.httpStatusCode).toBe(200);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfMatch: '"0123456789abcdef0123456789abcdef"' })), 'PreconditionFailed', 412);
    await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key: 'small', IfMatch: '"0123456789abcdef0123456789abcdef"' })), 412);
  });

  it('If-None-Match with the ETag → 304 without body; another ETag → 200', async () => {
    await expectBodylessError(s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfNoneMatch: smallEtag })), 304);
    await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key: 'small', IfNoneMatch: smallEtag })), 304);
    const raw = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/small`, headers: { 'if-none-match': smallEtag } });
    expect(raw.status).toBe(304);
    expect(raw.body.length).toBe(0);
    expect(raw.headers['etag']).toBe(smallEtag);
    expect(raw.headers['x-amz-request-id']).toBeTruthy();
    expect((await s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfNoneMatch: '"other"' }))).$metadata.httpStatusCode).toBe(200);
  });

  it('If-Modified-Since: not modified since a later (or the same) date → 304; modified since an earlier one → 200', async () => {
    await expectBodylessError(s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfModifiedSince: later() })), 304);
    await expectBodylessError(s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfModifiedSince: lastModified })), 304);
    expect((await s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfModifiedSince: earlier() }))).$metadata.httpStatusCode).toBe(200);
  });

  it('If-Unmodified-Since: an earlier date → 412; a later (or the same) one → 200', async () => {
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfUnmodifiedSince: earlier() })), 'PreconditionFailed', 412);
    await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key: 'small', IfUnmodifiedSince: earlier() })), 412);
    expect((await s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfUnmodifiedSince: later() }))).$metadata.httpStatusCode).toBe(200);
    expect((await s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfUnmodifiedSince: lastModified }))).$metadata.httpStatusCode).toBe(200);
  });

  it('RFC 7232 precedence: If-Match true wins over If-Unmodified-Since false; If-None-Match false wins over If-Modified-Since true', async () => {
    const ok = await s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfMatch: smallEtag, IfUnmodifiedSince: earlier() }));
    expect(ok.$metadata.httpStatusCode).toBe(200);
    await expectBodylessError(s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfNoneMatch: smallEtag, IfModifiedSince: earlier() })), 304);
    // If-Match false is 412 even if If-None-Match would say 304.
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'small', IfMatch: '"x"', IfNoneMatch: smallEtag })), 'PreconditionFailed', 412);
  });

  it('an unparsable If-Modified-Since date is ignored', async () => {
    const raw = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/small`, headers: { 'if-modified-since': 'not a date' } });
    expect(raw.status).toBe(200);
  });

  it('conditions on a missing key → 404 NoSuchKey, not 412', async () => {
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'missing', IfMatch: smallEtag })), 'NoSuchKey', 404);
  });
});

describe('versionId on an unversioned bucket', () => {
  it('versionId=null names the current object; any other id → 400 InvalidArgument or 404 NoSuchVersion', async () => {
    const ok = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/small`, query: { versionId: 'null' } });
    expect(ok.status).toBe(200);
    expect(ok.body.equals(small)).toBe(true);
    const bad = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/small`, query: { versionId: 'no-such-version' } });
    expect([400, 404]).toContain(bad.status);
    const code = expectErrorXml(bad.text, bad.status === 400 ? 'InvalidArgument' : 'NoSuchVersion')['Code'];
    expect(code).toBeTruthy();
  });
});

describe('response header overrides', () => {
  it('response-content-type and friends replace the stored headers on GET (and HEAD)', async () => {
    const overrides = {
      ResponseContentType: 'text/x-override',
      ResponseContentDisposition: 'inline; filename="o.txt"',
      ResponseContentEncoding: 'x-custom',
      ResponseContentLanguage: 'fr',
      ResponseCacheControl: 'no-store',
      ResponseExpires: new Date('2031-05-06T07:08:09Z'),
    };
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'small', ...overrides }));
    expect(got.ContentType).toBe('text/x-override');
    expect(got.ContentDisposition).toBe('inline; filename="o.txt"');
    expect(got.ContentEncoding).toBe('x-custom');
    expect(got.ContentLanguage).toBe('fr');
    expect(got.CacheControl).toBe('no-store');
    expect(got.Expires?.toISOString()).toBe('2031-05-06T07:08:09.000Z');
    expect((await bodyBytes(got.Body)).equals(small)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'small', ...({ ResponseContentType: 'text/y' } as object) }));
    expect(head.$metadata.httpStatusCode).toBe(200);
    // The stored object is unchanged.
    const again = await s3.send(new HeadObjectCommand({ Bucket, Key: 'small' }));
    expect(again.ContentType).toBe('application/octet-stream');
  });
});

describe('partNumber reads', () => {
  const p1 = patternBytes(5 * MiB, 21);
  const p2 = patternBytes(1234, 22);
  let partEtags: string[] = [];

  beforeAll(async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp' }));
    partEtags = [];
    for (const [i, Body] of [p1, p2].entries()) {
      partEtags.push((await s3.send(new UploadPartCommand({ Bucket, Key: 'mp', UploadId, PartNumber: i + 1, Body }))).ETag!);
    }
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key: 'mp', UploadId, MultipartUpload: { Parts: partEtags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
    );
  });

  it('GET ?partNumber=N of a multipart object returns that part: 206, Content-Range, parts count', async () => {
    const g2 = await s3.send(new GetObjectCommand({ Bucket, Key: 'mp', PartNumber: 2 }));
    expect(g2.$metadata.httpStatusCode).toBe(206);
    expect(g2.ContentRange).toBe(`bytes ${5 * MiB}-${5 * MiB + 1233}/${5 * MiB + 1234}`);
    expect(g2.PartsCount).toBe(2);
    expect(g2.ContentLength).toBe(1234);
    expect((await bodyBytes(g2.Body)).equals(p2)).toBe(true);
    const h1 = await s3.send(new HeadObjectCommand({ Bucket, Key: 'mp', PartNumber: 1 }));
    expect(h1.ContentLength).toBe(5 * MiB);
    expect(h1.PartsCount).toBe(2);
    expect(h1.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
  });

  it('partNumber past the last part → 400 InvalidPartNumber, on GET and on HEAD', async () => {
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'mp', PartNumber: 3 })), 'InvalidPartNumber', 400);
    await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key: 'mp', PartNumber: 3 })), 400);
  });

  it('partNumber=1 of a single-PUT object is the whole object; partNumber=2 → InvalidPartNumber', async () => {
    const g = await s3.send(new GetObjectCommand({ Bucket, Key: 'small', PartNumber: 1 }));
    expect([200, 206]).toContain(g.$metadata.httpStatusCode);
    expect((await bodyBytes(g.Body)).equals(small)).toBe(true);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'small', PartNumber: 2 })), 'InvalidPartNumber', 400);
    await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key: 'small', PartNumber: 2 })), 400);
  });

  it('partNumber together with Range → 400 InvalidRequest; partNumber=0 → 400 InvalidArgument', async () => {
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'mp', PartNumber: 1, Range: 'bytes=0-1' })), 'InvalidRequest', 400);
    const raw = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/mp`, query: { partNumber: '0' } });
    expect(raw.status).toBe(400);
    expectErrorXml(raw.text, 'InvalidArgument');
  });

  it('a multipart object streams back whole and intact', async () => {
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'mp' }));
    expect(got.ContentLength).toBe(p1.length + p2.length);
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(Buffer.concat([p1, p2])));
  });
});

describe('conditional PUT', () => {
  it('If-None-Match: * creates a new key, and → 412 PreconditionFailed when the key exists', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'once', Body: 'first', IfNoneMatch: '*' }));
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'once', Body: 'second', IfNoneMatch: '*' })), 'PreconditionFailed', 412);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'once' }));
    expect(await got.Body!.transformToString()).toBe('first');
  });

  it('If-None-Match: * with a large (chunked) body that loses → 412, the first object intact', async () => {
    const first = patternBytes(2 * MiB, 31);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'once-big', Body: first, IfNoneMatch: '*' }));
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket, Key: 'once-big', Body: patternBytes(2 * MiB, 32), IfNoneMatch: '*' })),
      'PreconditionFailed',
      412,
    );
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'once-big' }));
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(first));
  });

  it('If-Match: the current ETag replaces; a stale ETag → 412; on a missing key → 404 NoSuchKey', async () => {
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'cas', Body: 'v1' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket, Key: 'cas', Body: 'v2', IfMatch: v1.ETag }));
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'cas', Body: 'v3', IfMatch: v1.ETag })), 'PreconditionFailed', 412);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'cas' }));
    expect(got.ETag).toBe(v2.ETag);
    expect(await got.Body!.transformToString()).toBe('v2');
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'cas-missing', Body: 'x', IfMatch: v1.ETag })), 'NoSuchKey', 404);
  });
});
