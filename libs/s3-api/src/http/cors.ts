import type { IncomingHttpHeaders } from 'node:http';
import type { CallCtx } from '@massive/contracts';
import {
  CORS_VARY,
  corsResponseHeaders,
  isCorsMethod,
  locate,
  matchCorsRule,
  parseRequestHeaderList,
  S3Error,
  type CorsRule,
} from '@massive/s3-protocol';
import { header } from './object-headers';
import type { S3ApiDeps, S3Response } from '../types';

const NO_QUERY = new URLSearchParams();

/**
 * A CORS preflight (`OPTIONS` on a bucket or object path), answered from the bucket's rules without
 * SigV4: browsers never sign preflights. Not a valid preflight (no Origin, no or an unknown
 * Access-Control-Request-Method) is 400; no rule allowing it, or no rules at all, 403 AccessForbidden.
 * A bucket that does not exist answers as one without rules, so a preflight does not reveal which exist.
 */
export async function answerPreflight(h: IncomingHttpHeaders, rawPath: string, deps: S3ApiDeps, ctx: CallCtx): Promise<S3Response> {
  const { bucket, key } = locate({ method: 'OPTIONS', rawPath, query: NO_QUERY, headers: h }, deps.config);
  // The service itself has no CORS rules: OPTIONS there is a method it does not serve.
  if (bucket === undefined) throw new S3Error('MethodNotAllowed');
  const origin = header(h, 'origin');
  if (origin === undefined || origin === '') throw new S3Error('BadRequest');
  const method = header(h, 'access-control-request-method');
  if (method === undefined || !isCorsMethod(method)) throw new S3Error('BadRequest', `Invalid Access-Control-Request-Method: ${method ?? 'null'}`);
  const rules = deps.corsRules ? await deps.corsRules.rules(bucket, ctx) : undefined;
  if (!rules || rules.length === 0) throw new S3Error('AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.');
  const requested = parseRequestHeaderList(header(h, 'access-control-request-headers'));
  const rule = matchCorsRule(rules, origin, method, requested);
  if (!rule) throw new S3Error('AccessForbidden', undefined, { Method: method, ResourceType: key === undefined ? 'BUCKET' : 'OBJECT' });
  return { status: 200, headers: { ...corsResponseHeaders(rule, origin, requested), 'Content-Length': 0 } };
}

/**
 * The CORS headers of an actual (non-preflight) response to a request carrying `Origin`, success or error:
 * the first rule allowing the origin and the method, as S3 answers. `Vary` is sent whenever the bucket has
 * rules, so a shared cache never serves one origin's answer to another.
 */
export function actualCorsHeaders(rules: readonly CorsRule[] | undefined, origin: string, method: string): Record<string, string> {
  if (!rules || rules.length === 0) return {};
  const rule = matchCorsRule(rules, origin, method);
  return rule ? corsResponseHeaders(rule, origin) : { Vary: CORS_VARY };
}

/**
 * Starts the rules lookup for a request with `Origin` (none for others: they pay nothing), in parallel with
 * the request itself. A failed lookup means no CORS headers, never a failed request.
 */
export function lookupCors(h: IncomingHttpHeaders, bucket: string | undefined, method: string, deps: S3ApiDeps, ctx: CallCtx): Promise<Record<string, string>> | undefined {
  const origin = header(h, 'origin');
  if (origin === undefined || bucket === undefined || !deps.corsRules) return undefined;
  return deps.corsRules.rules(bucket, ctx).then(
    (rules) => actualCorsHeaders(rules, origin, method),
    () => ({}),
  );
}
