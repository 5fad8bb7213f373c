import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { CREDS, METRICS_AUTH } from './local-server';

/** SigV4 headers for a request to `url` (unsigned payload unless `payloadSha256` is given). */
export async function signedHeaders(method: string, url: URL, headers: Record<string, string> = {}, payloadSha256 = 'UNSIGNED-PAYLOAD'): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: CREDS, sha256: Sha256, uriEscapePath: false });
  const query = Object.fromEntries(url.searchParams);
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query,
    headers: { host: url.host, 'x-amz-content-sha256': payloadSha256, ...headers },
  });
  return signed.headers as Record<string, string>;
}

/** Request head bytes exactly as given (no header added). */
export function requestHead(method: string, path: string, headers: Record<string, string>): string {
  return `${method} ${path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

export interface RawReply {
  /** Everything the server sent until it closed the connection or `waitMs` passed. */
  readonly text: string;
  readonly status: number;
  /** Whether the server closed the connection within the wait. */
  readonly closed: boolean;
  readonly ms: number;
}

/**
 * Opens a socket, lets `drive` write to it, and collects what comes back: until the first response is
 * complete (by its Content-Length), or with `untilClose` until the server closes; `waitMs` at most.
 */
export function rawExchange(port: number, drive: (s: Socket) => void, waitMs: number, opts: { untilClose?: boolean } = {}): Promise<RawReply> {
  return new Promise((resolve) => {
    const started = Date.now();
    const s = connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ text, status: m ? Number(m[1]) : 0, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    s.on('data', (d) => {
      text += d.toString('latin1');
      if (!opts.untilClose && responseComplete(text)) finish(false);
    });
    s.on('close', () => finish(true));
    s.on('error', () => undefined);
    s.on('connect', () => drive(s));
  });
}

function responseComplete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const m = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
  return m !== null && text.length - end - 4 >= Number(m[1]);
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** A signed request over its own connection; `body` is sent whole (with its Content-Length). */
export async function signedRequest(endpoint: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<Reply> {
  const url = new URL(endpoint + path);
  const headers = await signedHeaders(method, url, { ...(opts.body ? { 'content-length': String(opts.body.length) } : {}), ...opts.headers });
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function rssPeakMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export function rssNowMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** A metric's value from the Prometheus text (`name{labels}` exactly as printed), 0 when absent. */
export async function metric(endpoint: string, series: string): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    request(`${endpoint}/-/metrics`, { agent: false, headers: METRICS_AUTH }, (res) => {
      let t = '';
      res.on('data', (d) => (t += d));
      res.on('end', () => resolve(t));
    })
      .on('error', reject)
      .end();
  });
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.split(' ').pop());
  }
  return 0;
}
