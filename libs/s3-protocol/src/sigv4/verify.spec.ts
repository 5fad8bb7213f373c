import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { SigningKeyCache } from './signing-key';
import type { RawHeaders } from './headers';
import { verifySigV4, type AuthResult, type SigV4Request as AnySigV4Request, type SignedAuth } from './verify';

/** The specs build requests with header objects (what they tamper with); the gateway passes rawHeaders. */
type SigV4Request = Omit<AnySigV4Request, 'headers'> & { readonly headers: RawHeaders };

const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const credentials = { lookup: (id: string) => (id === AKID ? SECRET : undefined) };
const DOC_NOW = new Date('2013-05-24T00:01:00Z');
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function signed(result: AuthResult): SignedAuth {
  if (result.kind === 'anonymous') throw new Error('expected a signed request');
  return result;
}
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'accepted';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};

describe('verifySigV4: AWS S3 documentation examples', () => {
  it('accepts GET Object with a Range header', () => {
    const result = signed(
      verifySigV4(
        {
          method: 'GET',
          rawPath: '/test.txt',
          rawQuery: '',
          headers: {
            Host: 'examplebucket.s3.amazonaws.com',
            Range: 'bytes=0-9',
            'x-amz-content-sha256': EMPTY,
            'x-amz-date': '20130524T000000Z',
            Authorization: `AWS4-HMAC-SHA256 Credential=${AKID}/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41`,
          },
        },
        credentials,
        { now: DOC_NOW, region: 'us-east-1' },
      ),
    );
    expect(result).toMatchObject({ kind: 'header', accessKeyId: AKID, payloadMode: 'sha256', payloadSha256: EMPTY });
    expect(result.signing).toMatchObject({ seedSignature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41', scope: '20130524/us-east-1/s3/aws4_request', datetime: '20130524T000000Z' });
  });

  it('accepts PUT Object with Date and x-amz-date', () => {
    const result = signed(
      verifySigV4(
        {
          method: 'PUT',
          rawPath: '/test%24file.text',
          rawQuery: '',
          headers: {
            host: 'examplebucket.s3.amazonaws.com',
            date: 'Fri, 24 May 2013 00:00:00 GMT',
            'x-amz-date': '20130524T000000Z',
            'x-amz-storage-class': 'REDUCED_REDUNDANCY',
            'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
            authorization: `AWS4-HMAC-SHA256 Credential=${AKID}/20130524/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd`,
          },
        },
        credentials,
        { now: DOC_NOW },
      ),
    );
    expect(result.payloadSha256).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
  });

  it('accepts the presigned GET example', () => {
    const rawQuery =
      `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${AKID}%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z` +
      '&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    const req = { method: 'GET', rawPath: '/test.txt', rawQuery, headers: { host: 'examplebucket.s3.amazonaws.com' } };
    const result = signed(verifySigV4(req, credentials, { now: new Date('2013-05-24T12:00:00Z') }));
    expect(result).toMatchObject({ kind: 'presigned', payloadMode: 'unsigned', expiresAt: new Date('2013-05-25T00:00:00Z') });
    expect(codeOf(() => verifySigV4(req, credentials, { now: new Date('2013-05-25T00:00:01Z') }))).toBe('AccessDenied');
    expect(codeOf(() => verifySigV4({ ...req, rawQuery: rawQuery.replace('86400', '86401') }, credentials, { now: DOC_NOW }))).toBe('SignatureDoesNotMatch');
  });
});

// Round trips: @smithy/signature-v4 signs as the AWS SDK does for S3 (no double encoding, no normalisation).
const NOW = new Date('2024-03-10T12:00:00Z');
const signer = new SignatureV4({ service: 's3', region: 'eu-west-1', credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const keyPath = (bucket: string, key: string) => `/${bucket}/${key.split('/').map(escape).join('/')}`;
const rawQueryOf = (query: Record<string, string>) =>
  Object.entries(query)
    .map(([k, v]) => `${escape(k)}=${escape(v)}`)
    .join('&');

async function sign(method: string, path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<SigV4Request> {
  const request: HttpRequest = { method, protocol: 'http:', hostname: 'localhost', port: 9000, path, query, headers: { host: 'localhost:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers } };
  const out = await signer.sign(request, { signingDate: NOW });
  return { method, rawPath: out.path, rawQuery: rawQueryOf(out.query as Record<string, string>), headers: out.headers };
}

async function presign(method: string, path: string, query: Record<string, string> = {}, expiresIn = 3600): Promise<SigV4Request> {
  const request: HttpRequest = { method, protocol: 'http:', hostname: 'localhost', port: 9000, path, query, headers: { host: 'localhost:9000', 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' } };
  const out = await signer.presign(request, { signingDate: NOW, expiresIn });
  return { method, rawPath: out.path, rawQuery: rawQueryOf(out.query as Record<string, string>), headers: out.headers };
}

const ODD_KEYS = ['plain.txt', 'a b', 'ü/ñ/日本語.txt', 'a+b', '~tilde', 'x//y', '../x', './a/../b', "it's (1)*!.txt", '%41%2F', 'emoji 😀', ' lead', 'trail/', '=&?#', 'back\\slash', 'a;b,c:d@e$f'];
const opts = { now: NOW, region: 'eu-west-1' };

describe('verifySigV4: round trips with @smithy/signature-v4', () => {
  it.each(ODD_KEYS)('header auth accepts key %j', async (key) => {
    const req = await sign('PUT', keyPath('bucket', key), {}, { 'x-amz-meta-note': '  spaced   out ', 'content-type': 'text/plain' });
    expect(signed(verifySigV4(req, credentials, opts))).toMatchObject({ kind: 'header', accessKeyId: AKID, payloadMode: 'unsigned' });
  });

  it.each(ODD_KEYS)('header auth accepts key %j given as a rawHeaders list, and finds tampering there too', async (key) => {
    const req = await sign('PUT', keyPath('bucket', key), {}, { 'x-amz-meta-note': '  spaced   out ', 'content-type': 'text/plain' });
    // Names as a client may have cased them on the wire: Node keeps rawHeaders' names as sent.
    const list = (headers: RawHeaders): string[] =>
      Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [name.replace(/(^|-)[a-z]/g, (c) => c.toUpperCase()), String(value)]));
    const raw = { ...req, headers: list(req.headers) };
    expect(signed(verifySigV4(raw, credentials, opts))).toMatchObject({ kind: 'header', accessKeyId: AKID, payloadMode: 'unsigned' });
    const tampered = { ...req, headers: list({ ...req.headers, 'content-type': 'text/html' }) };
    expect(codeOf(() => verifySigV4(tampered, credentials, opts))).toBe('SignatureDoesNotMatch');
    const unsigned = { ...req, headers: [...list(req.headers), 'X-Amz-Meta-Extra', '1'] };
    expect(codeOf(() => verifySigV4(unsigned, credentials, opts))).toBe('AccessDenied');
  });

  it.each(ODD_KEYS)('presigned accepts key %j', async (key) => {
    const req = await presign('GET', keyPath('bucket', key), { 'response-content-type': 'text/plain; charset=utf-8' });
    expect(signed(verifySigV4(req, credentials, opts))).toMatchObject({ kind: 'presigned', payloadMode: 'unsigned' });
  });

  it('accepts UTF-8 header values as they arrive off the wire (Node decodes header bytes as latin1)', async () => {
    const req = await sign('PUT', '/bucket/k', {}, { 'x-amz-meta-name': 'héllo wörld ✓' });
    const wire = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Buffer.from(String(v), 'utf8').toString('latin1')]));
    expect(codeOf(() => verifySigV4({ ...req, headers: wire }, credentials, opts))).toBe('accepted');
    const tampered = { ...wire, 'x-amz-meta-name': Buffer.from('héllo wörld !', 'utf8').toString('latin1') };
    expect(codeOf(() => verifySigV4({ ...req, headers: tampered }, credentials, opts))).toBe('SignatureDoesNotMatch');
  });

  it('accepts odd query strings and empty values', async () => {
    const req = await sign('GET', '/bucket', { 'list-type': '2', prefix: 'a b/ü+~', delimiter: '/', 'continuation-token': 'x+y=/z', 'fetch-owner': '' });
    expect(codeOf(() => verifySigV4(req, credentials, opts))).toBe('accepted');
    const acl = await sign('GET', '/bucket/key', { acl: '' });
    expect(codeOf(() => verifySigV4({ ...acl, rawQuery: 'acl' }, credentials, opts))).toBe('accepted');
  });

  it('treats a literal + in the path as %2B and does not decode an encoded slash', async () => {
    const req = await sign('GET', '/bucket/a%2Bb');
    expect(codeOf(() => verifySigV4({ ...req, rawPath: '/bucket/a+b' }, credentials, opts))).toBe('accepted');
    const slash = await sign('GET', '/bucket/a%2Fb');
    expect(codeOf(() => verifySigV4({ ...slash, rawPath: '/bucket/a/b' }, credentials, opts))).toBe('SignatureDoesNotMatch');
  });

  it('uses the signing key cache', async () => {
    const keyCache = new SigningKeyCache();
    const req = await sign('GET', '/bucket/key');
    verifySigV4(req, credentials, { ...opts, keyCache });
    verifySigV4(req, credentials, { ...opts, keyCache });
    expect(keyCache.size).toBe(1);
  });
});

describe('verifySigV4: tampering', () => {
  const tamper = async (change: (r: SigV4Request) => SigV4Request, o: object = {}) => codeOf(() => verifySigV4(change(base), credentials, { ...opts, ...o }));
  let base: SigV4Request;
  beforeAll(async () => {
    base = await sign('PUT', '/bucket/photos/cat.jpg', { tagging: '' }, { 'x-amz-meta-owner': 'alice', 'content-type': 'image/jpeg' });
  });
  const withHeader = (r: SigV4Request, name: string, value: string | undefined): SigV4Request => ({ ...r, headers: { ...r.headers, [name]: value } });

  it('accepts the untouched request', async () => {
    expect(await tamper((r) => r)).toBe('accepted');
  });

  it.each<[string, (r: SigV4Request) => SigV4Request, string]>([
    ['method', (r) => ({ ...r, method: 'POST' }), 'SignatureDoesNotMatch'],
    ['path', (r) => ({ ...r, rawPath: '/bucket/photos/dog.jpg' }), 'SignatureDoesNotMatch'],
    ['path normalised', (r) => ({ ...r, rawPath: '/bucket/photos/./cat.jpg' }), 'SignatureDoesNotMatch'],
    ['query value', (r) => ({ ...r, rawQuery: 'tagging=x' }), 'SignatureDoesNotMatch'],
    ['query added', (r) => ({ ...r, rawQuery: 'tagging=&versionId=1' }), 'SignatureDoesNotMatch'],
    ['signed header', (r) => withHeader(r, 'x-amz-meta-owner', 'mallory'), 'SignatureDoesNotMatch'],
    ['content type', (r) => withHeader(r, 'content-type', 'text/html'), 'SignatureDoesNotMatch'],
    ['body hash', (r) => withHeader(r, 'x-amz-content-sha256', EMPTY), 'SignatureDoesNotMatch'],
    ['date within skew', (r) => withHeader(r, 'x-amz-date', '20240310T120100Z'), 'SignatureDoesNotMatch'],
    ['date of another day', (r) => withHeader(r, 'x-amz-date', '20240311T000100Z'), 'AuthorizationHeaderMalformed'],
    ['unsigned x-amz header added', (r) => withHeader(r, 'x-amz-meta-extra', '1'), 'AccessDenied'],
    ['signed header removed', (r) => withHeader(r, 'content-type', undefined), 'SignatureDoesNotMatch'],
    ['content sha missing', (r) => withHeader(r, 'x-amz-content-sha256', undefined), 'InvalidRequest'],
    ['content sha invalid', (r) => withHeader(r, 'x-amz-content-sha256', 'nope'), 'InvalidArgument'],
    ['date missing', (r) => withHeader(r, 'x-amz-date', undefined), 'AccessDenied'],
    ['signature changed', (r) => withHeader(r, 'authorization', String(r.headers.authorization).replace(/.$/, (c) => (c === '0' ? '1' : '0'))), 'SignatureDoesNotMatch'],
    ['unknown key', (r) => withHeader(r, 'authorization', String(r.headers.authorization).replace(AKID, 'AKIDUNKNOWN')), 'InvalidAccessKeyId'],
    ['also presigned', (r) => ({ ...r, rawQuery: 'X-Amz-Algorithm=AWS4-HMAC-SHA256' }), 'InvalidArgument'],
  ])('%s', async (_what, change, code) => {
    expect(await tamper(change)).toBe(code);
  });

  it('checks the clock, the region and the secret', async () => {
    expect(await tamper((r) => r, { now: new Date(NOW.getTime() + 16 * 60_000) })).toBe('RequestTimeTooSkewed');
    expect(await tamper((r) => r, { now: new Date(NOW.getTime() - 16 * 60_000) })).toBe('RequestTimeTooSkewed');
    expect(await tamper((r) => r, { now: new Date(NOW.getTime() + 14 * 60_000) })).toBe('accepted');
    expect(await tamper((r) => r, { region: 'us-east-1' })).toBe('AuthorizationHeaderMalformed');
    expect(codeOf(() => verifySigV4(base, { lookup: () => 'wrong' }, opts))).toBe('SignatureDoesNotMatch');
  });

  it('reports the canonical request and string to sign on a mismatch', async () => {
    try {
      verifySigV4({ ...base, method: 'POST' }, credentials, opts);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toMatchObject({ code: 'SignatureDoesNotMatch', extra: { AWSAccessKeyId: AKID, CanonicalRequest: expect.stringMatching(/^POST\n\/bucket\/photos\/cat.jpg\ntagging=\n/) } });
    }
  });
});

describe('verifySigV4: presigned tampering and time', () => {
  let base: SigV4Request;
  beforeAll(async () => {
    base = await presign('GET', '/bucket/key.txt', { versionId: '3' }, 600);
  });
  const at = (ms: number) => ({ ...opts, now: new Date(NOW.getTime() + ms) });

  it('accepts within the window and expires after it', () => {
    expect(codeOf(() => verifySigV4(base, credentials, at(599_000)))).toBe('accepted');
    expect(codeOf(() => verifySigV4(base, credentials, at(601_000)))).toBe('AccessDenied');
    expect(codeOf(() => verifySigV4(base, credentials, at(-14 * 60_000)))).toBe('accepted');
    expect(codeOf(() => verifySigV4(base, credentials, at(-16 * 60_000)))).toBe('RequestTimeTooSkewed');
  });

  it.each<[string, (r: SigV4Request) => SigV4Request, string]>([
    ['query value', (r) => ({ ...r, rawQuery: r.rawQuery.replace('versionId=3', 'versionId=4') }), 'SignatureDoesNotMatch'],
    ['expires', (r) => ({ ...r, rawQuery: r.rawQuery.replace('X-Amz-Expires=600', 'X-Amz-Expires=6000') }), 'SignatureDoesNotMatch'],
    ['expires too long', (r) => ({ ...r, rawQuery: r.rawQuery.replace('X-Amz-Expires=600', 'X-Amz-Expires=604801') }), 'AuthorizationQueryParametersError'],
    ['method', (r) => ({ ...r, method: 'PUT' }), 'SignatureDoesNotMatch'],
    ['path', (r) => ({ ...r, rawPath: '/bucket/other.txt' }), 'SignatureDoesNotMatch'],
    ['host', (r) => ({ ...r, headers: { host: 'evil:9000' } }), 'SignatureDoesNotMatch'],
    ['signature removed', (r) => ({ ...r, rawQuery: r.rawQuery.replace(/&X-Amz-Signature=[0-9a-f]+/, '') }), 'AuthorizationQueryParametersError'],
    ['with Authorization too', (r) => ({ ...r, headers: { ...r.headers, authorization: 'AWS4-HMAC-SHA256 x' } }), 'InvalidArgument'],
  ])('%s', (_what, change, code) => {
    expect(codeOf(() => verifySigV4(change(base), credentials, opts))).toBe(code);
  });
});

describe('verifySigV4: other requests', () => {
  it('reports anonymous requests', () => {
    expect(verifySigV4({ method: 'GET', rawPath: '/bucket/key', rawQuery: 'versionId=1', headers: { host: 'h' } }, credentials)).toEqual({ kind: 'anonymous' });
  });

  it('refuses SigV2 presigned URLs', () => {
    expect(codeOf(() => verifySigV4({ method: 'GET', rawPath: '/b/k', rawQuery: 'AWSAccessKeyId=A&Expires=1&Signature=x', headers: { host: 'h' } }, credentials))).toBe('InvalidRequest');
  });

  it('returns what the aws-chunked decoder needs', async () => {
    const req = await sign('PUT', '/bucket/key', {}, {
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': '11',
      'x-amz-trailer': 'x-amz-checksum-crc32',
      'content-encoding': 'aws-chunked',
    });
    const result = signed(verifySigV4(req, credentials, opts));
    expect(result).toMatchObject({ payloadMode: 'streaming-unsigned-trailer', decodedContentLength: 11, trailers: ['x-amz-checksum-crc32'] });
    expect(result.signing.seedSignature).toBe(String(req.headers.authorization).slice(-64));
    const bad = await sign('PUT', '/bucket/key', {}, { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'x-amz-decoded-content-length': '-1' });
    expect(codeOf(() => verifySigV4(bad, credentials, opts))).toBe('InvalidArgument');
  });
});

describe('verifySigV4 for another service (STS): its scope, and the body hash the server computed', () => {
  const sts = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, sha256: Sha256, applyChecksum: false });
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const bodySha256 = createHash('sha256').update(body).digest('hex');
  async function stsRequest(): Promise<SigV4Request> {
    const out = await sts.sign(
      { method: 'POST', protocol: 'http:', hostname: 'localhost', port: 9000, path: '/', query: {}, headers: { host: 'localhost:9000', 'content-type': 'application/x-www-form-urlencoded' }, body },
      { signingDate: NOW },
    );
    return { method: 'POST', rawPath: '/', rawQuery: '', headers: out.headers };
  }

  it('verifies with the service named and the body hash given (no x-amz-content-sha256 is sent)', async () => {
    const req = await stsRequest();
    expect(signed(verifySigV4(req, credentials, { now: NOW, service: 'sts', bodySha256 })).scope.service).toBe('sts');
  });

  it('refuses the scope of another service, a missing hash, and a body other than the one signed', async () => {
    const req = await stsRequest();
    expect(codeOf(() => verifySigV4(req, credentials, { now: NOW, bodySha256 }))).toBe('AuthorizationHeaderMalformed');
    expect(codeOf(() => verifySigV4(req, credentials, { now: NOW, service: 'sts' }))).toBe('InvalidRequest');
    const other = createHash('sha256').update('Action=GetSessionToken&Version=2011-06-15').digest('hex');
    expect(codeOf(() => verifySigV4(req, credentials, { now: NOW, service: 'sts', bodySha256: other }))).toBe('SignatureDoesNotMatch');
    const declared = { ...req, headers: { ...(req.headers as Record<string, string>), 'x-amz-content-sha256': bodySha256 } };
    expect(codeOf(() => verifySigV4(declared, credentials, { now: NOW, service: 'sts', bodySha256: other }))).toBe('XAmzContentSHA256Mismatch');
  });
});
