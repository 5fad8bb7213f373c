/**
 * A bucket's CORS rules and how S3 evaluates them (AWS "How Amazon S3 evaluates the CORS configuration"):
 * the first rule that allows the origin, the method and every requested header wins. Pure: no I/O.
 */
export const CORS_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const;
export type CorsMethod = (typeof CORS_METHODS)[number];

export interface CorsRule {
  readonly id?: string;
  /** Origins, each with at most one `*` wildcard (matching any run of characters). */
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly CorsMethod[];
  /** Request headers a preflight may ask for, lower-cased, each with at most one `*`. */
  readonly allowedHeaders: readonly string[];
  /** Response headers the browser may show the page (no wildcard, as S3). */
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}

export function isCorsMethod(m: string): m is CorsMethod {
  return (CORS_METHODS as readonly string[]).includes(m);
}

/** `*`-pattern match: `*` stands for any run of characters (possibly empty); at most one is allowed. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

/** Splits `Access-Control-Request-Headers` (`a, B ,c`) into lower-case names. */
export function parseRequestHeaderList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

/**
 * The first rule allowing `origin` with `method` and every one of `requestHeaders` (lower-case), or undefined.
 * Origins compare case-sensitively, as S3 does; header names case-insensitively.
 */
export function matchCorsRule(rules: readonly CorsRule[], origin: string, method: string, requestHeaders: readonly string[] = []): CorsRule | undefined {
  return rules.find(
    (r) =>
      r.allowedMethods.includes(method as CorsMethod) &&
      r.allowedOrigins.some((o) => wildcardMatch(o, origin)) &&
      requestHeaders.every((h) => r.allowedHeaders.some((p) => wildcardMatch(p, h))),
  );
}

/** The request headers S3 varies CORS answers on; sent whenever a bucket has CORS rules and the request an Origin. */
export const CORS_VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

/**
 * Response headers for a request allowed by `rule`. A rule allowing every origin (`*`) answers `*` and no
 * credentials; otherwise the origin is echoed with `Access-Control-Allow-Credentials: true`, as S3 does.
 * `requestHeaders` are echoed only on a preflight.
 */
export function corsResponseHeaders(rule: CorsRule, origin: string, requestHeaders: readonly string[] = []): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  const out: Record<string, string> = {
    'Access-Control-Allow-Origin': anyOrigin ? '*' : origin,
    'Access-Control-Allow-Methods': rule.allowedMethods.join(', '),
    Vary: CORS_VARY,
  };
  if (!anyOrigin) out['Access-Control-Allow-Credentials'] = 'true';
  if (requestHeaders.length > 0) out['Access-Control-Allow-Headers'] = requestHeaders.join(', ');
  if (rule.exposeHeaders.length > 0) out['Access-Control-Expose-Headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) out['Access-Control-Max-Age'] = String(rule.maxAgeSeconds);
  return out;
}
