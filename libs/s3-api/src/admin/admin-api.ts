import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isServiceError, type CallCtx, type MetadataApi } from '@massive/contracts';
import type { Logger } from '@massive/observability';
import { isS3Error, SigningKeyCache, verifySigV4 } from '@massive/s3-protocol';
import type { KeyCache } from '../identity/key-cache';
import type { SecretSealer } from '../identity/secret-seal';
import { ADMIN_ROUTES, AdminError, type AdminCall } from './admin-routes';

export interface AdminApiDeps {
  readonly metadata: MetadataApi;
  readonly keys: KeyCache;
  readonly sealer: SecretSealer;
  readonly region: string;
  readonly maxSkewMs: number;
  readonly logger: Logger;
}

/** Serves one admin request; `path` is the part after the mount point (`/v1/keys`, ...). */
export type AdminHandler = (req: IncomingMessage, res: ServerResponse, path: string) => void;

const MAX_BODY_BYTES = 64 * 1024;

/**
 * The admin API (JSON over HTTP): keys and grants. Mounted on the gateway's admin port under `/admin/`
 * (in local mode without an admin port, on the S3 port under `/-/admin/`). Every request must be signed
 * with SigV4 by the root key, its body covered by the signature (`x-amz-content-sha256` its SHA-256):
 * anonymous requests and every other key get 403, whatever they ask.
 */
export function createAdminApi(deps: AdminApiDeps): AdminHandler {
  const keyCache = new SigningKeyCache();
  let counter = 0;
  return (req, res, path) => {
    const requestId = `admin-${Date.now().toString(36)}-${(counter++).toString(36)}`;
    void serve(req, res, path, requestId).catch((err: unknown) => {
      deps.logger.error('admin request failed', { requestId, err });
      send(res, 500, { error: 'InternalError', message: 'We encountered an internal error. Please try again.' });
    });
  };

  async function serve(req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, { error: 'EntityTooLarge', message: `Admin request bodies are at most ${MAX_BODY_BYTES} bytes` });
    const denied = authenticateRoot(req, rawPath, rawQuery, body);
    if (denied) {
      deps.logger.warn('admin request refused', { requestId, reason: denied });
      return send(res, 403, { error: 'AccessDenied', message: `The admin API needs a request signed by the root key (${denied})` });
    }
    const ctx: CallCtx = { requestId };
    const method = req.method ?? 'GET';
    const segments = path.split('/').filter((s) => s !== '').map(decodeSegment);
    for (const route of ADMIN_ROUTES) {
      const params = match(route.path, segments);
      if (!params) continue;
      if (route.method !== method) continue;
      let json: unknown;
      try {
        json = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      } catch {
        return send(res, 400, { error: 'MalformedJSON', message: 'The request body is not JSON' });
      }
      const call: AdminCall = { params, body: json, ctx, deps };
      try {
        const out = await route.handle(call);
        deps.logger.info('admin', { requestId, action: route.name, ...out.log });
        return send(res, out.status ?? 200, out.body);
      } catch (e) {
        if (e instanceof AdminError) return send(res, e.status, { error: e.code, message: e.message });
        if (isServiceError(e, 'NoSuchBucket')) return send(res, 404, { error: 'NoSuchBucket', message: e.message });
        if (isServiceError(e, 'InvalidArgument')) return send(res, 400, { error: 'InvalidArgument', message: e.message });
        if (isServiceError(e, 'Unavailable')) return send(res, 503, { error: 'ServiceUnavailable', message: 'Metadata is unavailable; retry' });
        throw e;
      }
    }
    send(res, 404, { error: 'NotFound', message: `No admin endpoint ${method} ${path}` });
  }

  /** Undefined when the request is signed by the root key with its body covered; else why not. */
  function authenticateRoot(req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer): string | undefined {
    try {
      const auth = verifySigV4(
        { method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headersDistinct },
        { lookup: (id) => (deps.keys.isRoot(id) ? deps.keys.lookup(id)?.secretKey : undefined) },
        { region: deps.region, maxSkewMs: deps.maxSkewMs, keyCache },
      );
      if (auth.kind === 'anonymous') return 'unsigned request';
      if (auth.payloadMode !== 'sha256' || auth.payloadSha256 === undefined) return 'the body must be signed (x-amz-content-sha256)';
      const actual = createHash('sha256').update(body).digest();
      const claimed = Buffer.from(auth.payloadSha256, 'hex');
      if (claimed.length !== actual.length || !timingSafeEqual(claimed, actual)) return 'body does not match x-amz-content-sha256';
      return undefined;
    } catch (e) {
      if (isS3Error(e)) return e.code === 'InvalidAccessKeyId' ? 'not the root key' : e.code;
      throw e;
    }
  }
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function match(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = segments[i];
    else if (pattern[i] !== segments[i]) return undefined;
  }
  return params;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > MAX_BODY_BYTES) {
      req.resume();
      return undefined;
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.destroy();
  const text = body === undefined ? '' : JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}
