import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '../support/clients';
import { CREDENTIALS, useGateway } from '../support/server';
import { expectErrorXml, expectS3Error, sha256Hex } from '../support/s3-assert';
import { rawRequest } from '../support/raw-http';

const gw = useGateway();
const Bucket = 'auth';
let s3: S3Client;

beforeAll(async () => {
  s3 = s3Client(gw);
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'secret.txt', Body: 'top secret' }));
});

/** fetch() plus the S3 error code of the XML body, if any. */
async function fetchS3(url: string, init?: RequestInit): Promise<{ status: number; text: string; code?: string; headers: Headers }> {
  const r = await fetch(url, init);
  const text = await r.text();
  return { status: r.status, text, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1], headers: r.headers };
}

describe('presigned URLs', () => {
  it('a presigned GET works with plain fetch, and with the object key URL-encoded', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'dir/a b+ü.txt', Body: 'encoded' }));
    for (const [Key, body] of [['secret.txt', 'top secret'], ['dir/a b+ü.txt', 'encoded']]) {
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key }), { expiresIn: 300 });
      expect(url).toContain('X-Amz-Signature=');
      const r = await fetchS3(url);
      expect([Key, r.status, r.text]).toEqual([Key, 200, body]);
      expect(r.headers.get('x-amz-request-id')).toBeTruthy();
    }
  });

  it('a presigned GET honours response-content-disposition overrides it signs', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'secret.txt', ResponseContentDisposition: 'attachment; filename="s.txt"' }), {
      expiresIn: 300,
    });
    const r = await fetch(url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="s.txt"');
    await r.arrayBuffer();
  });

  it('a presigned PUT uploads with plain fetch', async () => {
    const presigner = s3Client(gw, { requestChecksumCalculation: 'WHEN_REQUIRED' });
    const url = await getSignedUrl(presigner, new PutObjectCommand({ Bucket, Key: 'uploaded.txt', ContentType: 'text/plain' }), { expiresIn: 300 });
    const r = await fetchS3(url, { method: 'PUT', body: 'via presigned PUT', headers: { 'content-type': 'text/plain' } });
    expect([r.status, r.text]).toEqual([200, '']);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'uploaded.txt' }));
    expect(await got.Body!.transformToString()).toBe('via presigned PUT');
    expect(got.ContentType).toBe('text/plain');
  });

  it('a presigned PUT made with SDK default checksum settings also uploads', async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'uploaded-default.txt' }), { expiresIn: 300 });
    const r = await fetchS3(url, { method: 'PUT', body: 'default presign' });
    expect([r.status, r.code]).toEqual([200, undefined]);
  });

  it('an expired presigned URL → AccessDenied 403', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'secret.txt' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 10 * 60_000),
    });
    const r = await fetchS3(url);
    expect([r.status, r.code]).toEqual([403, 'AccessDenied']);
    expectErrorXml(r.text, 'AccessDenied', r.headers.get('x-amz-request-id'));
    expect(r.text).toContain('<Message>Request has expired</Message>');
    expect(r.text).toContain('<X-Amz-Expires>60</X-Amz-Expires>');
    expect(r.text).not.toContain('top secret');
  });

  it('X-Amz-Expires=0 is a URL already expired → 403 AccessDenied "Request has expired"', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'secret.txt' }), { expiresIn: 0, signingDate: new Date(Date.now() - 2000) });
    expect(url).toContain('X-Amz-Expires=0');
    const r = await fetchS3(url);
    expect([r.status, r.code]).toEqual([403, 'AccessDenied']);
    expect(r.text).toContain('<Message>Request has expired</Message>');
  });

  it('an X-Amz-Expires over 7 days or negative → 400 AuthorizationQueryParametersError, with AWS\'s message', async () => {
    const url = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'secret.txt' }), { expiresIn: 300 }));
    url.searchParams.set('X-Amz-Expires', '604801');
    const week = await fetchS3(url.toString());
    expect([week.status, week.code]).toEqual([400, 'AuthorizationQueryParametersError']);
    expect(week.text).toContain(
      '<Message>X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds</Message>',
    );
    url.searchParams.set('X-Amz-Expires', '-1');
    const negative = await fetchS3(url.toString());
    expect([negative.status, negative.code]).toEqual([400, 'AuthorizationQueryParametersError']);
    expect(negative.text).toContain('<Message>X-Amz-Expires must be non-negative</Message>');
    expect(negative.text).not.toContain('top secret');
  });

  it('a presigned URL used for another key or method → SignatureDoesNotMatch 403', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'secret.txt' }), { expiresIn: 300 });
    const r = await fetchS3(url.replace('/secret.txt', '/uploaded.txt'));
    expect([r.status, r.code]).toEqual([403, 'SignatureDoesNotMatch']);
    const d = await fetchS3(url, { method: 'DELETE' });
    expect([d.status, d.code]).toEqual([403, 'SignatureDoesNotMatch']);
    await s3.send(new HeadObjectCommand({ Bucket, Key: 'secret.txt' }));
  });
});

describe('header authentication errors', () => {
  it('a wrong secret → SignatureDoesNotMatch 403', async () => {
    const bad = s3Client(gw, { credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: 'wrong-secret' } });
    await expectS3Error(bad.send(new ListBucketsCommand({})), 'SignatureDoesNotMatch', 403);
    await expectS3Error(bad.send(new GetObjectCommand({ Bucket, Key: 'secret.txt' })), 'SignatureDoesNotMatch', 403);
    await expectS3Error(bad.send(new PutObjectCommand({ Bucket, Key: 'evil', Body: 'x' })), 'SignatureDoesNotMatch', 403);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'evil' })), 'NotFound', 404);
  });

  it('an unknown access key → InvalidAccessKeyId 403', async () => {
    const bad = s3Client(gw, { credentials: { accessKeyId: 'AKIDUNKNOWN000', secretAccessKey: 'whatever' } });
    await expectS3Error(bad.send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403);
    await expectS3Error(bad.send(new PutObjectCommand({ Bucket, Key: 'evil', Body: 'x' })), 'InvalidAccessKeyId', 403);
  });

  it('an anonymous request → AccessDenied 403 with an XML error', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', `/${Bucket}`],
      ['GET', `/${Bucket}/secret.txt`],
      ['PUT', `/${Bucket}/anon.txt`],
      ['DELETE', `/${Bucket}/secret.txt`],
    ]) {
      const r = await fetchS3(`${gw.endpoint}${path}`, { method, body: method === 'PUT' ? 'x' : undefined });
      expect([method, path, r.status, r.code]).toEqual([method, path, 403, 'AccessDenied']);
      expectErrorXml(r.text, 'AccessDenied', r.headers.get('x-amz-request-id'));
    }
    await s3.send(new HeadObjectCommand({ Bucket, Key: 'secret.txt' }));
  });

  it.each([20, -20])('a client clock %d minutes off → RequestTimeTooSkewed 403', async (minutes) => {
    // A fresh client per request: after a skew error the SDK corrects its offset from the Date header.
    const skewed = () => s3Client(gw, { systemClockOffset: minutes * 60_000 });
    await expectS3Error(skewed().send(new ListBucketsCommand({})), 'RequestTimeTooSkewed', 403);
    await expectS3Error(skewed().send(new PutObjectCommand({ Bucket, Key: 'skewed', Body: 'x' })), 'RequestTimeTooSkewed', 403);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'skewed' })), 'NotFound', 404);
    // ... which works: the same client retried after the correction succeeds.
    const c = skewed();
    await c.send(new ListBucketsCommand({})).catch(() => undefined);
    await c.send(new ListBucketsCommand({}));
  });

  it('a clock 10 minutes off is still accepted (S3 allows 15)', async () => {
    const skewed = s3Client(gw, { systemClockOffset: 10 * 60_000 });
    await skewed.send(new ListBucketsCommand({}));
  });

  it('a credential scope for another region → AuthorizationHeaderMalformed 400', async () => {
    const other = s3Client(gw, { region: 'eu-west-1' });
    await expectS3Error(other.send(new ListBucketsCommand({})), 'AuthorizationHeaderMalformed', 400);
  });

  it('a malformed Authorization header → 400 AuthorizationHeaderMalformed or 403', async () => {
    const r = await rawRequest(gw, { method: 'GET', path: '/', sign: false, headers: { authorization: 'AWS4-HMAC-SHA256 garbage', 'x-amz-date': '20240101T000000Z' } });
    expect([400, 403]).toContain(r.status);
    expect(['AuthorizationHeaderMalformed', 'AccessDenied', 'InvalidArgument', 'SignatureDoesNotMatch']).toContain(expectErrorXml(r.text, parseCode(r.text))['Code']);
    const v2 = await rawRequest(gw, { method: 'GET', path: '/', sign: false, headers: { authorization: 'AWS AKIDE2ETESTKEY:c2lnbmF0dXJl' } });
    expect([400, 403]).toContain(v2.status);
  });
});

function parseCode(xml: string): string {
  return /<Code>([^<]+)<\/Code>/.exec(xml)?.[1] ?? '';
}

describe('payload signing (raw SigV4 via @smithy/signature-v4)', () => {
  it('a signed-payload PUT (x-amz-content-sha256 = SHA-256 of the body) is stored', async () => {
    const body = 'signed payload body';
    const r = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/signed.txt`, body, sign: 'signed' });
    expect(r.status).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'signed.txt' }));
    expect(await got.Body!.transformToString()).toBe(body);
  });

  it('an UNSIGNED-PAYLOAD PUT is stored', async () => {
    const r = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/unsigned.txt`, body: 'unsigned payload body', sign: 'unsigned' });
    expect(r.status).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'unsigned.txt' }));
    expect(await got.Body!.transformToString()).toBe('unsigned payload body');
  });

  it('a body that does not match x-amz-content-sha256 → XAmzContentSHA256Mismatch 400, nothing stored', async () => {
    const r = await rawRequest(gw, {
      method: 'PUT',
      path: `/${Bucket}/mismatch.txt`,
      body: 'the body actually sent',
      sign: { contentSha256: sha256Hex('a different body') },
    });
    expect(r.status).toBe(400);
    expectErrorXml(r.text, 'XAmzContentSHA256Mismatch', r.headers['x-amz-request-id'] as string);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'mismatch.txt' })), 'NotFound', 404);
  });

  it('a large body that does not match x-amz-content-sha256 → XAmzContentSHA256Mismatch, previous object intact', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'mismatch-big', Body: 'previous' }));
    const body = Buffer.alloc(3 * 1024 * 1024, 7);
    const r = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/mismatch-big`, body, sign: { contentSha256: sha256Hex(body.subarray(1)) } });
    expect(r.status).toBe(400);
    expectErrorXml(r.text, 'XAmzContentSHA256Mismatch');
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'mismatch-big' }));
    expect(await got.Body!.transformToString()).toBe('previous');
  });

  it('an x-amz-content-sha256 that is neither a hash nor a known mode → 400', async () => {
    const r = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/weird.txt`, body: 'x', sign: { contentSha256: 'not-a-hash' } });
    expect(r.status).toBe(400);
    expect(['InvalidArgument', 'XAmzContentSHA256Mismatch', 'InvalidRequest']).toContain(parseCode(r.text));
  });
});
