import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, type Registry } from 'prom-client';
import {
  buildAssumeRoleResponse,
  buildGetCallerIdentityResponse,
  buildGetSessionTokenResponse,
  buildStsError,
  isS3Error,
  SigningKeyCache,
  verifySigV4,
  virtualHostBucket,
} from '@massive/s3-protocol';
import type { Logger } from '@massive/observability';
import { requestAccessKeyId, sessionTokenOf } from '../http/auth';
import { RequestCtx } from '../http/request-ctx';
import { sessionLookup, type SessionClaims } from '../identity/session-tokens';
import type { Credential, S3ApiDeps } from '../types';

/**
 * The STS query API on the S3 port, for temporary credentials (as MinIO serves it): `POST /` with a
 * form body (`Action=AssumeRole&Version=2011-06-15&…`), or `GET /?Action=…`, SigV4-signed for the `sts`
 * service, which is how `aws sts …`, the SDKs' STS clients and credential providers call it with an
 * endpoint override.
 *
 * - `AssumeRole` and `GetSessionToken` hand out an access key id, a secret and a session token that
 *   expire (session-tokens.ts). The session acts as the key that asked for it: there are no IAM roles
 *   here, so the RoleArn is only checked for form and named back (`assumed-role/<name>/<session>`).
 *   Session policies, tags, MFA and source identities are refused (ValidationError), never ignored:
 *   a policy that seemed to narrow a session would not.
 * - `GetCallerIdentity` says who signed: the root key, a key (`user/<name>`), or a session.
 * - Temporary credentials may call GetCallerIdentity only: a session does not mint sessions, so none
 *   outlives the long-term key's decision to make it.
 *
 * Errors are STS's `<ErrorResponse>` documents, with STS's codes.
 */
export const STS_VERSION = '2011-06-15';
/** The account every ARN names (this service has one). */
export const ACCOUNT_ID = '000000000000';
const MAX_BODY_BYTES = 64 * 1024;
const ASSUME_ROLE_DURATION = { min: 900, max: 43_200, def: 3_600 };
const SESSION_TOKEN_DURATION = { min: 900, max: 129_600, def: 43_200 };
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** Parameters of features not offered here: refused, since ignoring one would quietly weaken what the caller asked for. */
const REFUSED_PARAMETERS = ['Policy', 'PolicyArns.', 'Tags.', 'TransitiveTagKeys.', 'SerialNumber', 'TokenCode', 'SourceIdentity', 'ProvidedContexts.'];

export class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const invalid = (message: string): StsError => new StsError('ValidationError', message, 400);

export interface StsApi {
  /** Whether a request to the S3 port is an STS call (only `/` on the service host; never a bucket's). */
  matches(req: IncomingMessage, rawPath: string, rawQuery: string): boolean;
  answer(req: IncomingMessage, res: ServerResponse, rawQuery: string, requestId: string): Promise<void>;
}

export function createStsApi(deps: S3ApiDeps, registry: Registry, logger: Logger): StsApi | undefined {
  if (!deps.sessions) return undefined;
  const sessions = deps.sessions;
  const requests = new Counter({
    name: 's3_sts_requests_total',
    help: 'STS API calls on the S3 port (temporary credentials), by action and result (ok, or the STS error code)',
    labelNames: ['action', 'result'],
    registers: [registry],
  });
  const keyCache = new SigningKeyCache();

  async function answer(req: IncomingMessage, res: ServerResponse, rawQuery: string, requestId: string): Promise<void> {
    let action = 'Unknown';
    try {
      const body = req.method === 'POST' ? await readBody(req, deps.config.bodyIdleTimeoutMs) : Buffer.alloc(0);
      const params = new URLSearchParams(rawQuery);
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
      action = knownAction(params.get('Action'));
      const caller = await authenticate(req, res, rawQuery, createHash('sha256').update(body).digest('hex'), requestId);
      const version = params.get('Version');
      if (version !== STS_VERSION) throw new StsError('InvalidAction', `Could not find operation ${params.get('Action') ?? ''} for version ${version ?? 'NO_VERSION_SPECIFIED'}`, 400);
      const xml = run(action, params, caller, requestId);
      requests.inc({ action, result: 'ok' });
      send(res, 200, xml, requestId);
    } catch (e) {
      const err = toStsError(e);
      if (err.status >= 500) logger.error('sts request failed', { requestId, action, err: e });
      requests.inc({ action, result: err.code });
      send(res, err.status, buildStsError(err.code, err.message, requestId, err.status >= 500 ? 'Receiver' : 'Sender'), requestId);
      if (!req.complete) req.resume();
    }
  }

  async function authenticate(req: IncomingMessage, res: ServerResponse, rawQuery: string, bodySha256: string, requestId: string): Promise<Caller> {
    // InvalidToken and ExpiredToken become STS's codes in toStsError.
    const token = sessionTokenOf(req.headers['x-amz-security-token'], rawQuery);
    const session = token !== undefined ? sessions.open(token) : undefined;
    const named = session?.parentAccessKeyId ?? requestAccessKeyId(req.headers.authorization, rawQuery);
    if (named !== undefined) await deps.credentials.prepare?.(named, new RequestCtx(res, requestId));
    const lookup = session ? sessionLookup(session) : { lookup: (akid: string) => deps.credentials.lookup(akid)?.secretKey };
    // Any region: STS is global (the CLI and SDKs sign for us-east-1 unless told otherwise), and the
    // signature covers whichever the client chose.
    const auth = verifySigV4({ method: req.method ?? 'GET', rawPath: '/', rawQuery, headers: req.rawHeaders }, lookup, {
      maxSkewMs: deps.config.maxSkewMs,
      keyCache,
      service: 'sts',
      bodySha256,
    });
    if (auth.kind === 'anonymous') throw new StsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    const credential = deps.credentials.lookup(session ? session.parentAccessKeyId : auth.accessKeyId);
    if (!credential) throw new StsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    return { accessKeyId: auth.accessKeyId, credential, ...(session && { session }) };
  }

  function run(action: string, params: URLSearchParams, caller: Caller, requestId: string): string {
    if (action === 'GetCallerIdentity') return buildGetCallerIdentityResponse(identityOf(caller), requestId);
    if (action !== 'AssumeRole' && action !== 'GetSessionToken') throw new StsError('InvalidAction', `Could not find operation ${params.get('Action') ?? ''} for version ${STS_VERSION}`, 400);
    if (caller.session) throw new StsError('AccessDenied', `Temporary credentials cannot call ${action} on this service: use a long-term access key.`, 403);
    for (const name of params.keys()) {
      if (REFUSED_PARAMETERS.some((p) => (p.endsWith('.') ? name.startsWith(p) : name === p))) {
        throw invalid(`The ${name} parameter is not supported by this service: its sessions act exactly as the key that asks for them.`);
      }
    }
    const now = Date.now();
    if (action === 'GetSessionToken') {
      const seconds = duration(params.get('DurationSeconds'), SESSION_TOKEN_DURATION);
      const s = sessions.issue(caller.accessKeyId, now + seconds * 1000);
      logger.info('sts session issued', { requestId, action, parent: caller.accessKeyId, accessKeyId: s.accessKeyId, expiresAt: new Date(s.expiresAt).toISOString() });
      return buildGetSessionTokenResponse(credentialsOf(s), requestId);
    }
    const roleArn = params.get('RoleArn');
    if (roleArn === null || roleArn === '') throw new StsError('MissingParameter', 'The request must contain the parameter RoleArn', 400);
    if (roleArn.length < 20 || roleArn.length > 2048 || !roleArn.startsWith('arn:')) {
      throw invalid(`1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must be an ARN of 20 to 2048 characters`);
    }
    const sessionName = params.get('RoleSessionName');
    if (sessionName === null || sessionName === '') throw new StsError('MissingParameter', 'The request must contain the parameter RoleSessionName', 400);
    if (!SESSION_NAME.test(sessionName)) {
      throw invalid(`1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*, with a length of 2 to 64`);
    }
    const seconds = duration(params.get('DurationSeconds'), ASSUME_ROLE_DURATION);
    const s = sessions.issue(caller.accessKeyId, now + seconds * 1000, { roleArn, sessionName });
    logger.info('sts session issued', { requestId, action, parent: caller.accessKeyId, accessKeyId: s.accessKeyId, roleArn, sessionName, expiresAt: new Date(s.expiresAt).toISOString() });
    return buildAssumeRoleResponse(credentialsOf(s), assumedRoleUser(caller.accessKeyId, roleArn, sessionName), requestId);
  }

  function matches(req: IncomingMessage, rawPath: string, rawQuery: string): boolean {
    if (rawPath !== '/') return false;
    if (req.method === 'POST') {
      if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) return false;
    } else if (req.method !== 'GET' || !/(?:^|&)Action=/.test(rawQuery)) {
      return false;
    }
    // `/` on a bucket's virtual host is that bucket (ListObjects, a form POST), never STS.
    return virtualHostBucket(req.headers.host, deps.config.vhostDomains) === undefined;
  }

  return { matches, answer };
}

interface Caller {
  readonly accessKeyId: string;
  readonly credential: Credential;
  readonly session?: SessionClaims;
}

function knownAction(action: string | null): string {
  return action === 'AssumeRole' || action === 'GetSessionToken' || action === 'GetCallerIdentity' ? action : 'Unknown';
}

function duration(raw: string | null, limits: { readonly min: number; readonly max: number; readonly def: number }): number {
  if (raw === null) return limits.def;
  const n = /^\d{1,7}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= limits.min && n <= limits.max)) {
    throw invalid(`1 validation error detected: Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must have value between ${limits.min} and ${limits.max}`);
  }
  return n;
}

function credentialsOf(s: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiresAt: number }) {
  return { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiration: new Date(Math.floor(s.expiresAt / 1000) * 1000) };
}

function roleNameOf(roleArn: string): string {
  const tail = roleArn.slice(roleArn.lastIndexOf(':') + 1);
  return tail.slice(tail.lastIndexOf('/') + 1) || tail;
}

function assumedRoleUser(parent: string, roleArn: string, sessionName: string): { arn: string; assumedRoleId: string } {
  return { arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleNameOf(roleArn)}/${sessionName}`, assumedRoleId: `${parent}:${sessionName}` };
}

/** The caller as GetCallerIdentity names it: a session by its role (GetSessionToken's sessions are their key), a key by its name. */
function identityOf(caller: Caller): { arn: string; userId: string; account: string } {
  const s = caller.session;
  if (s?.roleArn !== undefined && s.sessionName !== undefined) {
    const user = assumedRoleUser(s.parentAccessKeyId, s.roleArn, s.sessionName);
    return { arn: user.arn, userId: user.assumedRoleId, account: ACCOUNT_ID };
  }
  const keyId = s?.parentAccessKeyId ?? caller.accessKeyId;
  if (!caller.credential.scope) return { arn: `arn:aws:iam::${ACCOUNT_ID}:root`, userId: ACCOUNT_ID, account: ACCOUNT_ID };
  return { arn: `arn:aws:iam::${ACCOUNT_ID}:user/${caller.credential.owner.displayName}`, userId: keyId, account: ACCOUNT_ID };
}

/** The form body, at most MAX_BODY_BYTES, with no pause longer than `idleMs` between its pieces (as S3 bodies). */
function readBody(req: IncomingMessage, idleMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        req.removeAllListeners('data');
        req.destroy();
        reject(new StsError('RequestTimeout', `The request body was not received within ${idleMs} ms.`, 400));
      }, idleMs);
    };
    arm();
    req.on('data', (piece: Buffer) => {
      arm();
      size += piece.length;
      if (size > MAX_BODY_BYTES) {
        clearTimeout(timer);
        req.removeAllListeners('data');
        reject(invalid(`The request body is larger than ${MAX_BODY_BYTES} bytes.`));
        return;
      }
      pieces.push(piece);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(pieces));
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** The STS error for what a request ran into (S3Errors come from the shared SigV4 verifier and session tokens). */
export function toStsError(e: unknown): StsError {
  if (e instanceof StsError) return e;
  if (isS3Error(e)) {
    switch (e.code) {
      case 'InvalidAccessKeyId':
      case 'InvalidToken':
        return new StsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      case 'ExpiredToken':
        return new StsError('ExpiredToken', 'The security token included in the request is expired', 400);
      case 'SignatureDoesNotMatch':
        return new StsError(
          'SignatureDoesNotMatch',
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
          403,
        );
      case 'RequestTimeTooSkewed':
      case 'AccessDenied':
        return new StsError('SignatureDoesNotMatch', e.message, 403);
      default:
        if (e.status < 500) return new StsError('IncompleteSignature', e.message, 400);
    }
  }
  return new StsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
}

function send(res: ServerResponse, status: number, xml: string, requestId: string): void {
  const body = Buffer.from(xml, 'utf8');
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': body.length, 'x-amzn-requestid': requestId, 'x-amz-request-id': requestId });
  res.end(body);
}
