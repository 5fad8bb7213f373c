import { S3Error } from '../errors';
import { ROUTES, SUB_RESOURCES, type Endpoint, type RouteRule, type Target } from './endpoints';

export interface RouteInput {
  readonly method: string;
  /** The request path exactly as sent (still percent-encoded), without the query string. */
  readonly rawPath: string;
  /** Decoded query parameters. */
  readonly query: URLSearchParams;
  /** Lower-case header name → value. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface RoutingOptions {
  /**
   * Domains served in virtual-hosted style: `bucket.<domain>` names the bucket. Requests to the bare
   * domain, to an IP address or to any other host are path-style.
   */
  readonly vhostDomains?: readonly string[];
  /** Longest key in UTF-8 bytes (default S3's 1024); longer is KeyTooLongError. */
  readonly maxKeyBytes?: number;
}

export const MAX_KEY_BYTES = 1024;

/** KeyTooLongError when `key` is longer than `max` UTF-8 bytes, with AWS's Size and MaxSizeAllowed. */
export function checkKeyLength(key: string, max: number = MAX_KEY_BYTES): void {
  const size = Buffer.byteLength(key);
  if (size > max) throw new S3Error('KeyTooLongError', undefined, { Size: String(size), MaxSizeAllowed: String(max) });
}

/** Splits a request into bucket and key: virtual-hosted style first, then path style. Pure. */
export function locate(input: RouteInput, opts: RoutingOptions = {}): { bucket?: string; key?: string } {
  let path = input.rawPath;
  let bucket = virtualHostBucket(input.headers['host'], opts.vhostDomains);
  if (!path.startsWith('/')) throw new S3Error('InvalidURI');
  path = path.slice(1);
  if (bucket === undefined) {
    if (path === '') return {};
    const slash = path.indexOf('/');
    bucket = decode(slash < 0 ? path : path.slice(0, slash));
    path = slash < 0 ? '' : path.slice(slash + 1);
  }
  if (path === '') return { bucket };
  const key = decode(path);
  checkKeyLength(key, opts.maxKeyBytes);
  return { bucket, key };
}

/** The bucket a virtual-hosted-style Host names (`bucket.<domain>`), or undefined (path style). */
export function virtualHostBucket(hostHeader: string | string[] | undefined, vhostDomains: readonly string[] | undefined): string | undefined {
  const host = hostWithoutPort(hostHeader);
  if (!host || !vhostDomains) return undefined;
  for (const domain of vhostDomains) {
    if (host.length > domain.length + 1 && host.endsWith(domain) && host[host.length - domain.length - 1] === '.') return host.slice(0, host.length - domain.length - 1);
  }
  return undefined;
}

/** Maps a request to its Endpoint, or throws NotImplemented / MethodNotAllowed. */
export function parseEndpoint(input: RouteInput, opts: RoutingOptions = {}): Endpoint {
  const { bucket, key } = locate(input, opts);
  const target: Target = bucket === undefined ? 'service' : key === undefined ? 'bucket' : 'object';
  const method = input.method.toUpperCase();
  const rule = RULES_BY_METHOD.get(method)?.[target].find((r) => matches(r, input));
  const unserved = input.query.size === 0 ? undefined : [...input.query.keys()].find((q) => SUB_RESOURCES.has(q) && !rule?.query?.includes(q));
  if (unserved !== undefined) {
    if (bucket === undefined) throw new S3Error('NotImplemented');
    return { name: 'Unsupported', bucket, key, operation: `${method} ?${unserved}` };
  }
  if (!rule) {
    if (target === 'service') throw new S3Error('MethodNotAllowed');
    throw new S3Error('MethodNotAllowed', undefined, { Method: method, ResourceType: target.toUpperCase() });
  }
  switch (target) {
    case 'service':
      return { name: rule.name } as Endpoint;
    case 'bucket':
      return { name: rule.name, bucket } as Endpoint;
    case 'object': {
      const ep: Record<string, unknown> = { name: rule.name, bucket, key };
      if (rule.query?.includes('uploadId')) ep['uploadId'] = input.query.get('uploadId');
      if (rule.query?.includes('partNumber')) ep['partNumber'] = parsePartNumber(input.query.get('partNumber'));
      return ep as unknown as Endpoint;
    }
  }
}

/**
 * ROUTES by method and target, each list in ROUTES' order, so the first match is ROUTES' first match:
 * the scan of all of ROUTES (rules of a dozen shapes, so every property read was megamorphic) was
 * ~2% of a 4 KiB GET's instructions.
 */
const RULES_BY_METHOD: ReadonlyMap<string, Readonly<Record<Target, readonly RouteRule[]>>> = (() => {
  const byMethod = new Map<string, Record<Target, RouteRule[]>>();
  for (const r of ROUTES) {
    let byTarget = byMethod.get(r.method);
    if (byTarget === undefined) byMethod.set(r.method, (byTarget = { service: [], bucket: [], object: [] }));
    byTarget[r.target].push(r);
  }
  return byMethod;
})();

function matches(rule: RouteRule, input: RouteInput): boolean {
  if (rule.query && !rule.query.every((q) => input.query.has(q))) return false;
  if (rule.queryValue && input.query.get(rule.queryValue[0]) !== rule.queryValue[1]) return false;
  if (rule.header && input.headers[rule.header] === undefined) return false;
  if (rule.contentType && mediaType(input.headers['content-type']) !== rule.contentType) return false;
  return true;
}

/** `multipart/form-data; boundary=x` → `multipart/form-data` (lower case); undefined when absent. */
function mediaType(h: string | string[] | undefined): string | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  return v?.split(';')[0].trim().toLowerCase();
}

export function parsePartNumber(raw: string | null): number {
  const n = raw !== null && /^[0-9]{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 10000)) {
    throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
      ArgumentName: 'partNumber',
      ArgumentValue: raw ?? '',
    });
  }
  return n;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new S3Error('InvalidURI');
  }
}

function hostWithoutPort(h: string | string[] | undefined): string | undefined {
  const host = Array.isArray(h) ? h[0] : h;
  if (!host) return undefined;
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1).toLowerCase();
  const colon = host.lastIndexOf(':');
  return (colon >= 0 ? host.slice(0, colon) : host).toLowerCase();
}
