import * as s3sdk from '@aws-sdk/client-s3';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { useGateway } from '../support/server';
import { expectBodylessError, expectErrorXml, expectS3Error, md5Base64 } from '../support/s3-assert';
import { rawRequest, type RawRequest } from '../support/raw-http';

/**
 * Walks every request header AWS's own model (the SDK v3 schema of @aws-sdk/client-s3) lists for PutObject,
 * CopyObject, CreateMultipartUpload and GetObject, and checks that each one is honoured or refused: none may be
 * accepted and silently dropped. A header a new SDK adds fails the walk until it is classified here.
 */
const OPERATIONS = ['PutObject', 'CopyObject', 'CreateMultipartUpload', 'GetObject'] as const;
type Operation = (typeof OPERATIONS)[number];

type Disposition =
  /** Stored or acted upon; `where` names the spec that shows it (this one for the round trips below). */
  | { readonly honoured: string }
  /** Refused with this S3 error whatever the value (`value` is a plausible one to send). */
  | { readonly refused: 'NotImplemented' | 'InvalidStorageClass'; readonly value: string }
  /** Accepted with exactly the effect AWS gives it on our buckets. */
  | { readonly asAws: string };

const H = (where: string): Disposition => ({ honoured: where });
const NI = (value: string): Disposition => ({ refused: 'NotImplemented', value });

const HEADERS: Readonly<Record<string, Disposition>> = {
  'cache-control': H('request-headers.spec.ts'),
  'content-disposition': H('request-headers.spec.ts'),
  'content-encoding': H('request-headers.spec.ts'),
  'content-language': H('request-headers.spec.ts'),
  'content-type': H('request-headers.spec.ts'),
  expires: H('request-headers.spec.ts'),
  'x-amz-meta-*': H('request-headers.spec.ts'),
  'content-length': H('objects.spec.ts'),
  'content-md5': H('objects.spec.ts'),
  'x-amz-sdk-checksum-algorithm': H('objects.spec.ts (checksums)'),
  'x-amz-checksum-algorithm': H('multipart.spec.ts / copy-object.spec.ts'),
  'x-amz-checksum-type': H('multipart.spec.ts'),
  'x-amz-checksum-crc32': H('objects.spec.ts'),
  'x-amz-checksum-crc32c': H('objects.spec.ts'),
  'x-amz-checksum-crc64nvme': H('objects.spec.ts'),
  'x-amz-checksum-sha1': H('objects.spec.ts'),
  'x-amz-checksum-sha256': H('objects.spec.ts'),
  'x-amz-checksum-mode': H('object-reads.spec.ts'),
  'if-match': H('objects.spec.ts / object-reads.spec.ts'),
  'if-none-match': H('objects.spec.ts / object-reads.spec.ts'),
  'if-modified-since': H('object-reads.spec.ts'),
  'if-unmodified-since': H('object-reads.spec.ts'),
  range: H('object-reads.spec.ts'),
  'x-amz-copy-source': H('copy-object.spec.ts'),
  'x-amz-copy-source-if-match': H('copy-object.spec.ts'),
  'x-amz-copy-source-if-none-match': H('copy-object.spec.ts'),
  'x-amz-copy-source-if-modified-since': H('copy-object.spec.ts'),
  'x-amz-copy-source-if-unmodified-since': H('copy-object.spec.ts'),
  'x-amz-metadata-directive': H('copy-object.spec.ts'),
  'x-amz-expected-bucket-owner': H('request-headers.spec.ts'),
  'x-amz-source-expected-bucket-owner': H('request-headers.spec.ts'),
  'x-amz-storage-class': H('request-headers.spec.ts (STANDARD only; others InvalidStorageClass)'),
  'x-amz-request-payer': { asAws: 'no bucket is Requester Pays: S3 accepts the header there and charges the owner' },
  'x-amz-server-side-encryption': H('sse.spec.ts'),
  'x-amz-server-side-encryption-aws-kms-key-id': H('sse-kms.spec.ts'),
  'x-amz-server-side-encryption-context': H('sse-kms.spec.ts'),
  'x-amz-server-side-encryption-bucket-key-enabled': H('sse-kms.spec.ts'),
  'x-amz-server-side-encryption-customer-algorithm': H('sse-c.spec.ts (over TLS only)'),
  'x-amz-server-side-encryption-customer-key': H('sse-c.spec.ts (over TLS only)'),
  'x-amz-server-side-encryption-customer-key-md5': H('sse-c.spec.ts (over TLS only)'),
  'x-amz-copy-source-server-side-encryption-customer-algorithm': H('sse-c.spec.ts (over TLS only)'),
  'x-amz-copy-source-server-side-encryption-customer-key': H('sse-c.spec.ts (over TLS only)'),
  'x-amz-copy-source-server-side-encryption-customer-key-md5': H('sse-c.spec.ts (over TLS only)'),
  'x-amz-object-lock-mode': H('object-lock.spec.ts'),
  'x-amz-object-lock-retain-until-date': H('object-lock.spec.ts'),
  'x-amz-object-lock-legal-hold': H('object-lock.spec.ts'),
  'x-amz-object-lock-event-hold': NI('ON'),
  'x-amz-object-lock-event-hold-duration-days': NI('1'),
  'x-amz-object-lock-event-hold-duration-years': NI('1'),
  'x-amz-website-redirect-location': H('website.spec.ts (stored, answered on GET/HEAD, a 301 on the website endpoint)'),
  'x-amz-write-offset-bytes': NI('0'),
  'x-amz-checksum-sha512': NI('AAAA'),
  'x-amz-checksum-md5': NI('1B2M2Y8AsgTpgAmY7PhCfg=='),
  'x-amz-checksum-xxhash64': NI('AAAAAAAAAAA='),
  'x-amz-checksum-xxhash3': NI('AAAAAAAAAAA='),
  'x-amz-checksum-xxhash128': NI('AAAAAAAAAAAAAAAAAAAAAA=='),
  'x-amz-object-annotation-directive': NI('COPY'),
  'x-amz-acl': H('acl.spec.ts'),
  'x-amz-grant-full-control': H('acl.spec.ts'),
  'x-amz-grant-read': H('acl.spec.ts'),
  'x-amz-grant-read-acp': H('acl.spec.ts'),
  'x-amz-grant-write-acp': H('acl.spec.ts'),
  'x-amz-tagging': H('tagging.spec.ts'),
  'x-amz-tagging-directive': H('tagging.spec.ts'),
};

type Trait = readonly [unknown, { readonly httpHeader?: string; readonly httpPrefixHeaders?: string }?];

/** Request headers of one operation in the SDK's schema (`<Op>Request$`: [kind, namespace, name, flags, members, traits]). */
function modelHeaders(op: Operation): string[] {
  const schema = (s3sdk as unknown as Record<string, readonly unknown[] | undefined>)[`${op}Request$`];
  const traits = (schema?.[5] ?? []) as readonly Trait[];
  const out: string[] = [];
  for (const t of traits) {
    const tr = Array.isArray(t) ? t[1] : undefined;
    if (tr?.httpHeader) out.push(tr.httpHeader.toLowerCase());
    if (tr?.httpPrefixHeaders) out.push(`${tr.httpPrefixHeaders.toLowerCase()}*`);
  }
  return out;
}

const gw = useGateway();
const Bucket = 'req-headers';
let s3: S3Client;

beforeAll(async () => {
  s3 = s3Client(gw);
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: 'source' }));
});

/** A minimal raw request for `op` on `key`, with `headers` added. */
function requestFor(op: Operation, key: string, headers: Record<string, string>): RawRequest {
  switch (op) {
    case 'PutObject':
      return { method: 'PUT', path: `/${Bucket}/${key}`, body: 'x', headers };
    case 'CopyObject':
      return { method: 'PUT', path: `/${Bucket}/${key}`, headers: { 'x-amz-copy-source': `/${Bucket}/src`, ...headers } };
    case 'CreateMultipartUpload':
      return { method: 'POST', path: `/${Bucket}/${key}`, query: { uploads: '' }, headers };
    case 'GetObject':
      return { method: 'GET', path: `/${Bucket}/src`, headers };
  }
}

describe("AWS's request headers: each honoured or refused", () => {
  it('reads the header lists from the SDK model', () => {
    const put = modelHeaders('PutObject');
    expect(put).toEqual(expect.arrayContaining(['content-type', 'x-amz-storage-class', 'x-amz-server-side-encryption', 'x-amz-meta-*']));
    expect(modelHeaders('GetObject')).toEqual(expect.arrayContaining(['range', 'if-match', 'x-amz-checksum-mode']));
  });

  it.each(OPERATIONS)('every %s header in the model is classified', (op) => {
    const unclassified = modelHeaders(op).filter((h) => HEADERS[h] === undefined);
    expect(unclassified).toEqual([]);
  });

  const refusals = OPERATIONS.flatMap((op) =>
    modelHeaders(op).flatMap((h) => {
      const d = HEADERS[h];
      return d && 'refused' in d ? [{ op, header: h, value: d.value, code: d.refused }] : [];
    }),
  );
  it.each(refusals)('$op with $header is refused ($code) and writes nothing', async ({ op, header, value, code }) => {
    const key = `refused-${op}-${header}`;
    const r = await rawRequest(gw, requestFor(op, key, { [header]: value }));
    expect(r.status).toBe(501);
    expect(expectErrorXml(r.text, code).Header).toBe(header);
    if (op !== 'GetObject') await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key: key })), 404);
  });
});

describe('x-amz-storage-class', () => {
  it.each(['PutObject', 'CopyObject', 'CreateMultipartUpload'] as const)('%s: GLACIER and unknown classes are InvalidStorageClass, nothing written', async (op) => {
    for (const sc of ['GLACIER', 'STANDARD_IA', 'FROZEN']) {
      const key = `sc-${op}-${sc}`;
      const r = await rawRequest(gw, requestFor(op, key, { 'x-amz-storage-class': sc }));
      expect([sc, r.status]).toEqual([sc, 400]);
      expect(expectErrorXml(r.text, 'InvalidStorageClass').StorageClassRequested).toBe(sc);
      await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key: key })), 404);
    }
  });

  it('STANDARD is accepted by the SDK on put, copy and multipart; HEAD sends no storage class; listings say STANDARD', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'std/put', Body: 'p', StorageClass: 'STANDARD' }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'std/copy', CopySource: `${Bucket}/std/put`, StorageClass: 'STANDARD' }));
    const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'std/mpu', StorageClass: 'STANDARD' }));
    expect(mpu.UploadId).toBeTruthy();
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'std/glacier', Body: 'g', StorageClass: 'GLACIER' })), 'InvalidStorageClass', 400);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'std/copy' }));
    expect(head.StorageClass).toBeUndefined();
    const list = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'std/' }));
    expect(list.Contents?.map((o) => [o.Key, o.StorageClass])).toEqual([
      ['std/copy', 'STANDARD'],
      ['std/put', 'STANDARD'],
    ]);
  });
});

describe('honoured headers round-trip', () => {
  const stored = {
    'cache-control': 'max-age=60',
    'content-disposition': 'attachment; filename="a.txt"',
    'content-encoding': 'identity',
    'content-language': 'de',
    'content-type': 'text/x-test',
    expires: 'Wed, 21 Oct 2043 07:28:00 GMT',
    'x-amz-meta-colour': 'blue',
  };

  it.each(['PutObject', 'CopyObject', 'CreateMultipartUpload'] as const)('%s stores the content headers and metadata', async (op) => {
    const key = `honoured-${op}`;
    const extra: Record<string, string> = op === 'CopyObject' ? { 'x-amz-metadata-directive': 'REPLACE' } : {};
    const r = await rawRequest(gw, requestFor(op, key, { ...stored, ...extra }));
    expect(r.status).toBe(200);
    if (op === 'CreateMultipartUpload') {
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(r.text)![1];
      const part = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/${key}`, query: { partNumber: '1', uploadId }, body: 'part' });
      const etag = part.headers['etag'] as string;
      const done = await rawRequest(gw, {
        method: 'POST',
        path: `/${Bucket}/${key}`,
        query: { uploadId },
        body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`,
      });
      expect(done.status).toBe(200);
    }
    const head = await rawRequest(gw, { method: 'HEAD', path: `/${Bucket}/${key}` });
    expect(head.status).toBe(200);
    for (const [name, value] of Object.entries(stored)) expect([name, head.headers[name]]).toEqual([name, value]);
  });

  it('x-amz-expected-bucket-owner and x-amz-source-expected-bucket-owner: the owner passes, anyone else is AccessDenied', async () => {
    const owner = (await s3.send(new ListBucketsCommand({}))).Owner!.ID!;
    await s3.send(new PutObjectCommand({ Bucket, Key: 'owned', Body: 'o', ExpectedBucketOwner: owner }));
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'not-owned', Body: 'o', ExpectedBucketOwner: '111122223333' })), 'AccessDenied', 403);
    await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key: 'not-owned' })), 404);
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'owned-copy', CopySource: `${Bucket}/owned`, ExpectedSourceBucketOwner: owner }));
    await expectS3Error(
      s3.send(new CopyObjectCommand({ Bucket, Key: 'owned-copy2', CopySource: `${Bucket}/owned`, ExpectedSourceBucketOwner: '111122223333' })),
      'AccessDenied',
      403,
    );
    await expectBodylessError(s3.send(new HeadObjectCommand({ Bucket, Key: 'src', ExpectedBucketOwner: '111122223333' })), 403);
  });

  it('bucket encryption: a PUT needs Content-MD5 (or a checksum) as S3; a bucket without a default reads as none, not as the SSE-S3 default AWS reports', async () => {
    const xml =
      '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';
    const bare = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}`, query: { encryption: '' }, body: xml });
    expect(bare.status).toBe(400);
    expectErrorXml(bare.text, 'InvalidRequest');
    // Never AWS's SSE-S3 default: the bucket has no default encryption (objects written without one are stored as sent).
    const get = await rawRequest(gw, { method: 'GET', path: `/${Bucket}`, query: { encryption: '' } });
    expect(get.status).toBe(404);
    expectErrorXml(get.text, 'ServerSideEncryptionConfigurationNotFoundError');
    const put = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}`, query: { encryption: '' }, body: xml, headers: { 'content-md5': md5Base64(xml) } });
    expect(put.status).toBe(200);
    const set = await rawRequest(gw, { method: 'GET', path: `/${Bucket}`, query: { encryption: '' } });
    expect(set.status).toBe(200);
    expect(set.text).toContain('<SSEAlgorithm>AES256</SSEAlgorithm>');
    expect((await rawRequest(gw, { method: 'DELETE', path: `/${Bucket}`, query: { encryption: '' } })).status).toBe(204);
  });

  it('x-amz-request-payer is accepted as S3 does on a bucket that is not Requester Pays (no charge header)', async () => {
    const r = await rawRequest(gw, requestFor('GetObject', 'src', { 'x-amz-request-payer': 'requester' }));
    expect([r.status, r.text]).toEqual([200, 'source']);
    expect(r.headers['x-amz-request-charged']).toBeUndefined();
  });
});
