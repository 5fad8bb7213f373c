import { rmSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { rawRequest, send, sendHttps, type RawResponse } from '../support/raw-http';
import { bodyBytes, expectErrorXml } from '../support/s3-assert';
import { CREDENTIALS, REGION, useGateway, type GatewayProcess } from '../support/server';
import { createServerCert } from '../support/tls';

const cert = createServerCert();
afterAll(() => rmSync(cert.dir, { recursive: true, force: true }));
const METRICS_TOKEN = 'e2e-metrics-token-0123456789abcdef';

/** The gateway serving HTTPS itself, refusing unsigned payloads over plain HTTP, metrics behind a token. */
const secure = useGateway({
  MASSIVE_S3_TLS_CERT: cert.certFile,
  MASSIVE_S3_TLS_KEY: cert.keyFile,
  MASSIVE_REQUIRE_SIGNED_PAYLOAD: 'true',
  MASSIVE_METRICS_TOKEN: METRICS_TOKEN,
});
/** Plain HTTP with the same payload rule; metrics public. */
const plain = useGateway({ MASSIVE_REQUIRE_SIGNED_PAYLOAD: 'true', MASSIVE_METRICS_PUBLIC: 'true' });

/** An SDK client that trusts our test CA (custom CA through a NodeHttpHandler agent). */
function httpsClient(gw: GatewayProcess, ca: Buffer = cert.caPem): S3Client {
  return new S3Client({
    region: REGION,
    credentials: CREDENTIALS,
    endpoint: gw.endpoint,
    forcePathStyle: true,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpsAgent: new HttpsAgent({ ca, keepAlive: true }) }),
  });
}

function httpClient(gw: GatewayProcess): S3Client {
  return new S3Client({ region: REGION, credentials: CREDENTIALS, endpoint: gw.endpoint, forcePathStyle: true, maxAttempts: 1 });
}

/** One HTTPS request trusting the test CA. */
function httpsSend(url: string, method: string, headers: Record<string, string> = {}, body?: Buffer): Promise<RawResponse> {
  return sendHttps(url, method, cert.caPem, headers, body);
}

describe('the gateway serving HTTPS (MASSIVE_S3_TLS_CERT / MASSIVE_S3_TLS_KEY)', () => {
  let s3: S3Client;
  beforeAll(async () => {
    s3 = httpsClient(secure);
    await s3.send(new CreateBucketCommand({ Bucket: 'tls-bucket' }));
  });
  afterAll(() => s3.destroy());

  it('listens on https and serves the SDK over TLS, verified against our CA', async () => {
    expect(secure.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const body = Buffer.from('over tls');
    // The SDK sends PutObject over HTTPS with an unsigned (trailer-checksummed) payload: TLS protects it, so it is accepted.
    await s3.send(new PutObjectCommand({ Bucket: 'tls-bucket', Key: 'k', Body: body }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'tls-bucket', Key: 'k' }));
    expect(await bodyBytes(got.Body)).toEqual(body);
  });

  it('a client that does not trust the certificate refuses to talk to it', async () => {
    const stranger = new S3Client({ region: REGION, credentials: CREDENTIALS, endpoint: secure.endpoint, forcePathStyle: true, maxAttempts: 1 });
    await expect(stranger.send(new GetObjectCommand({ Bucket: 'tls-bucket', Key: 'k' }))).rejects.toThrow(/unable to verify|self[- ]signed|certificate/i);
    stranger.destroy();
  });

  it('accepts UNSIGNED-PAYLOAD over HTTPS even with require-signed-payload (a presigned PUT)', async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'tls-bucket', Key: 'presigned' }), { expiresIn: 300 });
    const put = await httpsSend(url, 'PUT', { 'content-length': '9' }, Buffer.from('presigned'));
    expect(put.status).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'tls-bucket', Key: 'presigned' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('presigned');
  });

  it('does not answer plain HTTP on the TLS port', async () => {
    const port = new URL(secure.endpoint).port;
    await expect(fetch(`http://127.0.0.1:${port}/-/health/live`).then((r) => r.status)).rejects.toThrow();
  });
});

describe('MASSIVE_REQUIRE_SIGNED_PAYLOAD=true over plain HTTP', () => {
  let s3: S3Client;
  beforeAll(async () => {
    s3 = httpClient(plain);
    await s3.send(new CreateBucketCommand({ Bucket: 'plain-bucket' }));
  });
  afterAll(() => s3.destroy());

  it('refuses an UNSIGNED-PAYLOAD body with AccessDenied and stores nothing', async () => {
    const res = await rawRequest(plain, { method: 'PUT', path: '/plain-bucket/unsigned', body: 'tampered?', sign: 'unsigned' });
    expect(res.status).toBe(403);
    expectErrorXml(res.text, 'AccessDenied');
    expect(res.text).toMatch(/Unsigned payloads are refused over plain HTTP/);
    const head = await rawRequest(plain, { method: 'HEAD', path: '/plain-bucket/unsigned' });
    expect(head.status).toBe(404);
  });

  it('refuses a presigned PUT (its payload is never signed)', async () => {
    const url = new URL(await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'plain-bucket', Key: 'presigned' }), { expiresIn: 300 }));
    const res = await send(url, 'PUT', url.pathname + url.search, { 'content-length': '4' }, Buffer.from('data'));
    expect(res.status).toBe(403);
    expectErrorXml(res.text, 'AccessDenied');
  });

  it('refuses unsigned aws-chunked streaming (STREAMING-UNSIGNED-PAYLOAD-TRAILER)', async () => {
    const chunked = '5\r\nhello\r\n0\r\n\r\n';
    const res = await rawRequest(plain, {
      method: 'PUT',
      path: '/plain-bucket/streamed',
      body: chunked,
      sign: { contentSha256: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' },
      headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5' },
    });
    expect(res.status).toBe(403);
    expectErrorXml(res.text, 'AccessDenied');
  });

  it('accepts signed payloads: the SDK over HTTP, and a hex SHA-256', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'plain-bucket', Key: 'sdk', Body: Buffer.from('signed by the sdk') }));
    const raw = await rawRequest(plain, { method: 'PUT', path: '/plain-bucket/raw', body: 'signed sha', sign: 'signed' });
    expect(raw.status).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'plain-bucket', Key: 'sdk' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('signed by the sdk');
  });

  it('still serves presigned GETs (UNSIGNED-PAYLOAD, but no body to protect)', async () => {
    const url = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'plain-bucket', Key: 'sdk' }), { expiresIn: 300 }));
    const res = await send(url, 'GET', url.pathname + url.search, {});
    expect(res.status).toBe(200);
    expect(res.text).toBe('signed by the sdk');
  });
});

describe('/-/metrics on the S3 port', () => {
  it('needs Authorization: Bearer <MASSIVE_METRICS_TOKEN>: 401 without, 403 wrong, 200 right', async () => {
    const url = `${secure.endpoint}/-/metrics`;
    const none = await httpsSend(url, 'GET');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.text).not.toMatch(/s3_requests_total/);
    const wrong = await httpsSend(url, 'GET', { authorization: 'Bearer not-the-token-0123456789abcdef' });
    expect(wrong.status).toBe(403);
    expect(wrong.text).not.toMatch(/s3_requests_total/);
    const right = await httpsSend(url, 'GET', { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(right.status).toBe(200);
    expect(right.text).toMatch(/^s3_requests_total\{/m);
  });

  it('health probes stay open', async () => {
    expect((await httpsSend(`${secure.endpoint}/-/health/live`, 'GET')).status).toBe(200);
    expect((await httpsSend(`${secure.endpoint}/-/health/ready`, 'GET')).status).toBe(200);
  });

  it('is open to anyone with MASSIVE_METRICS_PUBLIC=true', async () => {
    const res = await fetch(`${plain.endpoint}/-/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^s3_requests_total\{/m);
  });
});
