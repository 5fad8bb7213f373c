import { createHmac } from 'node:crypto';
import { S3Error } from '../errors';
import { verifySigV2, isSigV2 } from './verify-v2';

// The examples of AWS's "Signing and authenticating REST requests (AWS signature version 2)", with its
// example key pair: each signature below is the one that page prints.
const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const creds = { lookup: (id: string) => (id === AKID ? SECRET : undefined) };

function req(method: string, rawPath: string, rawQuery: string, headers: Record<string, string | string[]>) {
  const raw: string[] = [];
  for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) raw.push(k, one);
  return { method, rawPath, rawQuery, headers: raw };
}

function thrown(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('verifySigV2: the AWS documentation examples', () => {
  const at = (date: string) => ({ now: new Date(date) });

  it('an object GET, path style and virtual-hosted style', () => {
    const date = 'Tue, 27 Mar 2007 19:36:42 +0000';
    const headers = { host: 'johnsmith.s3.amazonaws.com', date, authorization: `AWS ${AKID}:bWq2s1WEIj+Ydj0vQ697zp+IXMU=` };
    const auth = verifySigV2(req('GET', '/photos/puppy.jpg', '', headers), creds, { ...at(date), hostBucket: 'johnsmith' });
    expect(auth).toMatchObject({ kind: 'header', signatureVersion: 'AWS', accessKeyId: AKID, payloadMode: 'unsigned', requestTime: new Date(date) });
    expect(verifySigV2(req('GET', '/johnsmith/photos/puppy.jpg', '', { ...headers, host: 's3.amazonaws.com' }), creds, at(date)).accessKeyId).toBe(AKID);
  });

  it('an object PUT with a Content-Type', () => {
    const date = 'Tue, 27 Mar 2007 21:15:45 +0000';
    const headers = { 'content-type': 'image/jpeg', 'content-length': '94328', host: 'johnsmith.s3.amazonaws.com', date, authorization: `AWS ${AKID}:MyyxeRY7whkBe+bq8fHCL/2kKUg=` };
    expect(verifySigV2(req('PUT', '/photos/puppy.jpg', '', headers), creds, { ...at(date), hostBucket: 'johnsmith' }).kind).toBe('header');
  });

  it('a listing: query parameters that are not sub-resources are not signed', () => {
    const date = 'Tue, 27 Mar 2007 19:42:41 +0000';
    const headers = { 'user-agent': 'Mozilla/5.0', host: 'johnsmith.s3.amazonaws.com', date, authorization: `AWS ${AKID}:htDYFYduRNen8P9ZfE/s9SuKy0U=` };
    expect(verifySigV2(req('GET', '/', 'prefix=photos&max-keys=50&marker=puppy', headers), creds, { ...at(date), hostBucket: 'johnsmith' }).kind).toBe('header');
  });

  it('a sub-resource (?acl) is signed', () => {
    const date = 'Tue, 27 Mar 2007 19:44:46 +0000';
    const headers = { host: 'johnsmith.s3.amazonaws.com', date, authorization: `AWS ${AKID}:c2WLPFtWHVgbEmeEG93a4cG37dM=` };
    expect(verifySigV2(req('GET', '/', 'acl', headers), creds, { ...at(date), hostBucket: 'johnsmith' }).kind).toBe('header');
    // Dropping it from the signed resource is a different request.
    expect(thrown(() => verifySigV2(req('GET', '/', '', headers), creds, { ...at(date), hostBucket: 'johnsmith' })).code).toBe('SignatureDoesNotMatch');
  });

  it('an upload with x-amz headers, repeated ones joined, Content-MD5, and a CNAME bucket', () => {
    const date = 'Tue, 27 Mar 2007 21:06:08 +0000';
    const headers = {
      'User-Agent': 'curl/7.15.5',
      Host: 'static.johnsmith.net:8080',
      Date: date,
      'x-amz-acl': 'public-read',
      'content-type': 'application/x-download',
      'Content-MD5': '4gJE4saaMU4BqNR0kLY+lw==',
      'X-Amz-Meta-ReviewedBy': ['joe@johnsmith.net', 'jane@johnsmith.net'],
      'X-Amz-Meta-FileChecksum': '0x02661779',
      'X-Amz-Meta-ChecksumAlgorithm': 'crc32',
      'Content-Disposition': 'attachment; filename=database.dat',
      'Content-Encoding': 'gzip',
      'Content-Length': '5913339',
      Authorization: `AWS ${AKID}:ilyl83RwaSoYIEdixDQcA4OnAnc=`,
    };
    expect(verifySigV2(req('PUT', '/db-backup.dat.gz', '', headers), creds, { ...at(date), hostBucket: 'static.johnsmith.net' }).kind).toBe('header');
  });

  it('query-string authentication: valid until Expires, refused after', () => {
    const q = `AWSAccessKeyId=${AKID}&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D`;
    const r = req('GET', '/photos/puppy.jpg', q, { host: 'johnsmith.s3.amazonaws.com' });
    const auth = verifySigV2(r, creds, { now: new Date(1175139000 * 1000), hostBucket: 'johnsmith' });
    expect(auth).toMatchObject({ kind: 'presigned', signatureVersion: 'AWS', expiresAt: new Date(1175139620 * 1000) });
    const late = thrown(() => verifySigV2(r, creds, { now: new Date(1175139621 * 1000), hostBucket: 'johnsmith' }));
    expect([late.code, late.message]).toEqual(['AccessDenied', 'Request has expired']);
  });
});

describe('verifySigV2: what it refuses', () => {
  const date = 'Tue, 27 Mar 2007 19:36:42 +0000';
  const good = { host: 'johnsmith.s3.amazonaws.com', date, authorization: `AWS ${AKID}:bWq2s1WEIj+Ydj0vQ697zp+IXMU=` };
  const get = (headers: Record<string, string>, now = new Date(date)) => () => verifySigV2(req('GET', '/photos/puppy.jpg', '', headers), creds, { now, hostBucket: 'johnsmith' });

  it('a wrong signature, with the string it should have signed', () => {
    const e = thrown(get({ ...good, authorization: `AWS ${AKID}:bWq2s1WEIj+Ydj0vQ697zp+IXMV=` }));
    expect(e.code).toBe('SignatureDoesNotMatch');
    expect(e.extra.StringToSign).toBe(`GET\n\n\n${date}\n/johnsmith/photos/puppy.jpg`);
  });

  it('an unknown key, a clock more than 15 minutes off, a missing date, a malformed header', () => {
    expect(thrown(get({ ...good, authorization: 'AWS AKIDUNKNOWN:bWq2s1WEIj+Ydj0vQ697zp+IXMU=' })).code).toBe('InvalidAccessKeyId');
    expect(thrown(get(good, new Date(Date.parse(date) + 16 * 60_000))).code).toBe('RequestTimeTooSkewed');
    expect(thrown(get({ host: good.host, authorization: good.authorization })).code).toBe('AccessDenied');
    expect(thrown(get({ ...good, authorization: `AWS ${AKID}` })).code).toBe('InvalidArgument');
  });

  it('with x-amz-date the Date line is empty and x-amz-date is signed among the amz headers', () => {
    const amz = 'Tue, 27 Mar 2007 19:36:42 +0000';
    const toSign = `GET\n\n\n\nx-amz-date:${amz}\n/johnsmith/photos/puppy.jpg`;
    const sig = createHmac('sha1', SECRET).update(toSign).digest('base64');
    const headers = { host: good.host, date: 'Wed, 01 Jan 2031 00:00:00 +0000', 'x-amz-date': amz, authorization: `AWS ${AKID}:${sig}` };
    expect(get(headers)().requestTime).toEqual(new Date(amz));
    // The ISO 8601 basic form is read too.
    const iso = '20070327T193642Z';
    const sigIso = createHmac('sha1', SECRET).update(`GET\n\n\n\nx-amz-date:${iso}\n/johnsmith/photos/puppy.jpg`).digest('base64');
    expect(get({ host: good.host, 'x-amz-date': iso, authorization: `AWS ${AKID}:${sigIso}` })().requestTime).toEqual(new Date(amz));
  });

  it('sub-resources are sorted and their values decoded; a SHA-256 payload header is kept, a streaming one refused', () => {
    const toSign = `PUT\n\n\n${date}\n/johnsmith/photos/puppy.jpg?partNumber=2&uploadId=a+b/c`;
    const sig = createHmac('sha1', SECRET).update(toSign).digest('base64');
    const hash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    const r = (extra: Record<string, string>) =>
      verifySigV2(req('PUT', '/photos/puppy.jpg', 'uploadId=a%2Bb%2Fc&partNumber=2&x-id=UploadPart', { ...good, ...extra, authorization: `AWS ${AKID}:${sig}` }), creds, { now: new Date(date), hostBucket: 'johnsmith' });
    // `x-id` is not a sub-resource: left out; partNumber and uploadId sorted, uploadId decoded.
    expect(r({})).toMatchObject({ kind: 'header', payloadMode: 'unsigned' });
    const withHash = `PUT\n\n\n${date}\nx-amz-content-sha256:${hash}\n/johnsmith/photos/puppy.jpg?partNumber=2&uploadId=a+b/c`;
    const sig2 = createHmac('sha1', SECRET).update(withHash).digest('base64');
    const auth = verifySigV2(req('PUT', '/photos/puppy.jpg', 'uploadId=a%2Bb%2Fc&partNumber=2', { ...good, 'x-amz-content-sha256': hash, authorization: `AWS ${AKID}:${sig2}` }), creds, { now: new Date(date), hostBucket: 'johnsmith' });
    expect(auth).toMatchObject({ payloadMode: 'sha256', payloadSha256: hash });
    const streaming = `PUT\n\n\n${date}\nx-amz-content-sha256:STREAMING-AWS4-HMAC-SHA256-PAYLOAD\n/johnsmith/photos/puppy.jpg`;
    const sig3 = createHmac('sha1', SECRET).update(streaming).digest('base64');
    const e = thrown(() => verifySigV2(req('PUT', '/photos/puppy.jpg', '', { ...good, 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', authorization: `AWS ${AKID}:${sig3}` }), creds, { now: new Date(date), hostBucket: 'johnsmith' }));
    expect(e.code).toBe('InvalidRequest');
  });

  it('signs the bytes on the wire: UTF-8 metadata (latin1 chars from Node) and a decoded UTF-8 response override', () => {
    const utf8 = 'héllo ✓';
    const disposition = 'attachment; filename="ü.txt"';
    const toSign = Buffer.concat([
      Buffer.from(`GET\n\n\n${date}\nx-amz-meta-name:`),
      Buffer.from(utf8, 'utf8'),
      Buffer.from('\n/johnsmith/photos/puppy.jpg?response-content-disposition='),
      Buffer.from(disposition, 'utf8'),
    ]);
    const sig = createHmac('sha1', SECRET).update(toSign).digest('base64');
    // Node's parser gives each header byte as one char (latin1).
    const wire = { host: good.host, date, 'x-amz-meta-name': Buffer.from(utf8, 'utf8').toString('latin1'), authorization: `AWS ${AKID}:${sig}` };
    const q = `response-content-disposition=${encodeURIComponent(disposition)}`;
    expect(verifySigV2(req('GET', '/photos/puppy.jpg', q, wire), creds, { now: new Date(date), hostBucket: 'johnsmith' }).accessKeyId).toBe(AKID);
  });

  it('isSigV2 tells the two schemes apart', () => {
    expect(isSigV2(`AWS ${AKID}:x`, '')).toBe(true);
    expect(isSigV2(`AWS4-HMAC-SHA256 Credential=${AKID}/20070327/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00`, '')).toBe(false);
    expect(isSigV2(undefined, `AWSAccessKeyId=${AKID}&Expires=1&Signature=x`)).toBe(true);
    expect(isSigV2(undefined, 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00')).toBe(false);
    // A SigV4 URL that also carries a parameter named AWSAccessKeyId is still SigV4: X-Amz-Signature is not Signature.
    expect(isSigV2(undefined, 'X-Amz-Algorithm=AWS4-HMAC-SHA256&AWSAccessKeyId=x&X-Amz-Signature=00')).toBe(false);
    expect(isSigV2(undefined, '')).toBe(false);
  });
});
