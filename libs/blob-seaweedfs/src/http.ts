import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/**
 * A minimal HTTP/1.1 client over Node's `http` with pooled keep-alive sockets (one Agent per store,
 * pooling per host). Chosen by measurement (test/bench-http-clients.ts: 1 MiB PUT + GET against the
 * fake, 4 in flight, 5 runs on a shared 2-core box): node:http 220-297 MiB/s, axios 170-305, fetch
 * (Node 20's bundled undici) 122-232; node:http was fastest in 4 of 5 runs, needs no dependency, and
 * takes a body as a list of slices written with no concatenation (axios and fetch want one buffer or a
 * stream, and axios asks for gzip unless told not to). undici's own Pool API is not installed here.
 * Responses are buffered, which is bounded: a request here is one chunk (or a range of one), never an
 * object.
 */
export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  readonly headers?: Record<string, string>;
  readonly body?: readonly Buffer[];
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Refuse (as a network error) a response body larger than this. */
  readonly maxBody?: number;
}

/** Transport failures: the peer never answered properly. `kind` feeds the error metric. */
export class HttpTransportError extends Error {
  override readonly name = 'HttpTransportError';
  constructor(
    readonly kind: 'network' | 'timeout' | 'aborted' | 'too_large',
    message: string,
  ) {
    super(message);
  }
}

export function createAgent(maxSocketsPerHost: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: maxSocketsPerHost, maxFreeSockets: maxSocketsPerHost, scheduling: 'lifo' });
}

export function httpCall(agent: Agent, url: string, req: HttpRequest): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    if (req.signal?.aborted) {
      reject(new HttpTransportError('aborted', `request to ${url} aborted`));
      return;
    }
    let length = 0;
    for (const b of req.body ?? []) length += b.length;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body) headers['content-length'] = String(length);
    let settled = false;
    const fail = (e: HttpTransportError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      r.destroy();
      reject(e);
    };
    const r = httpRequest(url, { method: req.method, agent, headers });
    const timer = setTimeout(() => fail(new HttpTransportError('timeout', `${req.method} ${url} timed out after ${req.timeoutMs} ms`)), req.timeoutMs);
    const onAbort = (): void => fail(new HttpTransportError('aborted', `${req.method} ${url} aborted`));
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    };
    r.on('error', (e) => fail(new HttpTransportError('network', `${req.method} ${url}: ${e.message}`)));
    r.on('response', (res) => {
      const parts: Buffer[] = [];
      let got = 0;
      res.on('data', (b: Buffer) => {
        got += b.length;
        if (req.maxBody !== undefined && got > req.maxBody) {
          fail(new HttpTransportError('too_large', `${req.method} ${url}: response over ${req.maxBody} bytes`));
          return;
        }
        parts.push(b);
      });
      res.on('error', (e) => fail(new HttpTransportError('network', `${req.method} ${url}: ${e.message}`)));
      res.on('aborted', () => fail(new HttpTransportError('network', `${req.method} ${url}: response cut short`)));
      res.on('end', () => {
        if (settled) return;
        if (!res.complete) {
          fail(new HttpTransportError('network', `${req.method} ${url}: response cut short`));
          return;
        }
        settled = true;
        cleanup();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parts.length === 1 ? parts[0] : Buffer.concat(parts) });
      });
    });
    // One writev for the whole list of slices instead of a syscall per 64 KiB block and per CRC.
    r.cork();
    for (const b of req.body ?? []) r.write(b);
    r.end();
  });
}

export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** `{"error": "..."}` bodies (every SeaweedFS error), or the raw text. */
export function errorText(res: HttpResponse): string {
  const text = res.body.toString('utf8').slice(0, 500);
  try {
    const j: unknown = JSON.parse(text);
    if (typeof j === 'object' && j !== null && 'error' in j && typeof j.error === 'string') return j.error;
  } catch {
    // not JSON
  }
  return text || `HTTP ${res.status}`;
}

/** Parses a JSON body into an object, or undefined. */
export function jsonBody(res: HttpResponse): Record<string, unknown> | undefined {
  try {
    const j: unknown = JSON.parse(res.body.toString('utf8'));
    return typeof j === 'object' && j !== null && !Array.isArray(j) ? (j as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function retryAfterMs(res: HttpResponse, dflt: number): number {
  const v = Number(header(res, 'retry-after'));
  return Number.isFinite(v) && v >= 0 ? Math.min(v * 1000, 10_000) : dflt;
}
