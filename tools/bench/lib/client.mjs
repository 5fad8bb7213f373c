// A lean S3 client on node:http: keep-alive agents, SigV4 header signing, no retries, no XML library.
import http from 'node:http';
import { canonicalQuery, EMPTY_SHA256, uriEncode } from './sigv4.mjs';

export class BenchError extends Error {}
/** A correctness failure (wrong bytes, ETag, listing): fatal for the whole bench. */
export class MismatchError extends BenchError {}
/** An unexpected status or a transport failure: counted, reported, makes the bench exit non-zero. */
export class RequestError extends BenchError {
  constructor(message, status, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export class S3Http {
  constructor({ endpoint, signer }) {
    const url = new URL(endpoint);
    if (url.protocol !== 'http:') throw new Error(`only http:// endpoints are supported, got ${endpoint}`);
    this.hostname = url.hostname;
    this.port = Number(url.port || 80);
    this.host = url.host;
    this.signer = signer;
  }

  agent(concurrency) {
    return new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency, scheduling: 'lifo' });
  }

  static objectPath(bucket, key) {
    return `/${bucket}/${uriEncode(key, true)}`;
  }

  /**
   * One signed request. `body`: undefined, a Buffer, or `async (req) => void` writing a streamed body
   * (then `contentLength` is required). `onData(chunk)`: stream the response body instead of collecting it.
   * Resolves { status, headers, body?: Buffer, bytes } once the response has been read to its end.
   */
  request({ agent, method, path, query = '', body, payloadHash = EMPTY_SHA256, contentLength, headers: extra, onData }) {
    const headers = { host: this.host };
    if (extra) Object.assign(headers, extra);
    if (Buffer.isBuffer(body)) headers['content-length'] = body.length;
    else if (typeof body === 'function') headers['content-length'] = contentLength;
    else if (method === 'PUT' || method === 'POST') headers['content-length'] = 0;
    this.signer.sign(method, path, query, headers, payloadHash);
    return new Promise((resolve, reject) => {
      const req = http.request(
        { agent, hostname: this.hostname, port: this.port, method, path: query ? `${path}?${query}` : path, headers, setHost: false },
        (res) => {
          const chunks = onData ? null : [];
          let bytes = 0;
          res.on('data', (chunk) => {
            bytes += chunk.length;
            if (onData) onData(chunk);
            else chunks.push(chunk);
          });
          res.on('end', () => {
            resolve({
              status: res.statusCode,
              headers: res.headers,
              body: chunks ? (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) : undefined,
              bytes,
            });
          });
          res.on('error', reject);
          res.on('aborted', () => reject(new RequestError(`${method} ${path}: response aborted`)));
        },
      );
      req.on('error', reject);
      if (Buffer.isBuffer(body)) req.end(body);
      else if (typeof body === 'function') body(req).then(() => req.end(), (err) => req.destroy(err));
      else req.end();
    });
  }

  // --- the S3 operations the bench uses -------------------------------------------------------------

  async createBucket(agent, bucket) {
    const r = await this.request({ agent, method: 'PUT', path: `/${bucket}` });
    if (r.status !== 200 && !(r.status === 409 && /BucketAlreadyOwnedByYou/.test(r.body))) expectStatus(r, 200, `CreateBucket ${bucket}`);
  }

  async deleteBucket(agent, bucket) {
    const r = await this.request({ agent, method: 'DELETE', path: `/${bucket}` });
    expectStatus(r, 204, `DeleteBucket ${bucket}`);
  }

  listV2(agent, bucket, params) {
    return this.request({ agent, method: 'GET', path: `/${bucket}`, query: canonicalQuery({ 'list-type': 2, ...params }) });
  }

  async createMultipart(agent, bucket, key) {
    const r = await this.request({ agent, method: 'POST', path: S3Http.objectPath(bucket, key), query: 'uploads=' });
    expectStatus(r, 200, 'CreateMultipartUpload');
    const id = xmlText(r.body.toString(), 'UploadId');
    if (!id) throw new MismatchError(`CreateMultipartUpload: no UploadId in ${r.body}`);
    return id;
  }

  async completeMultipart(agent, bucket, key, uploadId, parts, payloadHashOf) {
    const xml = Buffer.from(
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        parts.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>"${p.etag}"</ETag></Part>`).join('') +
        '</CompleteMultipartUpload>',
    );
    const r = await this.request({
      agent,
      method: 'POST',
      path: S3Http.objectPath(bucket, key),
      query: canonicalQuery({ uploadId }),
      body: xml,
      payloadHash: payloadHashOf(xml),
      headers: { 'content-type': 'application/xml' },
    });
    expectStatus(r, 200, 'CompleteMultipartUpload');
    const text = r.body.toString();
    if (text.includes('<Error>')) throw new RequestError(`CompleteMultipartUpload failed: ${text}`, r.status, text);
    return unquote(xmlText(text, 'ETag'));
  }

  async abortMultipart(agent, bucket, key, uploadId) {
    return this.request({ agent, method: 'DELETE', path: S3Http.objectPath(bucket, key), query: canonicalQuery({ uploadId }) });
  }
}

export function expectStatus(r, status, what) {
  if (r.status !== status) {
    const body = r.body ? r.body.toString().slice(0, 500) : '';
    throw new RequestError(`${what}: HTTP ${r.status} (expected ${status}) ${body}`, r.status, body);
  }
}

export function xmlText(xml, tag, from = 0) {
  const open = xml.indexOf(`<${tag}>`, from);
  if (open < 0) return undefined;
  const close = xml.indexOf(`</${tag}>`, open);
  return xml.slice(open + tag.length + 2, close);
}

export const unquote = (s) => (s === undefined ? undefined : s.replace(/^"|"$/g, '').replace(/^&quot;|&quot;$/g, ''));
