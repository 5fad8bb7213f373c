// A lean S3 client: keep-alive connection pools (http1.mjs, not node:http: see there why), SigV4 header
// signing, no retries, no XML library.
import { Http1Pool } from './http1.mjs';
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

  /** A pool of up to `concurrency` keep-alive connections (`destroy()` closes them). */
  agent(concurrency) {
    return new Http1Pool({ host: this.hostname, port: this.port, maxSockets: concurrency });
  }

  static objectPath(bucket, key) {
    return `/${bucket}/${uriEncode(key, true)}`;
  }

  /**
   * One signed request. `body`: undefined, a Buffer, or `async (socket) => void` writing a streamed body
   * of `contentLength` bytes (minding write()'s return and 'drain'; never ending the socket).
   * `onData(view)`: stream the response body instead of collecting it; each view is valid only during
   * the call. Resolves { status, headers, body?: Buffer, bytes } once the response has been read to its
   * end; a transport failure rejects with a RequestError.
   */
  async request({ agent, method, path, query = '', body, payloadHash = EMPTY_SHA256, contentLength, headers: extra, onData }) {
    const headers = { host: this.host };
    if (extra) Object.assign(headers, extra);
    if (Buffer.isBuffer(body)) headers['content-length'] = body.length;
    else if (typeof body === 'function') headers['content-length'] = contentLength;
    else if (method === 'PUT' || method === 'POST') headers['content-length'] = 0;
    this.signer.sign(method, path, query, headers, payloadHash);
    let head = `${method} ${query ? `${path}?${query}` : path} HTTP/1.1\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    head += '\r\n';
    try {
      return await agent.request({ method, head, body, onData });
    } catch (err) {
      if (err instanceof BenchError) throw err;
      throw new RequestError(`${method} ${path}: ${err?.message ?? err}`);
    }
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

/** A ListObjectsV2 page: every `<Key>`, every `<CommonPrefixes><Prefix>`, whether it is truncated and the next token. */
export function parseListPage(xml) {
  const keys = [];
  const prefixes = [];
  for (let at = xml.indexOf('<Key>'); at >= 0; at = xml.indexOf('<Key>', at + 5)) keys.push(xml.slice(at + 5, xml.indexOf('</Key>', at)));
  const cp = '<CommonPrefixes><Prefix>';
  for (let at = xml.indexOf(cp); at >= 0; at = xml.indexOf(cp, at + cp.length)) prefixes.push(xml.slice(at + cp.length, xml.indexOf('</Prefix>', at)));
  return { keys, prefixes, truncated: xmlText(xml, 'IsTruncated') === 'true', nextToken: xmlText(xml, 'NextContinuationToken') };
}

export const unquote = (s) => (s === undefined ? undefined : s.replace(/^"|"$/g, '').replace(/^&quot;|&quot;$/g, ''));
