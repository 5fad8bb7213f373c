import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { request, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import { CREDENTIALS, REGION, type GatewayProcess } from './server';

/** A `Checksum` for @smithy/signature-v4 on node:crypto (SHA-256, or HMAC-SHA-256 with a secret). */
export class NodeSha256 {
  private h: Hash | Hmac;
  private readonly secret?: string | Uint8Array;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret = secret === undefined || typeof secret === 'string' ? secret : toBytes(secret);
    this.h = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(typeof data === 'string' ? data : toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.fresh();
  }
}

function toBytes(d: ArrayBuffer | ArrayBufferView): Uint8Array {
  return d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly text: string;
}

export interface RawRequest {
  readonly method: string;
  /** Already percent-encoded path, starting with '/'. */
  readonly path: string;
  /** Query parameters (encoded by the signer and here the same way). */
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  /**
   * How to sign: 'signed' (x-amz-content-sha256 = hex SHA-256 of the body), 'unsigned'
   * (UNSIGNED-PAYLOAD), a fixed x-amz-content-sha256 value, or false for an anonymous request.
   */
  readonly sign?: 'signed' | 'unsigned' | { readonly contentSha256: string } | false;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Host header to send (default: the endpoint's host:port). */
  readonly host?: string;
  readonly signingDate?: Date;
}

function encodeQuery(q: Readonly<Record<string, string>>): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.entries(q)
    .map(([k, v]) => (v === '' ? enc(k) : `${enc(k)}=${enc(v)}`))
    .join('&');
}

/** Sends one HTTP request to the gateway, SigV4-signed by @smithy/signature-v4 (or not), exactly as given. */
export async function rawRequest(gw: GatewayProcess, r: RawRequest): Promise<RawResponse> {
  const url = new URL(gw.endpoint);
  const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
  const host = r.host ?? url.host;
  const headers: Record<string, string> = { host, ...(r.headers ?? {}) };
  if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
  const sign = r.sign ?? 'signed';
  if (sign !== false) {
    headers['x-amz-content-sha256'] =
      sign === 'signed' ? createHash('sha256').update(body ?? '').digest('hex') : sign === 'unsigned' ? 'UNSIGNED-PAYLOAD' : sign.contentSha256;
    const signer = new SignatureV4({
      service: 's3',
      region: REGION,
      credentials: r.credentials ?? CREDENTIALS,
      sha256: NodeSha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    const signed = await signer.sign(
      { method: r.method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: r.path, query: { ...(r.query ?? {}) }, headers },
      { signingDate: r.signingDate },
    );
    Object.assign(headers, signed.headers);
  }
  const qs = r.query && Object.keys(r.query).length ? `?${encodeQuery(r.query)}` : '';
  return send(url, r.method, r.path + qs, headers, body);
}

/** Sends a request to a full path+query exactly as given (presigned URLs, odd methods). */
export function send(
  base: URL,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<RawResponse> {
  return exchange(request({ host: '127.0.0.1', port: Number(base.port), method, path: pathAndQuery, headers, agent: false }), body);
}

/** The same over HTTPS to a full URL, trusting `ca` (the test CA of support/tls.ts). */
export function sendHttps(url: string, method: string, ca: Buffer, headers: Record<string, string> = {}, body?: Buffer): Promise<RawResponse> {
  return exchange(httpsRequest(url, { method, headers, ca, agent: false }), body);
}

/** Sends `body` on `req` and collects the whole response. */
function exchange(req: ClientRequest, body: Buffer | undefined): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, text: b.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
