import { isS3Error } from '../errors';
import { AUTH_CLASS, ROUTES, type Target } from './endpoints';
import { parseEndpoint, type RouteInput } from './parse-endpoint';

const opts = { vhostDomains: ['s3.example.com'] };

function req(method: string, url: string, headers: Record<string, string> = {}, host = 'localhost:8080'): RouteInput {
  const q = url.indexOf('?');
  return {
    method,
    rawPath: q < 0 ? url : url.slice(0, q),
    query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
    headers: { host, ...headers },
  };
}

/** Each case in path style; the vhost variant moves the bucket into the Host header. */
const CASES: [string, string, Record<string, string>, Record<string, unknown>][] = [
  ['GET', '/', {}, { name: 'ListBuckets' }],
  ['PUT', '/my-bucket', {}, { name: 'CreateBucket', bucket: 'my-bucket' }],
  ['HEAD', '/my-bucket', {}, { name: 'HeadBucket', bucket: 'my-bucket' }],
  ['DELETE', '/my-bucket', {}, { name: 'DeleteBucket', bucket: 'my-bucket' }],
  ['GET', '/my-bucket?location', {}, { name: 'GetBucketLocation', bucket: 'my-bucket' }],
  ['GET', '/my-bucket?versioning', {}, { name: 'GetBucketVersioning', bucket: 'my-bucket' }],
  ['PUT', '/my-bucket?versioning', {}, { name: 'PutBucketVersioning', bucket: 'my-bucket' }],
  ['GET', '/my-bucket?versions&key-marker=a&version-id-marker=null', {}, { name: 'ListObjectVersions', bucket: 'my-bucket' }],
  ['GET', '/my-bucket/my-image.jpg?versionId=null', {}, { name: 'GetObject', bucket: 'my-bucket', key: 'my-image.jpg' }],
  ['DELETE', '/my-bucket/my-image.jpg?versionId=3HL4kqtJlcpXroDTDmJ', {}, { name: 'DeleteObject', bucket: 'my-bucket', key: 'my-image.jpg' }],
  ['GET', '/my-bucket?list-type=2&prefix=a%2Fb&delimiter=%2F', {}, { name: 'ListObjectsV2', bucket: 'my-bucket' }],
  ['GET', '/my-bucket?prefix=photos&max-keys=50&marker=puppy', {}, { name: 'ListObjects', bucket: 'my-bucket' }],
  ['GET', '/my-bucket?uploads&max-uploads=3', {}, { name: 'ListMultipartUploads', bucket: 'my-bucket' }],
  ['POST', '/my-bucket?delete', {}, { name: 'DeleteObjects', bucket: 'my-bucket' }],
  ['GET', '/my-bucket/my-image.jpg', {}, { name: 'GetObject', bucket: 'my-bucket', key: 'my-image.jpg' }],
  ['HEAD', '/my-bucket/my-image.jpg', {}, { name: 'HeadObject', bucket: 'my-bucket', key: 'my-image.jpg' }],
  ['PUT', '/my-bucket/my-image.jpg', {}, { name: 'PutObject', bucket: 'my-bucket', key: 'my-image.jpg' }],
  ['PUT', '/my-bucket/my-second-image.jpg', { 'x-amz-copy-source': '/bucket/my-image.jpg' }, { name: 'CopyObject', bucket: 'my-bucket', key: 'my-second-image.jpg' }],
  ['DELETE', '/my-bucket/my-image.jpg', {}, { name: 'DeleteObject', bucket: 'my-bucket', key: 'my-image.jpg' }],
  ['POST', '/my-bucket/example-object?uploads', {}, { name: 'CreateMultipartUpload', bucket: 'my-bucket', key: 'example-object' }],
  ['PUT', '/my-bucket/my-movie.m2ts?partNumber=1&uploadId=VCVsb2FkIElE', {}, { name: 'UploadPart', bucket: 'my-bucket', key: 'my-movie.m2ts', uploadId: 'VCVsb2FkIElE', partNumber: 1 }],
  ['PUT', '/my-bucket/obj?partNumber=10000&uploadId=u1', { 'x-amz-copy-source': '/b/k' }, { name: 'UploadPartCopy', bucket: 'my-bucket', key: 'obj', uploadId: 'u1', partNumber: 10000 }],
  ['POST', '/my-bucket/example-object?uploadId=AAAsb2FkIElE', {}, { name: 'CompleteMultipartUpload', bucket: 'my-bucket', key: 'example-object', uploadId: 'AAAsb2FkIElE' }],
  ['DELETE', '/my-bucket/example-object?uploadId=VXBsb2FkIElE', {}, { name: 'AbortMultipartUpload', bucket: 'my-bucket', key: 'example-object', uploadId: 'VXBsb2FkIElE' }],
  ['GET', '/my-bucket/example-object?uploadId=XXBsb2FkIElE&max-parts=2&part-number-marker=1', {}, { name: 'ListParts', bucket: 'my-bucket', key: 'example-object', uploadId: 'XXBsb2FkIElE' }],
  ['GET', '/my-bucket/a%20b/c%2Bd%25/%E2%9C%93', {}, { name: 'GetObject', bucket: 'my-bucket', key: 'a b/c+d%/✓' }],
  ['GET', '/my-bucket/..%2Fx', {}, { name: 'GetObject', bucket: 'my-bucket', key: '../x' }],
  ['GET', '/my-bucket/a//b/', {}, { name: 'GetObject', bucket: 'my-bucket', key: 'a//b/' }],
  ['GET', '/my-bucket//', {}, { name: 'GetObject', bucket: 'my-bucket', key: '/' }],
  // Tagging and GetObjectAttributes (issue 12)
  ['GET', '/my-bucket?tagging', {}, { name: 'GetBucketTagging', bucket: 'my-bucket' }],
  ['PUT', '/my-bucket?tagging', {}, { name: 'PutBucketTagging', bucket: 'my-bucket' }],
  ['DELETE', '/my-bucket?tagging', {}, { name: 'DeleteBucketTagging', bucket: 'my-bucket' }],
  ['GET', '/my-bucket/example-object?tagging&versionId=null', {}, { name: 'GetObjectTagging', bucket: 'my-bucket', key: 'example-object' }],
  ['PUT', '/my-bucket/example-object?tagging', {}, { name: 'PutObjectTagging', bucket: 'my-bucket', key: 'example-object' }],
  ['DELETE', '/my-bucket/example-object?tagging', {}, { name: 'DeleteObjectTagging', bucket: 'my-bucket', key: 'example-object' }],
  ['GET', '/my-bucket/example-object?attributes', { 'x-amz-object-attributes': 'ETag' }, { name: 'GetObjectAttributes', bucket: 'my-bucket', key: 'example-object' }],
  ['POST', '/my-bucket', { 'content-type': 'multipart/form-data; boundary=9431149156168' }, { name: 'PostObject', bucket: 'my-bucket' }],
  ['POST', '/my-bucket/', { 'content-type': 'Multipart/Form-Data;boundary=x' }, { name: 'PostObject', bucket: 'my-bucket' }],
];

describe('parseEndpoint', () => {
  it.each(CASES)('path style %s %s', (method, url, headers, want) => {
    expect(parseEndpoint(req(method, url, headers), opts)).toEqual(want);
  });

  it.each(CASES.filter(([, url]) => url !== '/'))('virtual-hosted style %s %s', (method, url, headers, want) => {
    const rest = url.replace(/^\/my-bucket/, '') || '/';
    const fixed = rest.startsWith('/') ? rest : '/' + rest;
    expect(parseEndpoint(req(method, fixed, headers, 'my-bucket.s3.example.com:8080'), opts)).toEqual(want);
  });

  it('routes a form POST to PostObject only on a bucket without ?delete', () => {
    const form = { 'content-type': 'multipart/form-data; boundary=b' };
    expect(parseEndpoint(req('POST', '/b?delete', form), opts)).toEqual({ name: 'DeleteObjects', bucket: 'b' });
    expect(() => parseEndpoint(req('POST', '/b/k', form), opts)).toThrow(expect.objectContaining({ code: 'MethodNotAllowed' }));
    expect(() => parseEndpoint(req('POST', '/b', { 'content-type': 'application/x-www-form-urlencoded' }), opts)).toThrow(expect.objectContaining({ code: 'MethodNotAllowed' }));
  });

  it('treats hosts outside the configured domains as path style', () => {
    expect(parseEndpoint(req('GET', '/b/k', {}, 'other.example.org'), opts)).toEqual({ name: 'GetObject', bucket: 'b', key: 'k' });
    expect(parseEndpoint(req('GET', '/', {}, 's3.example.com'), opts)).toEqual({ name: 'ListBuckets' });
  });

  it('routes the ACL, ownership controls and public access block sub-resources', () => {
    expect(parseEndpoint(req('GET', '/b?acl', {}), opts)).toEqual({ name: 'GetBucketAcl', bucket: 'b' });
    expect(parseEndpoint(req('PUT', '/b?acl', {}), opts)).toEqual({ name: 'PutBucketAcl', bucket: 'b' });
    expect(parseEndpoint(req('GET', '/b/k?acl&versionId=1', {}), opts)).toEqual({ name: 'GetObjectAcl', bucket: 'b', key: 'k' });
    expect(parseEndpoint(req('PUT', '/b/k?acl', {}), opts)).toEqual({ name: 'PutObjectAcl', bucket: 'b', key: 'k' });
    expect(parseEndpoint(req('DELETE', '/b?ownershipControls', {}), opts)).toEqual({ name: 'DeleteBucketOwnershipControls', bucket: 'b' });
    expect(parseEndpoint(req('PUT', '/b?publicAccessBlock', {}), opts)).toEqual({ name: 'PutPublicAccessBlock', bucket: 'b' });
    expect(parseEndpoint(req('DELETE', '/b/k?acl', {}), opts)).toMatchObject({ name: 'Unsupported' });
  });

  it('routes the bucket default encryption sub-resource (Put, Get, Delete), never CreateBucket or ListObjects', () => {
    expect(parseEndpoint(req('PUT', '/b?encryption', {}), opts)).toEqual({ name: 'PutBucketEncryption', bucket: 'b' });
    expect(parseEndpoint(req('GET', '/b?encryption', {}), opts)).toEqual({ name: 'GetBucketEncryption', bucket: 'b' });
    expect(parseEndpoint(req('DELETE', '/b?encryption', {}), opts)).toEqual({ name: 'DeleteBucketEncryption', bucket: 'b' });
    expect(parseEndpoint(req('PUT', '/?encryption', {}, 'b.s3.example.com'), opts)).toEqual({ name: 'PutBucketEncryption', bucket: 'b' });
    expect(AUTH_CLASS.PutBucketEncryption).toBe('owner');
    expect(parseEndpoint(req('PUT', '/b/k?encryption', {}), opts)).toMatchObject({ name: 'Unsupported', key: 'k' });
  });

  it('routes the reads of features never configured, their deletes and the Puts that can set them off to their endpoints; other Puts stay Unsupported', () => {
    const bucketOps: [string, string, string][] = [
      ['PUT', 'website', 'PutBucketWebsite'],
      ['GET', 'website', 'GetBucketWebsite'],
      ['DELETE', 'website', 'DeleteBucketWebsite'],
      ['GET', 'replication', 'GetBucketReplication'],
      ['DELETE', 'replication', 'DeleteBucketReplication'],
      ['GET', 'object-lock', 'GetObjectLockConfiguration'],
      ['GET', 'logging', 'GetBucketLogging'],
      ['GET', 'notification', 'GetBucketNotificationConfiguration'],
      ['GET', 'requestPayment', 'GetBucketRequestPayment'],
      ['GET', 'accelerate', 'GetBucketAccelerateConfiguration'],
      ['PUT', 'logging', 'PutBucketLogging'],
      ['PUT', 'notification', 'PutBucketNotificationConfiguration'],
      ['PUT', 'requestPayment', 'PutBucketRequestPayment'],
      ['PUT', 'accelerate', 'PutBucketAccelerateConfiguration'],
    ];
    for (const [method, sub, name] of bucketOps) {
      expect(parseEndpoint(req(method, `/b?${sub}`, {}), opts)).toEqual({ name, bucket: 'b' });
    }
    for (const sub of ['replication']) {
      expect(parseEndpoint(req('PUT', `/b?${sub}`, {}), opts)).toMatchObject({ name: 'Unsupported', operation: `PUT ?${sub}` });
    }
  });

  it('routes Object Lock: the bucket configuration, and a version\'s retention and legal hold', () => {
    expect(parseEndpoint(req('GET', '/b?object-lock', {}), opts)).toEqual({ name: 'GetObjectLockConfiguration', bucket: 'b' });
    expect(parseEndpoint(req('PUT', '/b?object-lock', {}), opts)).toEqual({ name: 'PutObjectLockConfiguration', bucket: 'b' });
    expect(parseEndpoint(req('GET', '/b/k?retention&versionId=v', {}), opts)).toEqual({ name: 'GetObjectRetention', bucket: 'b', key: 'k' });
    expect(parseEndpoint(req('PUT', '/b/k?retention', {}), opts)).toEqual({ name: 'PutObjectRetention', bucket: 'b', key: 'k' });
    expect(parseEndpoint(req('GET', '/b/k?legal-hold', {}), opts)).toEqual({ name: 'GetObjectLegalHold', bucket: 'b', key: 'k' });
    expect(parseEndpoint(req('PUT', '/b/k?legal-hold', {}), opts)).toEqual({ name: 'PutObjectLegalHold', bucket: 'b', key: 'k' });
    // Retention and legal hold belong to objects: on a bucket they are no operation.
    expect(parseEndpoint(req('PUT', '/b?retention', {}), opts)).toMatchObject({ name: 'Unsupported' });
  });

  it('routes the reads and deletes of id-addressed configurations (analytics, inventory, metrics, Intelligent-Tiering)', () => {
    const cases: [string, string, string][] = [
      ['analytics', 'Analytics', 'ListBucketAnalyticsConfigurations'],
      ['inventory', 'Inventory', 'ListBucketInventoryConfigurations'],
      ['metrics', 'Metrics', 'ListBucketMetricsConfigurations'],
      ['intelligent-tiering', 'IntelligentTiering', 'ListBucketIntelligentTieringConfigurations'],
    ];
    for (const [sub, name, list] of cases) {
      expect(parseEndpoint(req('GET', `/b?${sub}&id=c1`, {}), opts)).toEqual({ name: `GetBucket${name}Configuration`, bucket: 'b' });
      expect(parseEndpoint(req('GET', `/b?${sub}`, {}), opts)).toEqual({ name: list, bucket: 'b' });
      expect(parseEndpoint(req('GET', `/b?${sub}&continuation-token=t`, {}), opts)).toEqual({ name: list, bucket: 'b' });
      expect(parseEndpoint(req('DELETE', `/b?${sub}&id=c1`, {}), opts)).toEqual({ name: `DeleteBucket${name}Configuration`, bucket: 'b' });
      expect(parseEndpoint(req('PUT', `/b?${sub}&id=c1`, {}), opts)).toMatchObject({ name: 'Unsupported', operation: `PUT ?${sub}` });
    }
  });

  it('routes known but unserved sub-resources to Unsupported', () => {
    expect(parseEndpoint(req('PUT', '/b?replication', {}), opts)).toEqual({ name: 'Unsupported', bucket: 'b', key: undefined, operation: 'PUT ?replication' });
    expect(parseEndpoint(req('PUT', '/b?inventory&id=x', {}), opts)).toMatchObject({ name: 'Unsupported', operation: 'PUT ?inventory' });
    expect(parseEndpoint(req('DELETE', '/b?metrics', {}), opts)).toMatchObject({ name: 'Unsupported', operation: 'DELETE ?metrics' });
    // Object lock on an object is retention / legal hold, never the bucket's configuration.
    expect(parseEndpoint(req('GET', '/b/k?object-lock', {}), opts)).toMatchObject({ name: 'Unsupported', key: 'k' });
    expect(parseEndpoint(req('DELETE', '/b/k?retention', {}), opts)).toMatchObject({ name: 'Unsupported', key: 'k' });
    expect(parseEndpoint(req('GET', '/b/k?torrent', {}), opts)).toMatchObject({ name: 'Unsupported', key: 'k' });
    // A sub-resource we serve on one method is still no plain operation on another.
    expect(parseEndpoint(req('HEAD', '/b/k?tagging', {}), opts)).toMatchObject({ name: 'Unsupported', key: 'k', operation: 'HEAD ?tagging' });
    expect(parseEndpoint(req('PUT', '/b/k?attributes', {}), opts)).toMatchObject({ name: 'Unsupported', key: 'k' });
    // uploadId on a PUT without partNumber is not UploadPart.
    expect(parseEndpoint(req('PUT', '/b/k?uploadId=x', {}), opts)).toMatchObject({ name: 'Unsupported' });
  });

  it.each([
    ['PATCH', '/b/k', 'MethodNotAllowed'],
    ['POST', '/b/k', 'MethodNotAllowed'],
    // A bucket POST that is neither ?delete nor a form upload.
    ['POST', '/b', 'MethodNotAllowed'],
    ['DELETE', '/', 'MethodNotAllowed'],
    ['GET', '/b/k%ZZ', 'InvalidURI'],
    ['PUT', '/b/k?partNumber=0&uploadId=u', 'InvalidArgument'],
    ['PUT', '/b/k?partNumber=10001&uploadId=u', 'InvalidArgument'],
    ['PUT', '/b/k?partNumber=1.5&uploadId=u', 'InvalidArgument'],
    ['GET', '/b/' + 'k'.repeat(1025), 'KeyTooLongError'],
  ])('%s %s → %s', (method, url, code) => {
    let err: unknown;
    try {
      parseEndpoint(req(method, url), opts);
    } catch (e) {
      err = e;
    }
    expect(isS3Error(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
  });

  it('counts key length in UTF-8 bytes against the configured maximum (default 1024), with Size and MaxSizeAllowed', () => {
    const exact = '/b/' + encodeURIComponent('é'.repeat(512)); // 1024 bytes
    expect(parseEndpoint(req('GET', exact), opts)).toMatchObject({ name: 'GetObject', key: 'é'.repeat(512) });
    expect(() => parseEndpoint(req('GET', exact + 'x'), opts)).toThrow(expect.objectContaining({ code: 'KeyTooLongError', extra: { Size: '1025', MaxSizeAllowed: '1024' } }));
    expect(() => parseEndpoint(req('GET', '/b/' + 'k'.repeat(11)), { ...opts, maxKeyBytes: 10 })).toThrow(expect.objectContaining({ code: 'KeyTooLongError' }));
    expect(parseEndpoint(req('GET', '/b/' + 'k'.repeat(10)), { ...opts, maxKeyBytes: 10 })).toMatchObject({ key: 'k'.repeat(10) });
  });

  it('accepts a 1024-byte key', () => {
    expect(parseEndpoint(req('GET', '/b/' + 'é'.repeat(512)), opts)).toMatchObject({ key: 'é'.repeat(512) });
  });
});

describe('parseEndpoint against a scan of every rule in ROUTES order', () => {
  // The reference: the first rule of ROUTES that matches, as the router chose before it indexed them.
  const reference = (method: string, target: Target, query: URLSearchParams, headers: Record<string, string>) =>
    ROUTES.find(
      (r) =>
        r.method === method &&
        r.target === target &&
        (!r.query || r.query.every((q) => query.has(q))) &&
        (!r.queryValue || query.get(r.queryValue[0]) === r.queryValue[1]) &&
        (!r.header || headers[r.header] !== undefined) &&
        (!r.contentType || headers['content-type']?.split(';')[0].trim().toLowerCase() === r.contentType),
    );
  const queryNames = [...new Set(ROUTES.flatMap((r) => [...(r.query ?? []), ...(r.queryValue ? [r.queryValue[0]] : [])]))];
  const headerNames = [...new Set(ROUTES.flatMap((r) => (r.header ? [r.header] : [])))];
  const contentTypes = [...new Set(ROUTES.flatMap((r) => (r.contentType ? [r.contentType] : [])))];
  const paths: Record<Target, string> = { service: '/', bucket: '/b', object: '/b/k' };

  it('chooses the same rule for every method, target and mix of query parameters, headers and content types', () => {
    let rng = 7;
    const pick = () => ((rng = (rng * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let compared = 0;
    for (let i = 0; i < 8000; i++) {
      const method = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'get', 'PATCH'][Math.floor(pick() * 7)];
      const target = (['service', 'bucket', 'object'] as const)[Math.floor(pick() * 3)];
      const query = new URLSearchParams();
      for (const q of queryNames) if (pick() < 0.06) query.set(q, q === 'uploadId' ? 'u1' : q === 'partNumber' ? '3' : pick() < 0.5 ? '' : 'x');
      for (const r of ROUTES) if (r.queryValue && pick() < 0.05) query.set(r.queryValue[0], r.queryValue[1]);
      const headers: Record<string, string> = { host: 'localhost' };
      for (const h of headerNames) if (pick() < 0.2) headers[h] = 'v';
      if (pick() < 0.3) headers['content-type'] = `${contentTypes[Math.floor(pick() * contentTypes.length)] ?? 'text/plain'}; boundary=z`;
      const want = reference(method.toUpperCase(), target, query, headers);
      let got: string | undefined;
      try {
        got = parseEndpoint({ method, rawPath: paths[target], query, headers }).name;
      } catch (e) {
        if (!isS3Error(e)) throw e;
        if (e.code === 'NotImplemented') continue; // a sub-resource of no service-level rule: decided after the match
        expect(e.code).toBe('MethodNotAllowed');
        got = undefined;
      }
      if (got === 'Unsupported') continue; // a sub-resource the rule does not serve: decided after the match
      expect(got).toBe(want?.name);
      compared++;
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
