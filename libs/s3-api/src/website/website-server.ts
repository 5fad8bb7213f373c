import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Counter, type Registry } from 'prom-client';
import { requestIdGenerator } from '@massive/observability';
import { S3_ERRORS, type S3ErrorCode, type WebsiteRedirect, type WebsiteRoutingRule } from '@massive/s3-protocol';
import { authorize } from '../access/authorize';
import type { Principal } from '../http/auth';
import { toS3Error } from '../errors/to-s3-error';
import { readObject } from '../handlers/object/read-object';
import { RequestCtx } from '../http/request-ctx';
import type { RequestBody, S3ApiDeps, S3Request, S3Response } from '../types';

/**
 * S3 static website hosting, on a port of its own (as S3's website endpoints are hosts of their own):
 * anonymous GET and HEAD of a bucket's public objects, with its index and error documents, redirects
 * and routing rules (PutBucketWebsite), errors as HTML pages. The bucket comes from the Host header:
 * `<bucket>.<website domain>`, or, for any other host, the bucket named like the host (a custom domain
 * pointed at the endpoint, as S3 and Garage do it).
 *
 * What it serves is exactly what an anonymous GetObject of the same key may read (bucket policy, ACLs,
 * Block Public Access: access/authorize.ts); credentials are ignored, so a signed request never reads
 * more here than an anonymous one. Objects are read as GetObject reads them (conditions, Range, SSE-S3
 * decryption); SSE-C objects cannot be served (no key), as on S3.
 */
export interface WebsiteOptions {
  /** Root domains: `<bucket>.<domain>` names a bucket. Other hosts name the bucket called like the host. */
  readonly domains: readonly string[];
  readonly registry: Registry;
  /** Writes a handler's response (the S3 server's writer: flat headers, streamed bodies with backpressure). */
  readonly write: (res: ServerResponse, out: S3Response, head: boolean, requestId: string) => Promise<void>;
}

const ANONYMOUS = { kind: 'anonymous', sigv4: { payloadMode: 'unsigned' } } as unknown as Principal;
const NO_QUERY = new URLSearchParams();
/** Request headers a website GET honours (conditions and ranges); everything else a browser sends is ignored. */
const READ_HEADERS = ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'range'] as const;
const NO_BODY: RequestBody = {
  length: 0,
  framed: false,
  selfHashes: [],
  stream: () => {
    throw new Error('a website request has no body');
  },
  collect: async () => Buffer.alloc(0),
} as unknown as RequestBody;

/** The bucket a website request names, from its Host header (port and a final dot dropped, lower case). */
export function websiteBucket(host: string | undefined, domains: readonly string[]): string | undefined {
  if (!host) return undefined;
  let name = host.toLowerCase();
  const colon = name.lastIndexOf(':');
  if (colon >= 0 && !name.endsWith(']')) name = name.slice(0, colon);
  if (name.endsWith('.')) name = name.slice(0, -1);
  for (const d of domains) {
    const suffix = `.${d.toLowerCase()}`;
    if (name.endsWith(suffix) && name.length > suffix.length) return name.slice(0, -suffix.length);
  }
  return name === '' ? undefined : name;
}

/** The request listener of the website port. */
export function createWebsiteListener(deps: S3ApiDeps, opts: WebsiteOptions): RequestListener {
  const nextRequestId = requestIdGenerator();
  const requests = new Counter({
    name: 's3_website_requests_total',
    help: 'Requests to the static website endpoint, by HTTP status',
    labelNames: ['status'],
    registers: [opts.registry],
  });
  const log = deps.logger;
  return (req, res) => {
    const requestId = nextRequestId();
    const started = process.hrtime.bigint();
    void serveWebsite(req, res, requestId, deps, opts)
      .catch((err: unknown) => {
        // Only a bug (serveWebsite answers every error itself).
        log.error('website request failed', { requestId, err });
        if (!res.headersSent) sendHtml(res, 500, 'InternalError', S3_ERRORS.InternalError.message, requestId, {});
        else res.destroy();
      })
      .finally(() => {
        requests.inc({ status: String(res.statusCode) });
        if (log.enabled('info')) {
          log.info('website request', { requestId, method: req.method, host: req.headers.host, status: res.statusCode, durationMs: Number(process.hrtime.bigint() - started) / 1e6 });
        }
      });
  };
}

async function serveWebsite(req: IncomingMessage, res: ServerResponse, requestId: string, deps: S3ApiDeps, opts: WebsiteOptions): Promise<void> {
  const ctx = new RequestCtx(res, requestId);
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const bucket = websiteBucket(req.headers.host, opts.domains);
  const fail = (code: S3ErrorCode, extra: Record<string, string> = {}, message?: string): void => sendHtml(res, S3_ERRORS[code].status, code, message ?? S3_ERRORS[code].message, requestId, extra, method === 'HEAD');
  if (method !== 'GET' && method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return fail('MethodNotAllowed', { Method: method, ResourceType: 'OBJECT' });
  }
  if (bucket === undefined) return fail('NoSuchBucket');
  let key: string;
  try {
    key = decodeURIComponent(rawPath).slice(1);
  } catch {
    return fail('InvalidURI');
  }
  const site = await deps.websiteConfigs!.get(bucket, ctx);
  if (!site.exists) return fail('NoSuchBucket', { BucketName: bucket });
  const config = site.config;
  if (!config) return fail('NoSuchWebsiteConfiguration', { BucketName: bucket });
  const head = method === 'HEAD';
  const host = req.headers.host ?? bucket;

  if (config.redirectAllRequestsTo) {
    const to = config.redirectAllRequestsTo;
    return redirect(res, 301, `${to.protocol ?? 'http'}://${to.hostName}/${encodeKey(key)}`, requestId);
  }
  const rules = config.routingRules ?? [];
  const before = rules.find((r) => r.condition?.httpErrorCodeReturnedEquals === undefined && prefixMatches(r, key));
  if (before) return redirect(res, redirectStatus(before.redirect), redirectLocation(before, key, host), requestId);

  const suffix = config.indexDocument?.suffix ?? '';
  const objectKey = key === '' || key.endsWith('/') ? key + suffix : key;
  const headers = readHeaders(req.headers);
  try {
    const out = await readAnonymously(bucket, objectKey, headers, !head, req, ctx, requestId, deps);
    // An object stored with x-amz-website-redirect-location is a 301 to it (its bytes, a lazy stream, are
    // never read); the S3 API serves the object itself.
    const moved = out.headers?.['x-amz-website-redirect-location'];
    if (typeof moved === 'string') return redirect(res, 301, locationOf(moved), requestId);
    return opts.write(res, out, head, requestId);
  } catch (err) {
    if (ctx.isAborted()) {
      res.destroy();
      return;
    }
    const { error, internal } = toS3Error(err, { bucket, key: objectKey });
    if (internal) deps.logger.error('website internal error', { requestId, bucket, key: objectKey, err });
    // A "directory" without its slash: S3 sends the browser to the slash form when its index exists
    // (whether or not the missing key shows as such to an anonymous reader).
    const missing = error.code === 'NoSuchKey' || (typeof err === 'object' && err !== null && HIDDEN_MISSING.has(err));
    if (missing && key !== '' && !key.endsWith('/') && suffix !== '' && (await readable(bucket, `${key}/${suffix}`, req, ctx, requestId, deps))) {
      return redirect(res, 302, `/${encodeKey(key)}/`, requestId);
    }
    const after = rules.find((r) => r.condition?.httpErrorCodeReturnedEquals === String(error.status) && prefixMatches(r, key));
    if (after) return redirect(res, redirectStatus(after.redirect), redirectLocation(after, key, host), requestId);
    const errorKey = config.errorDocument?.key;
    // The error document stands for a missing or private page (404, 403); a failed condition or range keeps its own answer.
    if (errorKey !== undefined && (error.status === 404 || error.status === 403)) {
      try {
        const page = await readAnonymously(bucket, errorKey, {}, !head, req, ctx, requestId, deps);
        return opts.write(res, { ...page, status: error.status }, head, requestId);
      } catch {
        // An error document that cannot be served itself: S3's own page instead.
      }
    }
    if (error.code === 'NotModified') {
      res.writeHead(304, { ...(error.headers ?? {}), 'x-amz-request-id': requestId });
      res.end();
      return;
    }
    const extra: Record<string, string> = error.code === 'NoSuchKey' ? { Key: objectKey } : error.code === 'NoSuchBucket' ? { BucketName: bucket } : {};
    sendHtml(res, error.status, error.code, error.message, requestId, extra, head, error.headers);
  }
}

/** GetObject (or HeadObject) of `key` as an anonymous request: what the website may serve. */
async function readAnonymously(
  bucket: string,
  key: string,
  headers: IncomingHttpHeaders,
  withBody: boolean,
  req: IncomingMessage,
  ctx: RequestCtx,
  requestId: string,
  deps: S3ApiDeps,
): Promise<S3Response> {
  const access = await authorize(ANONYMOUS, { name: 'GetObject', bucket, key }, deps, ctx, { req, query: NO_QUERY });
  const s3req: S3Request = {
    method: withBody ? 'GET' : 'HEAD',
    headers,
    query: NO_QUERY,
    body: NO_BODY,
    ctx,
    owner: access.bucket?.owner ?? { id: '', displayName: '' },
    scope: undefined,
    requestId,
    bucketAccess: access.bucket,
    checkObjectAcl: access.checkObjectAcl,
    awaitingContinue: undefined,
    keyDenied: undefined,
    postKeyDenied: undefined,
    anonymous: true,
    bypassPolicy: undefined,
    lockPolicy: undefined,
    secure: false,
  };
  try {
    return await readObject(bucket, key, s3req, deps, withBody);
  } catch (err) {
    const mapped = access.mapError(err);
    // A missing key shown as AccessDenied (no public listing) is still a missing key to the website.
    if (mapped !== err && typeof mapped === 'object' && mapped !== null && toS3Error(err).error.code === 'NoSuchKey') HIDDEN_MISSING.add(mapped);
    throw mapped;
  }
}

/** Errors that answer AccessDenied for a key that does not exist (the requester may not list the bucket). */
const HIDDEN_MISSING = new WeakSet<object>();

/** Whether `key` exists and may be served (HEAD as an anonymous request). */
async function readable(bucket: string, key: string, req: IncomingMessage, ctx: RequestCtx, requestId: string, deps: S3ApiDeps): Promise<boolean> {
  try {
    await readAnonymously(bucket, key, {}, false, req, ctx, requestId, deps);
    return true;
  } catch {
    return false;
  }
}

function readHeaders(h: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const name of READ_HEADERS) if (h[name] !== undefined) out[name] = h[name];
  return out;
}

function prefixMatches(rule: WebsiteRoutingRule, key: string): boolean {
  const prefix = rule.condition?.keyPrefixEquals;
  return prefix === undefined || key.startsWith(prefix);
}

function redirectStatus(r: WebsiteRedirect): number {
  return r.httpRedirectCode === undefined ? 301 : Number(r.httpRedirectCode);
}

/** Where a routing rule sends `key`: its host (else the request's), protocol (else http), and key replaced. */
export function redirectLocation(rule: WebsiteRoutingRule, key: string, requestHost: string): string {
  const r = rule.redirect;
  const prefix = rule.condition?.keyPrefixEquals ?? '';
  const target = r.replaceKeyWith ?? (r.replaceKeyPrefixWith !== undefined ? r.replaceKeyPrefixWith + key.slice(prefix.length) : key);
  return `${r.protocol ?? 'http'}://${r.hostName ?? requestHost}/${encodeKey(target)}`;
}

/**
 * A stored redirect location as a Location header: the response header carries non-ASCII text RFC 2047
 * encoded (object-headers.ts), a URL carries it percent-encoded, as a browser would send it.
 */
export function locationOf(wire: string): string {
  const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/.exec(wire);
  const text = m ? Buffer.from(m[1], 'base64').toString('utf8') : wire;
  return text.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

/** A key as a URL path (each segment percent-encoded, slashes kept). */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

function redirect(res: ServerResponse, status: number, location: string, requestId: string): void {
  res.writeHead(status, { Location: location, 'Content-Length': 0, 'x-amz-request-id': requestId, Server: 'MassiveStorage' });
  res.end();
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 412: 'Precondition Failed', 416: 'Requested Range Not Satisfiable', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** S3's website error page: HTML, the code, message and request id in a list. */
export function errorPage(status: number, code: string, message: string, requestId: string, extra: Readonly<Record<string, string>>): string {
  const title = `${status} ${REASONS[status] ?? 'Error'}`;
  const items = [`Code: ${code}`, `Message: ${message}`, ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`), `RequestId: ${requestId}`];
  return `<html>\n<head><title>${escapeHtml(title)}</title></head>\n<body>\n<h1>${escapeHtml(title)}</h1>\n<ul>\n${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('\n')}\n</ul>\n<hr/>\n</body>\n</html>\n`;
}

function sendHtml(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  requestId: string,
  extra: Readonly<Record<string, string>>,
  head = false,
  headers: Readonly<Record<string, string>> = {},
): void {
  const body = Buffer.from(errorPage(status, code, message, requestId, extra), 'utf8');
  res.writeHead(status, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length, 'x-amz-request-id': requestId, Server: 'MassiveStorage' });
  res.end(head ? undefined : body);
}
