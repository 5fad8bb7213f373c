import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutBucketCorsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '../support/clients';
import { E2E_MODE, useGateway } from '../support/server';
import { bodyBytes, expectBodylessError } from '../support/s3-assert';

/**
 * A real browser against the gateway's CORS: Debian's chromium (headless) loads a page from another
 * 127.0.0.1 origin (another port) and uploads with a presigned PUT and reads back with fetch(), as a
 * browser app uploading straight to S3 does. A page from an origin the rules do not allow is blocked.
 */
const CHROMIUM = process.env['MASSIVE_E2E_CHROMIUM'] ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && process.env['CI']) {
  throw new Error(`chromium is not at ${CHROMIUM}, and CI is set: install Debian's chromium (the CORS browser test must run in CI)`);
}
if (!HAVE_CHROMIUM) {
  console.warn(`gateway-e2e: no chromium at ${CHROMIUM}; skipping cors-browser.spec.ts (set CI=1 to make this a failure)`);
}
const describeBrowser = HAVE_CHROMIUM ? describe : describe.skip;

/** Serves one empty HTML page on 127.0.0.1:<ephemeral port>: its own origin. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><head><title>app</title></head><body>app</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface FetchResult {
  readonly ok: boolean;
  readonly status?: number;
  readonly etag?: string | null;
  readonly text?: string;
  readonly error?: string;
}

interface FetchStep {
  /** The page's origin: fetch() runs in a page loaded from it. */
  readonly origin: string;
  readonly url: string;
  readonly init: { readonly method: string; readonly body?: string; readonly headers?: Record<string, string> };
}

const DRIVER = resolve(__dirname, '../support/browser-fetch.mjs');

/** Runs the fetch() steps in chromium (support/browser-fetch.mjs: puppeteer-core is ESM-only, so in its own process). */
function browserFetch(steps: readonly FetchStep[]): Promise<FetchResult[]> {
  return new Promise((res, rej) => {
    const child = execFile(process.execPath, [DRIVER], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return rej(new Error(`browser driver failed: ${err.message}\n${stderr}`));
      res(JSON.parse(stdout) as FetchResult[]);
    });
    child.stdin!.end(JSON.stringify({ chromium: CHROMIUM, steps }));
  });
}

describeBrowser(`CORS from headless chromium (${E2E_MODE} mode)`, () => {
  const gw = useGateway();
  const Bucket = 'cors-browser';
  let s3: S3Client;
  let presigner: S3Client;
  let allowed: { server: Server; origin: string };
  let other: { server: Server; origin: string };

  beforeAll(async () => {
    s3 = s3Client(gw);
    // Presigned URLs carry no checksum query the page could not satisfy.
    presigner = s3Client(gw, { requestChecksumCalculation: 'WHEN_REQUIRED' });
    [allowed, other] = await Promise.all([pageServer(), pageServer()]);
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(
      new PutBucketCorsCommand({
        Bucket,
        CORSConfiguration: {
          CORSRules: [{ AllowedOrigins: [allowed.origin], AllowedMethods: ['GET', 'PUT', 'HEAD'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 60 }],
        },
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all([allowed, other].map((p) => p && new Promise((r) => p.server.close(r))));
  });

  it('an allowed origin uploads with a presigned PUT and reads back the bytes and the exposed ETag', async () => {
    const body = `uploaded from ${allowed.origin} ✓`;
    const putUrl = await getSignedUrl(presigner, new PutObjectCommand({ Bucket, Key: 'from-browser.txt', ContentType: 'text/plain;charset=utf-8' }), { expiresIn: 300 });
    const getUrl = await getSignedUrl(presigner, new GetObjectCommand({ Bucket, Key: 'from-browser.txt' }), { expiresIn: 300 });
    const [put, get] = await browserFetch([
      { origin: allowed.origin, url: putUrl, init: { method: 'PUT', body, headers: { 'content-type': 'text/plain;charset=utf-8' } } },
      { origin: allowed.origin, url: getUrl, init: { method: 'GET' } },
    ]);
    expect(put).toMatchObject({ ok: true, status: 200 });
    expect(put.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(get).toEqual({ ok: true, status: 200, etag: put.etag, text: body });

    const stored = await s3.send(new GetObjectCommand({ Bucket, Key: 'from-browser.txt' }));
    expect((await bodyBytes(stored.Body)).toString('utf8')).toBe(body);
    expect(stored.ETag).toBe(put.etag);
    expect(stored.ContentType).toBe('text/plain;charset=utf-8');
  }, 90_000);

  it('another origin is blocked by the browser: the PUT never reaches the bucket and the GET is unreadable', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'readable.txt', Body: 'for the allowed origin only' }));
    const putUrl = await getSignedUrl(presigner, new PutObjectCommand({ Bucket, Key: 'blocked.txt', ContentType: 'text/plain' }), { expiresIn: 300 });
    const getUrl = await getSignedUrl(presigner, new GetObjectCommand({ Bucket, Key: 'readable.txt' }), { expiresIn: 300 });
    const [put, get, control] = await browserFetch([
      { origin: other.origin, url: putUrl, init: { method: 'PUT', body: 'must not land', headers: { 'content-type': 'text/plain' } } },
      { origin: other.origin, url: getUrl, init: { method: 'GET' } },
      // The same GET from the allowed origin works: the block above is CORS, not a bad URL.
      { origin: allowed.origin, url: getUrl, init: { method: 'GET' } },
    ]);
    expect(put.ok).toBe(false);
    expect(put.error).toMatch(/TypeError/);
    await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key: 'blocked.txt' })), 404);
    expect(get.ok).toBe(false);
    expect(get.error).toMatch(/TypeError/);
    expect(control).toMatchObject({ ok: true, status: 200, text: 'for the allowed origin only' });
  }, 90_000);
});
