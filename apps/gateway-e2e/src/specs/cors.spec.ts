import {
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  type CORSRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { useGateway } from '../support/server';
import { expectErrorXml, expectS3Error, md5Base64 } from '../support/s3-assert';
import { rawRequest, send, type RawResponse } from '../support/raw-http';

const gw = useGateway();
const Bucket = 'cors-e2e';
const APP = 'http://app.example';
let s3: S3Client;

const RULES: CORSRule[] = [
  { ID: 'upload', AllowedOrigins: [APP], AllowedMethods: ['PUT', 'POST'], AllowedHeaders: ['content-type', 'x-amz-*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 },
  { ID: 'read', AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD'], ExposeHeaders: ['ETag', 'x-amz-request-id'] },
];

beforeAll(async () => {
  s3 = s3Client(gw);
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'hello.txt', Body: 'hello' }));
});

/** An unsigned OPTIONS, as a browser sends it. */
function preflight(path: string, headers: Record<string, string>): Promise<RawResponse> {
  return send(new URL(gw.endpoint), 'OPTIONS', path, { host: new URL(gw.endpoint).host, ...headers });
}

describe('Put/Get/DeleteBucketCors', () => {
  it('a bucket without rules answers NoSuchCORSConfiguration; rules round-trip; delete removes them', async () => {
    await expectS3Error(s3.send(new GetBucketCorsCommand({ Bucket })), 'NoSuchCORSConfiguration', 404);
    await s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: RULES } }));
    const got = await s3.send(new GetBucketCorsCommand({ Bucket }));
    expect(got.CORSRules).toEqual([
      { ID: 'upload', AllowedOrigins: [APP], AllowedMethods: ['PUT', 'POST'], AllowedHeaders: ['content-type', 'x-amz-*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 },
      { ID: 'read', AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD'], ExposeHeaders: ['ETag', 'x-amz-request-id'] },
    ]);
    const del = await s3.send(new DeleteBucketCorsCommand({ Bucket }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    await expectS3Error(s3.send(new GetBucketCorsCommand({ Bucket })), 'NoSuchCORSConfiguration', 404);
    // Deleting again is fine, as in S3.
    await s3.send(new DeleteBucketCorsCommand({ Bucket }));
  });

  it('refuses what S3 refuses', async () => {
    const put = (rules: CORSRule[]) => s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: rules } }));
    const bad = await expectS3Error(put([{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }]), 'InvalidRequest', 400);
    expect(bad.message).toBe('Found unsupported HTTP method in CORS config. Unsupported method is PATCH');
    await expectS3Error(put([{ AllowedOrigins: ['http://*.*.example'], AllowedMethods: ['GET'] }]), 'InvalidRequest', 400);
    await expectS3Error(put([{ AllowedOrigins: ['*'], AllowedMethods: ['GET'], ExposeHeaders: ['*'] }]), 'InvalidRequest', 400);
    await expectS3Error(put(Array.from({ length: 101 }, () => ({ AllowedOrigins: ['*'], AllowedMethods: ['GET'] }))), 'InvalidRequest', 400);
    await expectS3Error(put([{ AllowedOrigins: ['*'], AllowedMethods: [] }]), 'MalformedXML', 400);
    await expectS3Error(s3.send(new PutBucketCorsCommand({ Bucket: 'no-such-bucket-cors', CORSConfiguration: { CORSRules: RULES } })), 'NoSuchBucket', 404);
    await expectS3Error(s3.send(new GetBucketCorsCommand({ Bucket: 'no-such-bucket-cors' })), 'NoSuchBucket', 404);
  });

  it('PutBucketCors without Content-MD5 or a checksum is InvalidRequest; with Content-MD5 it works', async () => {
    const xml = '<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>';
    const r = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}`, query: { cors: '' }, body: xml });
    expect(r.status).toBe(400);
    expect(expectErrorXml(r.text, 'InvalidRequest').Message).toBe('Missing required header for this request: Content-MD5');
    const ok = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}`, query: { cors: '' }, body: xml, headers: { 'content-md5': md5Base64(xml) } });
    expect(ok.status).toBe(200);
    await s3.send(new DeleteBucketCorsCommand({ Bucket }));
  });
});

describe('preflight and actual requests', () => {
  beforeAll(() => s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: RULES } })));

  it('an allowed preflight (object path, no signature) answers the rule', async () => {
    const r = await preflight(`/${Bucket}/some/key.bin`, {
      origin: APP,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'Content-Type, X-Amz-Date',
    });
    expect(r.status).toBe(200);
    expect(r.headers).toMatchObject({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'PUT, POST',
      'access-control-allow-headers': 'content-type, x-amz-date',
      'access-control-expose-headers': 'ETag',
      'access-control-max-age': '600',
      'access-control-allow-credentials': 'true',
      vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
  });

  it('a preflight for a bucket path and a `*` rule answers `*` without credentials', async () => {
    const r = await preflight(`/${Bucket}`, { origin: 'http://elsewhere.test', 'access-control-request-method': 'GET' });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it.each([
    ['an origin no rule allows', { origin: 'http://evil.test', 'access-control-request-method': 'PUT' }, 'OBJECT'],
    ['a method no rule allows', { origin: APP, 'access-control-request-method': 'DELETE' }, 'OBJECT'],
    ['a header no rule allows', { origin: APP, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type, authorization' }, 'OBJECT'],
  ])('refuses %s with 403 AccessForbidden', async (_what, headers, resourceType) => {
    const r = await preflight(`/${Bucket}/k`, headers);
    expect(r.status).toBe(403);
    const e = expectErrorXml(r.text, 'AccessForbidden');
    expect(e.Message).toMatch(/^CORSResponse: This CORS request is not allowed/);
    expect(e.Method).toBe(headers['access-control-request-method']);
    expect(e.ResourceType).toBe(resourceType);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses an invalid preflight with 400, and a bucket without rules with 403', async () => {
    const noOrigin = await preflight(`/${Bucket}/k`, { 'access-control-request-method': 'GET' });
    expect(noOrigin.status).toBe(400);
    expect(expectErrorXml(noOrigin.text, 'BadRequest').Message).toBe('Insufficient information. Origin request header needed.');
    const badMethod = await preflight(`/${Bucket}/k`, { origin: APP, 'access-control-request-method': 'PATCH' });
    expect(badMethod.status).toBe(400);
    expect(expectErrorXml(badMethod.text, 'BadRequest').Message).toBe('Invalid Access-Control-Request-Method: PATCH');
    await s3.send(new CreateBucketCommand({ Bucket: 'cors-none' }));
    const none = await preflight('/cors-none/k', { origin: APP, 'access-control-request-method': 'GET' });
    expect(none.status).toBe(403);
    expect(expectErrorXml(none.text, 'AccessForbidden').Message).toBe('CORSResponse: CORS is not enabled for this bucket.');
    const missing = await preflight('/cors-missing-bucket/k', { origin: APP, 'access-control-request-method': 'GET' });
    expect(missing.status).toBe(403);
  });

  it('actual responses carry the CORS headers of the matching rule, errors included', async () => {
    const get = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/hello.txt`, headers: { origin: APP } });
    expect([get.status, get.text]).toEqual([200, 'hello']);
    expect(get.headers).toMatchObject({ 'access-control-allow-origin': '*', 'access-control-expose-headers': 'ETag, x-amz-request-id', 'access-control-allow-methods': 'GET, HEAD' });
    const missing = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/nope.txt`, headers: { origin: APP } });
    expect(missing.status).toBe(404);
    expect(missing.headers['access-control-allow-origin']).toBe('*');
    const put = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/up.txt`, body: 'x', headers: { origin: APP } });
    expect(put.status).toBe(200);
    expect(put.headers).toMatchObject({ 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'ETag' });
    // An origin no rule allows for the method gets no Allow-Origin, only Vary.
    const denied = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/up2.txt`, body: 'x', headers: { origin: 'http://evil.test' } });
    expect(denied.status).toBe(200);
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    expect(denied.headers['vary']).toBe('Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
    // Without Origin, no CORS headers at all.
    const plain = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/hello.txt` });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    expect(plain.headers['vary']).toBeUndefined();
  });

  it("this gateway's own PutBucketCors and DeleteBucketCors apply at once (no stale cache)", async () => {
    const ask = () => preflight(`/${Bucket}/k`, { origin: 'http://new.test', 'access-control-request-method': 'DELETE' });
    expect((await ask()).status).toBe(403);
    await s3.send(
      new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [...RULES, { AllowedOrigins: ['http://new.test'], AllowedMethods: ['DELETE'] }] } }),
    );
    expect((await ask()).status).toBe(200);
    await s3.send(new DeleteBucketCorsCommand({ Bucket }));
    expect((await ask()).status).toBe(403);
    const get = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/hello.txt`, headers: { origin: APP } });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    await s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: RULES } }));
  });
});
