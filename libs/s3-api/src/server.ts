import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import express from 'express';
import { Counter, type Registry } from 'prom-client';
import { parseEndpoint, S3Error, type Endpoint, type EndpointName, type S3ErrorCode } from '@massive/s3-protocol';
import { createHttpMetrics, createLimitMetrics, requestIdGenerator, type LimitMetrics, type OperationMetrics, type RejectionReason } from '@massive/observability';
import { HANDLERS } from './handlers';
import { authenticate, prepareCredentials, type Principal } from './http/auth';
import { header } from './http/object-headers';
import { AccessLogs } from './access-log/access-log';
import { logOperation, type LogRecordFields } from './access-log/log-record';
import { formUploadRequest } from './http/form-auth';
import { authorize, type Access } from './access/authorize';
import { checkCopySourceGrant } from './access/authorize-key';
import { openRequestBody } from './http/request-body';
import { renderError } from './http/render-error';
import { refuseUnsupportedHeaders } from './http/unsupported-headers';
import { toS3Error } from './errors/to-s3-error';
import { BodyBudget } from './limits/body-budget';
import { drain, drainable } from './limits/drain';
import { AWAITING_CONTINUE, type ContinueAware } from './limits/s3-server';
import type { Handler, S3ApiDeps, S3Request, S3Response } from './types';
import type { ReadLeaseEvents } from './http/leased-read';
import type { AdminHandler } from './admin/admin-api';
import { CorsRulesCache } from './http/cors-config';
import { BucketWriteDefaults } from './http/bucket-write-defaults';
import { answerPreflight, lookupCors } from './http/cors';
import { checkExpectedOwners } from './http/expected-owner';
import { LifecycleRulesCache } from './http/lifecycle-expiration';
import { IntentPool } from './http/intent-pool';
import { sharedHashPool } from './http/hashing/shared-pool';
import { BucketPolicyCache } from './access/bucket-policy-cache';
import { metricsGate, type MetricsAccess } from './http/metrics-access';
import { refuseUnsignedPayload } from './http/signed-payload';
import { RequestCtx } from './http/request-ctx';
import { WebsiteConfigCache } from './website/website-config';
import { KmsKeys } from './sse/kms-keys';
import { createWebsiteListener } from './website/website-server';
import { createStsApi } from './sts/sts-api';

export interface S3ApiOptions {
  readonly registry: Registry;
  /** Readiness: false while draining or when a dependency is down. */
  readonly ready?: () => boolean | Promise<boolean>;
  /** Limit metrics shared with `createS3Server` (created here when not given). */
  readonly limitMetrics?: LimitMetrics;
  /** The admin API, served under `/-/admin/` on this port (local mode without an admin port). */
  readonly admin?: AdminHandler;
  /** Who may read `/-/metrics` here. Default: nobody (the admin port serves it to the pod network). */
  readonly metricsAccess?: MetricsAccess;
}

/** Limit errors raised by the dispatcher or handlers, counted by reason. */
const LIMIT_REASONS: Partial<Record<S3ErrorCode, RejectionReason>> = {
  KeyTooLongError: 'key_length',
  MetadataTooLarge: 'metadata_size',
  MaxMessageLengthExceeded: 'xml_size',
  MissingContentLength: 'missing_content_length',
  RequestTimeout: 'body_idle_timeout',
};

const NO_QUERY = new URLSearchParams();
const ADMIN_MOUNT = '/-/admin/';
const SERVER = 'MassiveStorage';
/** A bucket's CORS rules are reused this long by a gateway (its own Put/DeleteBucketCors apply at once). */
const CORS_CACHE_TTL_MS = 5_000;
const CORS_CACHE_ENTRIES = 10_000;
/**
 * Write intents kept ready (http/intent-pool.ts): twice the large writes in flight at once, since a
 * refill (one call, one transaction) starts only when half are gone. With 8 there were 8 clients' 1 MiB
 * PUTs that found the pool empty 8% of the time and waited for an intent of their own (distributed
 * mode, 2026-12-06). Unused ones expire and the janitor reclaims them: at most this many per burst.
 */
const INTENT_POOL_SIZE = 16;
/** A bucket's policy is reused this long by a gateway (its own Put/DeleteBucketPolicy apply at once). */
const POLICY_CACHE_TTL_MS = 5_000;
const POLICY_CACHE_ENTRIES = 10_000;
/**
 * A bucket's default encryption is reused this long by a gateway (its own Put/DeleteBucketEncryption apply at
 * once): objects written through other gateways within it after a change get the previous default.
 */
const WRITE_DEFAULTS_TTL_MS = 5_000;
const WRITE_DEFAULTS_ENTRIES = 10_000;
/** A bucket's website configuration is reused this long by a gateway's website endpoint (its own Put/Delete apply at once). */
const WEBSITE_CACHE_TTL_MS = 5_000;
const WEBSITE_CACHE_ENTRIES = 10_000;
/** A bucket's access logging is looked up this long by a gateway (its own PutBucketLogging applies at once). */
const ACCESS_LOG_CACHE_TTL_MS = 5_000;
const ACCESS_LOG_CACHE_ENTRIES = 10_000;

/**
 * The S3 REST API as a Node request listener. S3 requests go straight to one dispatcher (endpoint table →
 * SigV4 → handler → one error renderer): no middleware chain on the hot path. The operational endpoints
 * under `/-/` (no bucket name can start with '-', so they never shadow a bucket) are a small express app.
 */
export function createS3Api(deps: S3ApiDeps, opts: S3ApiOptions): RequestListener {
  return createS3Listeners(deps, opts).s3;
}

/**
 * The S3 API's listener and the static website endpoint's (website/website-server.ts), sharing one set of
 * caches: a gateway with a website port listens on both. `opts.websiteDomains`: the root domains whose
 * subdomains name buckets there.
 */
export function createS3Listeners(
  deps: S3ApiDeps,
  opts: S3ApiOptions & { readonly websiteDomains?: readonly string[] },
): { s3: RequestListener; website: RequestListener; flush: () => Promise<void> } {
  const ops = operationalApp(opts);
  const metrics = createHttpMetrics(opts.registry);
  const nextRequestId = requestIdGenerator();
  const log = deps.logger;
  deps = {
    ...deps,
    readLeaseEvents: deps.readLeaseEvents ?? createReadLeaseEvents(opts.registry),
    corsRules: deps.corsRules ?? new CorsRulesCache(deps.metadata, { ttlMs: CORS_CACHE_TTL_MS, maxEntries: CORS_CACHE_ENTRIES }),
    lifecycleRules: deps.lifecycleRules ?? new LifecycleRulesCache(deps.metadata),
    intents: deps.intents ?? new IntentPool(deps.metadata, { ttlMs: deps.config.intentTtlMs, size: INTENT_POOL_SIZE }),
    bucketPolicies: deps.bucketPolicies ?? new BucketPolicyCache(deps.metadata, { ttlMs: POLICY_CACHE_TTL_MS, maxEntries: POLICY_CACHE_ENTRIES }),
    hashing: deps.hashing ?? sharedHashPool(deps.config.hashThreads),
    writeDefaults: deps.writeDefaults ?? new BucketWriteDefaults(deps.metadata, { ttlMs: WRITE_DEFAULTS_TTL_MS, maxEntries: WRITE_DEFAULTS_ENTRIES }),
    kms: deps.kms ?? new KmsKeys(deps.config.kmsKeyIds, deps.config.region),
    websiteConfigs: deps.websiteConfigs ?? new WebsiteConfigCache(deps.metadata, { ttlMs: WEBSITE_CACHE_TTL_MS, maxEntries: WEBSITE_CACHE_ENTRIES }),
  };
  // Its own writes (log objects) go through these deps, which have no access log: they are never logged.
  const accessLogs =
    deps.accessLogs ??
    new AccessLogs(deps, { flushMs: deps.config.accessLogFlushMs, lookups: { ttlMs: ACCESS_LOG_CACHE_TTL_MS, maxEntries: ACCESS_LOG_CACHE_ENTRIES }, registry: opts.registry });
  deps = { ...deps, accessLogs };
  const limits = opts.limitMetrics ?? createLimitMetrics(opts.registry);
  const budget = new BodyBudget(deps.config.maxInflightBodyBytes, deps.config.maxBodyChargeBytes, (n) => limits.inflightBodyBytes.set(n));
  const idleMs = deps.config.bodyIdleTimeoutMs;
  // Pieces of GET bodies go back to the blob store once written (BlobApi.release; absent over gRPC).
  const releasePiece = deps.blob.release ? (piece: Buffer) => deps.blob.release?.(piece) : undefined;

  // Temporary credentials (the STS query API on `/`), when the gateway has a master key to seal them with.
  const sts = createStsApi(deps, opts.registry, log);

  const s3: RequestListener = (req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/-/')) {
      if (opts.admin && url.startsWith(ADMIN_MOUNT)) return opts.admin(req, res, url.slice(ADMIN_MOUNT.length - 1).split('?')[0]);
      return ops(req, res);
    }
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    if (sts && rawPath === '/' && sts.matches(req, rawPath, rawQuery)) return void sts.answer(req, res, rawQuery, nextRequestId());
    void serve(req, res, rawPath, rawQuery);
  };
  const website = createWebsiteListener(deps, {
    domains: opts.websiteDomains ?? [],
    registry: opts.registry,
    write: (res, out, head, requestId) => writeResponse(res, out, head, requestId, idleMs, () => limits.rejected('send_idle_timeout'), releasePiece),
  });
  return { s3, website, flush: () => accessLogs.flush() };

  async function serve(req: IncomingMessage, res: ServerResponse, rawPath: string, rawQuery: string): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = nextRequestId();
    const method = req.method ?? 'GET';
    const ctx = new RequestCtx(res, requestId);
    let ep: Endpoint | undefined;
    let access: Access | undefined;
    let operation: EndpointName | 'Unknown' | 'PreflightCors' = 'Unknown';
    // The operation's metrics, once it is known (and counted in flight).
    let om: OperationMetrics | undefined;
    // CORS headers for a request with `Origin` (looked up alongside the request; others never wait on it).
    let cors: Promise<Record<string, string>> | undefined;
    let bytesIn = 0;
    let bytesOut = 0;
    let release: (() => void) | undefined;
    // A client waiting for `100 Continue` that never got it will not send its body: nothing to drain.
    let withheldContinue = false;
    // For the bucket's access log, if it has one: who signed, what went wrong, when the answer was ready.
    let principal: Principal | undefined;
    let errorCode: string | undefined;
    let answeredAt: bigint | undefined;
    let answer: S3Response | undefined;
    try {
      if (method === 'OPTIONS') {
        operation = 'PreflightCors';
        om = metrics.operation(operation);
        om.inFlight.inc();
        const out = await answerPreflight(req.headers, rawPath, deps, ctx);
        await writeResponse(res, out, false, requestId);
        if (!req.complete) drain(req, idleMs);
        return;
      }
      const query = rawQuery === '' ? NO_QUERY : new URLSearchParams(rawQuery);
      ep = parseEndpoint({ method, rawPath, query, headers: req.headers }, deps.config);
      operation = ep.name;
      om = metrics.operation(operation);
      om.inFlight.inc();
      cors = lookupCors(req.headers, 'bucket' in ep ? ep.bucket : undefined, method, deps, ctx);
      // A non-root key not in the gateway's key cache is read first (cached keys: nothing to wait for).
      const loading = ep.name === 'PostObject' ? undefined : prepareCredentials(req, rawQuery, deps, ctx);
      if (loading) await loading;
      // A browser POST upload is signed inside its form: its handler checks the signature and policy.
      const auth = ep.name === 'PostObject' ? formUploadRequest() : authenticate(req, rawPath, rawQuery, deps);
      principal = auth;
      if (deps.config.requireSignedPayload) refuseUnsignedPayload(req, auth.sigv4.payloadMode);
      // The root key's requests, and other keys' within their cached grants, get their answer synchronously
      // (the bucket policy too, for a bucket the gateway knows has none).
      let granted = authorize(auth, ep, deps, ctx, { req, query });
      if (granted instanceof Promise) granted = await granted;
      access = granted;
      if (auth.kind === 'signed') checkCopySourceGrant(auth, ep, req.headers, deps);
      const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
      refuseUnsupportedHeaders(req.headers, ep.name, secure);
      const owners = checkExpectedOwners(ep, req.headers, deps, ctx);
      if (owners) await owners;
      const handler = HANDLERS[ep.name] as Handler<EndpointName> | undefined;
      if (!handler) throw new S3Error('NotImplemented');
      withheldContinue = (req as ContinueAware)[AWAITING_CONTINUE] === true;
      const body = openRequestBody(req, auth, deps.config, {
        onBytes: (n) => (bytesIn += n),
        onFirstRead: withheldContinue
          ? () => {
              withheldContinue = false;
              res.writeContinue();
            }
          : undefined,
      });
      // Admission: a body over the in-flight budget is refused before any of it is read.
      release = budget.admit(body.length ?? 0);
      if (!release) {
        limits.rejected('inflight_body_bytes');
        throw new S3Error('SlowDown');
      }
      const owner = auth.kind === 'signed' ? auth.owner : granted.bucket?.owner;
      if (!owner) throw new S3Error('AccessDenied');
      const s3req: S3Request = {
        method,
        headers: req.headers,
        query,
        body,
        owner,
        requestId,
        ctx,
        // Every request's object has the same shape (the handlers' property reads stay monomorphic):
        // what does not apply is undefined, never spread in or left out.
        scope: auth.kind === 'signed' ? auth.scope : undefined,
        bucketAccess: granted.bucket,
        checkObjectAcl: granted.checkObjectAcl,
        awaitingContinue: withheldContinue || undefined,
        keyDenied: granted.keyDenied,
        postKeyDenied: granted.postKeyDenied,
        anonymous: auth.kind !== 'signed',
        bypassPolicy: granted.bypassPolicy,
        lockPolicy: granted.lockPolicy,
        secure,
      };
      let out = await handler(ep, s3req, deps);
      answeredAt = process.hrtime.bigint();
      if (cors) out = { ...out, headers: { ...out.headers, ...(await cors) } };
      answer = out;
      bytesOut = out.objectBytes ?? 0;
      // The client still holds a body back for a `100 Continue` that will not come: the connection
      // cannot carry another request after this one.
      if (withheldContinue && !req.complete) res.shouldKeepAlive = false;
      await writeResponse(res, out, method === 'HEAD', requestId, idleMs, () => limits.rejected('send_idle_timeout'), releasePiece);
    } catch (err) {
      if (ctx.isAborted()) {
        // The client hung up: nothing to answer, and not a server fault.
        log.info('client disconnected', { requestId, operation });
        res.destroy();
      } else {
        const where = ep && 'bucket' in ep ? { bucket: ep.bucket, key: 'key' in ep ? ep.key : undefined } : {};
        const { error, internal } = toS3Error(access ? access.mapError(err) : err, where);
        errorCode = error.code;
        if (internal) log.error('internal error', { requestId, operation, err });
        const reason = LIMIT_REASONS[error.code];
        if (reason) limits.rejected(reason);
        // A body left unread (refused, failed early) is read and discarded so the client, still sending,
        // reads this answer and can reuse the connection; a stalled or very large one closes it instead.
        const unread = !req.complete;
        const close = unread && (error.code === 'RequestTimeout' || withheldContinue || !drainable(req, bytesIn));
        if (res.headersSent) {
          // The body had started: the only honest signal left is a broken connection.
          res.destroy();
        } else {
          res.setHeader('x-amz-request-id', requestId);
          res.setHeader('Server', SERVER);
          if (cors) for (const [name, value] of Object.entries(await cors)) res.setHeader(name, value);
          if (close) {
            res.shouldKeepAlive = false;
            res.setHeader('Connection', 'close');
          } else if (unread) {
            // Even if the client asked to close: closing now, with its body still arriving, would reset the
            // connection and could destroy this answer before the client reads it. It closes after reading.
            res.shouldKeepAlive = true;
          }
          renderError(res, error, method, rawPath, requestId);
        }
        if (unread) drain(req, idleMs);
      }
    } finally {
      release?.();
      if (om) om.inFlight.dec();
      else om = metrics.operation(operation);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      om.requests(res.statusCode).inc();
      om.duration.observe(seconds);
      if (bytesIn) om.bytesIn.inc(bytesIn);
      if (bytesOut) om.bytesOut.inc(bytesOut);
      if (log.enabled('info')) {
        log.info('request', { requestId, operation, method, status: res.statusCode, bytesIn, bytesOut, durationMs: Math.round(seconds * 1e6) / 1e3 });
      }
      if (ep && 'bucket' in ep && ep.bucket && accessLogs.maybeLogged(ep.bucket)) {
        const logged = ep;
        const turnAround = answeredAt === undefined ? undefined : Number(answeredAt - started) / 1e6;
        // Taken now: the record may be built after the bucket's configuration is looked up, when the
        // connection may be gone.
        const at = { startedAt: Date.now() - seconds * 1000, remoteIp: req.socket.remoteAddress };
        accessLogs.record(ep.bucket, requestId, (bucketOwner) =>
          accessLogFields(req, res, answer, { ...at, bucketOwner, ep: logged, principal, requestId, errorCode, seconds, turnAroundMs: turnAround, bytesIn, aclRequired: access?.checkObjectAcl !== undefined }),
        );
      }
    }
  }
}

/** Bytes of a handler's body that is text or bytes (a streamed body's count is `objectBytes`). */
function bodyBytes(body: S3Response['body']): number {
  if (body === undefined) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (Buffer.isBuffer(body)) return body.length;
  if (Array.isArray(body)) return (body as readonly string[]).reduce((n, s) => n + Buffer.byteLength(s), 0);
  return 0;
}

/** One request's access log record (access-log/log-record.ts), built only for a bucket whose logging is on. */
function accessLogFields(
  req: IncomingMessage,
  res: ServerResponse,
  answer: S3Response | undefined,
  r: {
    readonly bucketOwner: string;
    readonly startedAt: number;
    readonly remoteIp: string | undefined;
    readonly ep: Endpoint & { readonly bucket: string };
    readonly principal: Principal | undefined;
    readonly requestId: string;
    readonly errorCode: string | undefined;
    readonly seconds: number;
    readonly turnAroundMs: number | undefined;
    readonly bytesIn: number;
    readonly aclRequired: boolean;
  },
): LogRecordFields {
  const method = req.method ?? 'GET';
  const key = 'key' in r.ep && typeof r.ep.key === 'string' ? r.ep.key : undefined;
  // A handler's answer carries its headers (written in one writeHead); an error's are set on `res`.
  const length = Number(answer?.headers?.['Content-Length'] ?? res.getHeader('content-length') ?? NaN);
  const range = /\/(\d+)$/.exec(String(answer?.headers?.['Content-Range'] ?? res.getHeader('content-range') ?? ''));
  const sent = answer ? (answer.objectBytes ?? bodyBytes(answer.body)) : length;
  const reads = method === 'GET' || method === 'HEAD';
  const objectSize = key === undefined ? undefined : reads && res.statusCode < 300 ? (range ? Number(range[1]) : length) : r.bytesIn > 0 ? r.bytesIn : undefined;
  const signed = r.principal?.kind === 'signed' ? r.principal : undefined;
  const tls = req.socket as Partial<TLSSocket>;
  const url = req.url ?? '/';
  const version = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '').get('versionId') ?? undefined;
  return {
    bucketOwner: r.bucketOwner,
    bucket: r.ep.bucket,
    time: r.startedAt,
    remoteIp: r.remoteIp,
    requester: signed?.owner.id,
    requestId: r.requestId,
    operation: logOperation(r.ep.name, method),
    key,
    requestLine: `${method} ${url} HTTP/${req.httpVersion}`,
    status: res.statusCode,
    errorCode: r.errorCode,
    bytesSent: method === 'HEAD' || !(sent > 0) ? undefined : sent,
    objectSize: Number.isFinite(objectSize) ? objectSize : undefined,
    totalMs: r.seconds * 1000,
    turnAroundMs: r.turnAroundMs,
    referer: header(req.headers, 'referer'),
    userAgent: header(req.headers, 'user-agent'),
    versionId: version,
    signatureVersion: signed ? (signed.sigv4.signatureVersion === 'AWS' ? 'SigV2' : 'SigV4') : undefined,
    cipherSuite: tls.encrypted ? (tls.getCipher?.()?.name ?? undefined) : undefined,
    authType: r.ep.name === 'PostObject' ? 'HtmlForm' : signed ? (signed.sigv4.kind === 'presigned' ? 'QueryString' : 'AuthHeader') : undefined,
    host: header(req.headers, 'host'),
    tlsVersion: tls.encrypted ? (tls.getProtocol?.() ?? undefined) : undefined,
    aclRequired: r.aclRequired && res.statusCode < 400,
  };
}

/** `/-/health/live`, `/-/health/ready` (open: load balancer probes), `/-/metrics` (token or public) on the S3 port. */
function operationalApp(opts: S3ApiOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.get('/-/health/live', (_req, res) => void res.type('text/plain').send('ok'));
  app.get('/-/health/ready', async (_req, res) => {
    const ok = opts.ready ? await opts.ready() : true;
    res.status(ok ? 200 : 503).type('text/plain').send(ok ? 'ready' : 'not ready');
  });
  const gate = metricsGate(opts.metricsAccess);
  app.get('/-/metrics', async (req, res) => {
    const verdict = gate(req.headers);
    if (!verdict.allowed) {
      if (verdict.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="massive-metrics"');
      return void res.status(verdict.status).type('text/plain').send(`${verdict.message}\n`);
    }
    res.type(opts.registry.contentType).send(await opts.registry.metrics());
  });
  app.use((_req, res) => void res.status(404).end());
  return app;
}

/**
 * Writes a handler's response with one writeHead of a flat header list (Node's cheapest path: no
 * per-header setHeader bookkeeping), then the body: bytes in one write, streams with backpressure.
 * A streamed body whose client stops reading for `idleMs` is cut (the connection is closed), so a
 * stalled reader does not pin chunk buffers and file handles. `release`: each streamed piece is handed
 * to it once its socket write has completed (BlobApi.release: the blob store reuses the memory).
 */
async function writeResponse(
  res: ServerResponse,
  out: S3Response,
  head: boolean,
  requestId: string,
  idleMs = 0,
  onIdle?: () => void,
  release?: (piece: Buffer) => void,
): Promise<void> {
  const flat: (string | number)[] = ['x-amz-request-id', requestId, 'Server', SERVER];
  const headers = out.headers;
  let hasLength = false;
  if (headers) {
    for (const name in headers) {
      const v = headers[name];
      if (v === undefined) continue;
      if (name === 'Content-Length') hasLength = true;
      flat.push(name, v);
    }
  }
  const body = out.body;
  if (body === undefined || head) {
    if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body) && !isPieces(body)) void body[Symbol.asyncIterator]().return?.();
    res.writeHead(out.status, flat as unknown as string[]);
    res.end();
    return;
  }
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (!hasLength) flat.push('Content-Length', Buffer.byteLength(body));
    res.writeHead(out.status, flat as unknown as string[]);
    res.end(body);
    return;
  }
  if (isPieces(body)) {
    // Each piece is measured (and flattened) on its own, never the whole document as one string.
    let length = 0;
    for (const piece of body) length += Buffer.byteLength(piece);
    if (!hasLength) flat.push('Content-Length', length);
    res.writeHead(out.status, flat as unknown as string[]);
    // Corked: the pieces leave in one writev; end() uncorks.
    res.cork();
    for (const piece of body) res.write(piece);
    res.end();
    return;
  }
  // Pull the first piece before committing to a status: a chunk that is missing or corrupt right away
  // becomes a proper S3 error instead of a connection cut after a 200.
  const it = body[Symbol.asyncIterator]();
  let r = await it.next();
  res.writeHead(out.status, flat as unknown as string[]);
  if (r.done) return void res.end();
  const socket = res.socket;
  if (idleMs > 0 && socket) {
    socket.setTimeout(idleMs);
    res.once('timeout', () => {
      onIdle?.();
      res.destroy(new Error('client stopped reading'));
    });
  }
  // No reset afterwards: once the response finishes, Node sets the keep-alive timeout on the socket.
  let done = false;
  try {
    while (!r.done) {
      const piece = r.value;
      // The callback runs once the socket is done with the piece (written, or failed: then kept).
      const ok = release ? res.write(piece, (err) => err || release(piece)) : res.write(piece);
      if (!ok) await drainedOrClosed(res);
      if (res.destroyed) throw prematureClose();
      r = await it.next();
    }
    done = true;
    // Gone while the last piece was read: no 'close' is coming any more.
    if (res.destroyed) throw prematureClose();
    await new Promise<void>((resolve, reject) => {
      res.end();
      const finished = () => {
        res.off('close', closed);
        resolve();
      };
      const closed = () => {
        res.off('finish', finished);
        if (res.writableFinished) resolve();
        else reject(prematureClose());
      };
      res.once('finish', finished);
      res.once('close', closed);
    });
  } catch (e) {
    // A failed read (the error after a 200) or a client gone: the connection is cut.
    res.destroy();
    throw e;
  } finally {
    if (!done) await it.return?.();
  }
}

function isPieces(body: NonNullable<S3Response['body']>): body is readonly string[] {
  return Array.isArray(body);
}

/** What a stream pipeline reports when its destination closes early (the caller sees the hang-up). */
function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/** Resolves on 'drain', or on 'close' (a destroyed response drains no more). */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** `s3_read_leases_total` and `s3_reads_lost_to_gc_total` (see http/leased-read.ts). */
function createReadLeaseEvents(registry: Registry): ReadLeaseEvents {
  const leased = new Counter({ name: 's3_read_leases_total', help: 'Reads that ran long enough to lease their version against GC', registers: [registry] });
  const lost = new Counter({
    name: 's3_reads_lost_to_gc_total',
    help: 'Reads stopped because their (unlinked) version was collected before they could lease it; not corruption',
    registers: [registry],
  });
  return { leased: () => leased.inc(), lost: () => lost.inc() };
}
