import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Who may read `/-/metrics` on the S3 port (the admin port serves it to the pod network regardless). */
export interface MetricsAccess {
  /** `Authorization: Bearer <token>` lets a scraper in (MASSIVE_METRICS_TOKEN). */
  readonly token?: string;
  /** Anyone may read it (MASSIVE_METRICS_PUBLIC=true), as MinIO's `MINIO_PROMETHEUS_AUTH_TYPE=public`. */
  readonly public?: boolean;
}

export type MetricsVerdict = { allowed: true } | { allowed: false; status: 401 | 403; message: string };

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Decides a `/-/metrics` request: public, or the bearer token compared in constant time (both sides
 * hashed, so the token's length does not leak either). No credentials: 401 with a Bearer challenge;
 * wrong ones, or no token configured: 403.
 */
export function metricsGate(access: MetricsAccess | undefined): (headers: IncomingHttpHeaders) => MetricsVerdict {
  if (access?.public) return () => ({ allowed: true });
  const want = access?.token === undefined || access.token === '' ? undefined : sha256(`Bearer ${access.token}`);
  return (headers) => {
    const got = headers.authorization;
    if (want === undefined) return { allowed: false, status: 403, message: 'metrics on the S3 port are off: set MASSIVE_METRICS_TOKEN (scrapers send Authorization: Bearer <token>) or MASSIVE_METRICS_PUBLIC=true, or scrape the admin port' };
    if (got === undefined || got === '') return { allowed: false, status: 401, message: 'Authorization: Bearer <MASSIVE_METRICS_TOKEN> required' };
    return timingSafeEqual(sha256(got), want) ? { allowed: true } : { allowed: false, status: 403, message: 'wrong metrics token' };
  };
}
