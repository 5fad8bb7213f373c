// AWS SigV4 header signing for the load generator: the signing key is derived once per day (one HMAC
// chain), so each request costs one canonical request string, one SHA-256 and one HMAC.
import { createHash, createHmac } from 'node:crypto';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const EMPTY_SHA256 = createHash('sha256').digest('hex');
const SIGNED_HEADERS = 'host;x-amz-content-sha256;x-amz-date';

const hmac = (key, data) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it (uppercase hex, unreserved A-Za-z0-9-._~ left alone). */
export function uriEncode(value, keepSlash = false) {
  const enc = encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return keepSlash ? enc.replace(/%2F/g, '/') : enc;
}

/** A canonical query string (also usable as the request's query): encoded, sorted by name then value. */
export function canonicalQuery(params) {
  if (!params) return '';
  const pairs = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => [uriEncode(k), uriEncode(String(v))]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export class Signer {
  constructor({ accessKey, secretKey, region = 'us-east-1', service = 's3' }) {
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.region = region;
    this.service = service;
    this.keyDate = '';
    this.key = null;
    this.scope = '';
    this.credPrefix = '';
    this.second = -1;
    this.amzDate = '';
    this.keyDerivations = 0;
  }

  /** x-amz-date, recomputed at most once per second. */
  now() {
    const s = Math.floor(Date.now() / 1000);
    if (s !== this.second) {
      this.second = s;
      this.amzDate = new Date(s * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
      const day = this.amzDate.slice(0, 8);
      if (day !== this.keyDate) {
        this.keyDate = day;
        this.key = hmac(hmac(hmac(hmac(`AWS4${this.secretKey}`, day), this.region), this.service), 'aws4_request');
        this.scope = `${day}/${this.region}/${this.service}/aws4_request`;
        this.credPrefix = `AWS4-HMAC-SHA256 Credential=${this.accessKey}/${this.scope}, SignedHeaders=${SIGNED_HEADERS}, Signature=`;
        this.keyDerivations++;
      }
    }
    return this.amzDate;
  }

  /**
   * Signs in place: sets x-amz-date, x-amz-content-sha256 and authorization on `headers` (which must
   * already hold `host`). `path` is the encoded path, `query` a canonical query string (or '').
   */
  sign(method, path, query, headers, payloadHash) {
    const amzDate = this.now();
    headers['x-amz-date'] = amzDate;
    headers['x-amz-content-sha256'] = payloadHash;
    const canonical =
      `${method}\n${path}\n${query}\nhost:${headers.host}\nx-amz-content-sha256:${payloadHash}\nx-amz-date:${amzDate}\n\n` +
      `${SIGNED_HEADERS}\n${payloadHash}`;
    const digest = createHash('sha256').update(canonical, 'utf8').digest('hex');
    const sig = createHmac('sha256', this.key).update(`AWS4-HMAC-SHA256\n${amzDate}\n${this.scope}\n${digest}`, 'utf8').digest('hex');
    headers.authorization = this.credPrefix + sig;
    return headers;
  }
}
