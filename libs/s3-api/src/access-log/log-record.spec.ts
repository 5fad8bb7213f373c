import { AUTH_CLASS, ROUTES, type EndpointName } from '@massive/s3-protocol';
import { formatLogRecord, formatLogTime, logObjectKey, logOperation, type LogRecordFields } from './log-record';

const OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
/** 06/Feb/2019:00:00:38 UTC, the time of the user guide's example records. */
const T = Date.UTC(2019, 1, 6, 0, 0, 38);

/** The user guide's first example record (REST.GET.VERSIONING), as fields. */
const EXAMPLE: LogRecordFields = {
  bucketOwner: OWNER,
  bucket: 'amzn-s3-demo-bucket1',
  time: T,
  remoteIp: '192.0.2.3',
  requester: OWNER,
  requestId: '3E57427F3EXAMPLE',
  operation: 'REST.GET.VERSIONING',
  key: undefined,
  requestLine: 'GET /amzn-s3-demo-bucket1?versioning HTTP/1.1',
  status: 200,
  errorCode: undefined,
  bytesSent: 113,
  objectSize: undefined,
  totalMs: 7,
  turnAroundMs: undefined,
  referer: undefined,
  userAgent: 'S3Console/0.4',
  versionId: undefined,
  signatureVersion: 'SigV4',
  cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256',
  authType: 'AuthHeader',
  host: 'amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com',
  tlsVersion: 'TLSV1.2',
};

/**
 * Splits a record as log parsers do: bracketed time, quoted fields (no quote inside), else runs of non-spaces.
 * AWS's own Athena table for server access logs reads them with `[^ ]*` and `\"[^\"]*\"` in the same way.
 */
function fields(line: string): string[] {
  expect(line.endsWith('\n')).toBe(true);
  const body = line.slice(0, -1);
  expect(body).not.toMatch(/[\r\n\u0085\u2028\u2029]/);
  const out = body.match(/\[[^\]]*\]|"[^"]*"|[^ ]+/g) ?? [];
  // Nothing but single spaces between the fields.
  expect(out.join(' ')).toBe(body);
  return out;
}

describe('formatLogRecord', () => {
  it("writes the user guide's example record (host id, access point and ACL flag aside: `-` here)", () => {
    expect(formatLogRecord(EXAMPLE)).toBe(
      `${OWNER} amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 ${OWNER} 3E57427F3EXAMPLE REST.GET.VERSIONING - ` +
        '"GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - - SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader ' +
        'amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 - -\n',
    );
    expect(fields(formatLogRecord(EXAMPLE))).toHaveLength(26);
  });

  it("writes an object upload as the user guide's REST.PUT.OBJECT example: no bytes sent, the object's size, both times", () => {
    const line = formatLogRecord({
      ...EXAMPLE,
      time: Date.UTC(2019, 1, 6, 0, 1, 57),
      requestId: 'DD6CC733AEXAMPLE',
      operation: 'REST.PUT.OBJECT',
      key: 's3-dg.pdf',
      requestLine: 'PUT /amzn-s3-demo-bucket1/s3-dg.pdf HTTP/1.1',
      bytesSent: 0,
      objectSize: 4406583,
      totalMs: 41754,
      turnAroundMs: 28,
    });
    expect(line).toContain('[06/Feb/2019:00:01:57 +0000] 192.0.2.3');
    expect(line).toContain(' DD6CC733AEXAMPLE REST.PUT.OBJECT s3-dg.pdf "PUT /amzn-s3-demo-bucket1/s3-dg.pdf HTTP/1.1" 200 - - 4406583 41754 28 "-" "S3Console/0.4" - ');
  });

  it('writes an anonymous failed request: `-` for every unknown, the error code, "-" in quotes', () => {
    const f = fields(
      formatLogRecord({
        ...EXAMPLE,
        remoteIp: undefined,
        requester: undefined,
        operation: 'REST.GET.OBJECT',
        key: 'missing.txt',
        requestLine: 'GET /b/missing.txt HTTP/1.1',
        status: 404,
        errorCode: 'NoSuchKey',
        bytesSent: 290,
        userAgent: undefined,
        signatureVersion: undefined,
        cipherSuite: undefined,
        authType: undefined,
        host: undefined,
        tlsVersion: undefined,
      }),
    );
    expect(f).toEqual([
      OWNER, 'amzn-s3-demo-bucket1', '[06/Feb/2019:00:00:38 +0000]', '-', '-', '3E57427F3EXAMPLE', 'REST.GET.OBJECT', 'missing.txt',
      '"GET /b/missing.txt HTTP/1.1"', '404', 'NoSuchKey', '290', '-', '7', '-', '"-"', '"-"', '-', '-', '-', '-', '-', '-', '-', '-', '-',
    ]);
  });

  it('writes the version id, a presigned request, a referer and times rounded to whole ms', () => {
    const f = fields(
      formatLogRecord({
        ...EXAMPLE,
        versionId: '3HL4kqtJvjVBH40Nrjfkd',
        authType: 'QueryString',
        referer: 'http://www.example.com/webservices',
        totalMs: 12.6,
        turnAroundMs: 0.4,
        objectSize: 0,
      }),
    );
    expect(f[12]).toBe('0'); // an empty object has a size
    expect(f[13]).toBe('13');
    expect(f[14]).toBe('0');
    expect(f[15]).toBe('"http://www.example.com/webservices"');
    expect(f[17]).toBe('3HL4kqtJvjVBH40Nrjfkd');
    expect(f[21]).toBe('QueryString');
  });

  it.each([
    ['a plain key', 'photos/2019/08/puppy.jpg', 'photos/2019/08/puppy.jpg'],
    ['spaces, quotes, a plus and UTF-8', 'a dir/ü+"q".txt', 'a%20dir/%C3%BC%2B%22q%22.txt'],
    ['a percent sign', '100%/x', '100%25/x'],
    ['leading, doubled and trailing slashes', '/a//b/', '/a//b/'],
    ['line ends and a tab', 'a\nb\r\tc', 'a%0Ab%0D%09c'],
    ['a lone surrogate', 'x\uD800y', 'x%EF%BF%BDy'],
    ['an emoji (a surrogate pair)', 'f/\u{1F600}', 'f/%F0%9F%98%80'],
  ])('URL-encodes the key, `/` kept: %s', (_what, key, want) => {
    const f = fields(formatLogRecord({ ...EXAMPLE, key }));
    expect(f).toHaveLength(26);
    expect(f[7]).toBe(want);
    expect(decodeURIComponent(want)).toBe(key.replace('\uD800', '\uFFFD'));
  });

  it('keeps every record one line of 26 fields whatever the client sent', () => {
    const line = formatLogRecord({
      ...EXAMPLE,
      key: 'k "x" y',
      requestLine: 'GET /b/k%20"x"?a="1" HTTP/1.1',
      referer: 'http://evil/" 200 - 1 "',
      userAgent: 'curl/8 "quoted"\r\nInjected: line\u2028next\u0085end\\',
      versionId: 'v 1"',
      host: 'a host\tname',
      cipherSuite: 'X\nY',
      errorCode: 'Bad Code',
    });
    const f = fields(line);
    expect(f).toHaveLength(26);
    expect(f[7]).toBe('k%20%22x%22%20y');
    // Quoted fields: spaces kept, `%` kept (the request line keeps its own encoding), `"` and line breaks encoded.
    expect(f[8]).toBe('"GET /b/k%20%22x%22?a=%221%22 HTTP/1.1"');
    expect(f[15]).toBe('"http://evil/%22 200 - 1 %22"');
    expect(f[16]).toBe('"curl/8 %22quoted%22%0D%0AInjected: line%E2%80%A8next%C2%85end\\"');
    // Bare fields: spaces, quotes, backslashes and controls encoded.
    expect(f[10]).toBe('Bad%20Code');
    expect(f[17]).toBe('v%201%22');
    expect(f[20]).toBe('X%0AY');
    expect(f[22]).toBe('a%20host%09name');
  });

  it('answers what Athena reads, with the regular expression of the AWS knowledge center table', () => {
    // Modelled on the RegexSerDe input.regex AWS documents for an Athena s3_access_logs table (26 groups through acl required).
    const athena = new RegExp(
      '^([^ ]*) ([^ ]*) \\[(.*?)\\] ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ("[^"]*"|-) (-|[0-9]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ' +
        '([^ ]*) ("[^"]*"|-) ([^ ]*)(?: ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*))?.*$',
    );
    const m = athena.exec(formatLogRecord({ ...EXAMPLE, userAgent: 'a "b" c', requestLine: 'GET /b/"k" HTTP/1.1', host: 'h h' }).slice(0, -1));
    expect(m).not.toBeNull();
    expect(m?.[17]).toBe('"a %22b%22 c"');
    expect(m?.[23]).toBe('h%20h');
  });
});

describe('formatLogTime', () => {
  it.each([
    [Date.UTC(2019, 1, 6, 0, 0, 38), '[06/Feb/2019:00:00:38 +0000]'],
    [Date.UTC(2024, 11, 31, 23, 59, 59, 999), '[31/Dec/2024:23:59:59 +0000]'],
    [Date.UTC(2025, 0, 1, 5, 4, 3), '[01/Jan/2025:05:04:03 +0000]'],
  ])('writes %d as %s (UTC, the second truncated)', (ms, want) => {
    expect(formatLogTime(ms)).toBe(want);
  });

  it('names every month as strftime %b does', () => {
    const months = Array.from({ length: 12 }, (_, m) => formatLogTime(Date.UTC(2020, m, 15)).slice(4, 7));
    expect(months).toEqual(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);
  });
});

describe('logOperation', () => {
  const names = Object.keys(AUTH_CLASS) as EndpointName[];

  it.each(names)('names %s as S3 does: REST.<METHOD>.<RESOURCE>', (name) => {
    expect(logOperation(name, 'GET')).toMatch(/^REST\.[A-Z]+\.[A-Z_]+$/);
  });

  it('has a name of its own for every endpoint the router serves (only Unsupported falls back)', () => {
    expect(new Set(names)).toEqual(new Set([...ROUTES.map((r) => r.name), 'Unsupported']));
    const fallback = names.filter((n) => logOperation(n, 'GET') === `REST.GET.${n.toUpperCase()}`);
    expect(fallback).toEqual(['Unsupported']);
  });

  it.each([
    // The user guide's examples.
    ['GetBucketVersioning', 'GET', 'REST.GET.VERSIONING'],
    ['GetBucketLogging', 'GET', 'REST.GET.LOGGING_STATUS'],
    ['GetBucketPolicy', 'GET', 'REST.GET.BUCKETPOLICY'],
    ['PutObject', 'PUT', 'REST.PUT.OBJECT'],
    // Objects.
    ['GetObject', 'GET', 'REST.GET.OBJECT'],
    ['HeadObject', 'HEAD', 'REST.HEAD.OBJECT'],
    ['CopyObject', 'PUT', 'REST.COPY.OBJECT'],
    ['DeleteObject', 'DELETE', 'REST.DELETE.OBJECT'],
    ['DeleteObjects', 'POST', 'REST.POST.MULTI_OBJECT_DELETE'],
    ['PostObject', 'POST', 'REST.POST.OBJECT'],
    ['GetObjectAttributes', 'GET', 'REST.GET.OBJECT_ATTRIBUTES'],
    // Buckets and listings.
    ['ListObjects', 'GET', 'REST.GET.BUCKET'],
    ['ListObjectsV2', 'GET', 'REST.GET.BUCKET'],
    ['ListObjectVersions', 'GET', 'REST.GET.BUCKETVERSIONS'],
    ['CreateBucket', 'PUT', 'REST.PUT.BUCKET'],
    ['DeleteBucket', 'DELETE', 'REST.DELETE.BUCKET'],
    ['HeadBucket', 'HEAD', 'REST.HEAD.BUCKET'],
    ['GetBucketLocation', 'GET', 'REST.GET.LOCATION'],
    // Multipart uploads.
    ['CreateMultipartUpload', 'POST', 'REST.POST.UPLOADS'],
    ['UploadPart', 'PUT', 'REST.PUT.PART'],
    ['UploadPartCopy', 'PUT', 'REST.COPY.PART'],
    ['CompleteMultipartUpload', 'POST', 'REST.POST.UPLOAD'],
    ['AbortMultipartUpload', 'DELETE', 'REST.DELETE.UPLOAD'],
    ['ListParts', 'GET', 'REST.GET.UPLOAD'],
    ['ListMultipartUploads', 'GET', 'REST.GET.UPLOADS'],
    // Sub-resources.
    ['PutBucketLogging', 'PUT', 'REST.PUT.LOGGING_STATUS'],
    ['GetBucketAcl', 'GET', 'REST.GET.ACL'],
    ['PutObjectAcl', 'PUT', 'REST.PUT.ACL'],
    ['PutBucketPolicy', 'PUT', 'REST.PUT.BUCKETPOLICY'],
    ['DeleteBucketPolicy', 'DELETE', 'REST.DELETE.BUCKETPOLICY'],
    ['PutBucketVersioning', 'PUT', 'REST.PUT.VERSIONING'],
    ['GetBucketTagging', 'GET', 'REST.GET.TAGGING'],
    ['PutObjectTagging', 'PUT', 'REST.PUT.OBJECT_TAGGING'],
    ['DeleteObjectTagging', 'DELETE', 'REST.DELETE.OBJECT_TAGGING'],
    ['GetBucketCors', 'GET', 'REST.GET.CORS'],
    ['GetBucketLifecycleConfiguration', 'GET', 'REST.GET.LIFECYCLE'],
    ['DeleteBucketLifecycle', 'DELETE', 'REST.DELETE.LIFECYCLE'],
    ['PutBucketWebsite', 'PUT', 'REST.PUT.WEBSITE'],
    ['GetBucketEncryption', 'GET', 'REST.GET.ENCRYPTION'],
    ['GetPublicAccessBlock', 'GET', 'REST.GET.PUBLIC_ACCESS_BLOCK'],
    ['GetBucketOwnershipControls', 'GET', 'REST.GET.OWNERSHIP_CONTROLS'],
    ['GetBucketPolicyStatus', 'GET', 'REST.GET.POLICY_STATUS'],
    ['GetObjectLockConfiguration', 'GET', 'REST.GET.OBJECT_LOCK_CONFIGURATION'],
    ['PutObjectRetention', 'PUT', 'REST.PUT.RETENTION'],
    ['PutObjectLegalHold', 'PUT', 'REST.PUT.LEGAL_HOLD'],
    ['GetBucketNotificationConfiguration', 'GET', 'REST.GET.NOTIFICATION'],
    ['GetBucketRequestPayment', 'GET', 'REST.GET.REQUEST_PAYMENT'],
    ['GetBucketAccelerateConfiguration', 'GET', 'REST.GET.ACCELERATE'],
    ['GetBucketReplication', 'GET', 'REST.GET.REPLICATION'],
    // Not an endpoint: the server's CORS preflight.
    ['PreflightCors', 'OPTIONS', 'REST.OPTIONS.PREFLIGHT'],
  ])('names %s (%s) %s', (name, method, want) => {
    expect(logOperation(name, method)).toBe(want);
  });

  it('names anything else REST.<METHOD>.<NAME>', () => {
    expect(logOperation('Unsupported', 'GET')).toBe('REST.GET.UNSUPPORTED');
    expect(logOperation('Unsupported', 'post')).toBe('REST.POST.UNSUPPORTED');
    expect(logOperation('Unknown', 'DELETE')).toBe('REST.DELETE.UNKNOWN');
    expect(logOperation('Some-Thing 2', 'M-SEARCH')).toMatch(/^REST\.[A-Z]+\.[A-Z_]+$/);
    expect(logOperation('', '')).toBe('REST.UNKNOWN.UNKNOWN');
  });
});

describe('logObjectKey', () => {
  const source = { ownerId: OWNER, region: 'us-east-1', bucket: 'photos' };
  // Records from 2019-02-06 23:59:59.500, delivered 2019-02-07 00:10:05.
  const at = { eventTime: Date.UTC(2019, 1, 6, 23, 59, 59, 500), deliveryTime: Date.UTC(2019, 1, 7, 0, 10, 5) };
  const UNIQUE = '0A1B2C3D4E5F6A7B';

  it('names SimplePrefix keys, the default, by the delivery time', () => {
    expect(logObjectKey('logs/', undefined, at, source, UNIQUE)).toBe('logs/2019-02-07-00-10-05-0A1B2C3D4E5F6A7B');
    expect(logObjectKey('logs/', { kind: 'simple' }, at, source, UNIQUE)).toBe('logs/2019-02-07-00-10-05-0A1B2C3D4E5F6A7B');
    expect(logObjectKey('', undefined, at, source, UNIQUE)).toBe('2019-02-07-00-10-05-0A1B2C3D4E5F6A7B');
  });

  it('names PartitionedPrefix keys by DeliveryTime under owner, region, bucket and day', () => {
    expect(logObjectKey('logs/', { kind: 'partitioned', dateSource: 'DeliveryTime' }, at, source, UNIQUE)).toBe(
      `logs/${OWNER}/us-east-1/photos/2019/02/07/2019-02-07-00-10-05-0A1B2C3D4E5F6A7B`,
    );
  });

  it("names PartitionedPrefix keys by EventTime: the records' day, its hour, minutes and seconds 00", () => {
    expect(logObjectKey('logs/', { kind: 'partitioned', dateSource: 'EventTime' }, at, source, UNIQUE)).toBe(
      `logs/${OWNER}/us-east-1/photos/2019/02/06/2019-02-06-00-00-00-0A1B2C3D4E5F6A7B`,
    );
  });

  it('pads every part and works in UTC', () => {
    const t = Date.UTC(2025, 0, 2, 3, 4, 5);
    expect(logObjectKey('p', { kind: 'partitioned', dateSource: 'DeliveryTime' }, { eventTime: t, deliveryTime: t }, source, 'X')).toBe(
      `p${OWNER}/us-east-1/photos/2025/01/02/2025-01-02-03-04-05-X`,
    );
  });
});
