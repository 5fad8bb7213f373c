import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketReplicationCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { useGateway } from '../support/server';
import { expectErrorXml, expectS3Error, md5Base64, parseXml } from '../support/s3-assert';
import { rawRequest, type RawRequest } from '../support/raw-http';

const gw = useGateway();
const Bucket = 'protocol';
let s3: S3Client;

beforeAll(async () => {
  s3 = s3Client(gw);
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'obj', Body: 'hello' }));
});

describe('request ids and error documents', () => {
  const cases: [string, RawRequest, number, string | null][] = [
    ['ListBuckets', { method: 'GET', path: '/' }, 200, null],
    ['HeadBucket', { method: 'HEAD', path: `/${Bucket}` }, 200, null],
    ['GetObject', { method: 'GET', path: `/${Bucket}/obj` }, 200, null],
    ['HeadObject missing', { method: 'HEAD', path: `/${Bucket}/missing` }, 404, null],
    ['GetObject missing', { method: 'GET', path: `/${Bucket}/missing` }, 404, 'NoSuchKey'],
    ['GetObject missing bucket', { method: 'GET', path: '/no-such-bucket-here/k' }, 404, 'NoSuchBucket'],
    ['ListObjects missing bucket', { method: 'GET', path: '/no-such-bucket-here' }, 404, 'NoSuchBucket'],
    ['DeleteBucket not empty', { method: 'DELETE', path: `/${Bucket}` }, 409, 'BucketNotEmpty'],
    ['CreateBucket bad name', { method: 'PUT', path: '/Bad_Name' }, 400, 'InvalidBucketName'],
    ['anonymous', { method: 'GET', path: `/${Bucket}/obj`, sign: false }, 403, 'AccessDenied'],
    ['PUT ?inventory', { method: 'PUT', path: `/${Bucket}`, query: { inventory: '', id: 'c1' }, body: '<InventoryConfiguration/>' }, 501, 'NotImplemented'],
    ['GET ?inventory&id', { method: 'GET', path: `/${Bucket}`, query: { inventory: '', id: 'c1' } }, 404, 'NoSuchConfiguration'],
    ['GET object ?torrent', { method: 'GET', path: `/${Bucket}/obj`, query: { torrent: '' } }, 501, 'NotImplemented'],
    ['PUT object ?retention without Object Lock', { method: 'PUT', path: `/${Bucket}/obj`, query: { retention: '' }, body: '<Retention><Mode>GOVERNANCE</Mode></Retention>' }, 400, 'InvalidRequest'],
    ['GET ?cors without rules', { method: 'GET', path: `/${Bucket}`, query: { cors: '' } }, 404, 'NoSuchCORSConfiguration'],
    ['POST object', { method: 'POST', path: `/${Bucket}/obj` }, 405, 'MethodNotAllowed'],
    ['PATCH object', { method: 'PATCH', path: `/${Bucket}/obj`, body: 'x' }, 405, 'MethodNotAllowed'],
    ['PROPFIND bucket', { method: 'PROPFIND', path: `/${Bucket}` }, 405, 'MethodNotAllowed'],
    ['OPTIONS service', { method: 'OPTIONS', path: '/' }, 405, 'MethodNotAllowed'],
  ];

  it.each(cases)('%s → %d %s, with x-amz-request-id', async (_name, req, status, code) => {
    const r = await rawRequest(gw, req);
    expect(r.status).toBe(status);
    const id = r.headers['x-amz-request-id'] as string;
    expect(id).toMatch(/^\S{8,}$/);
    if (req.method === 'HEAD') expect(r.body.length).toBe(0);
    if (code) {
      expect(r.headers['content-type']).toMatch(/^application\/xml/);
      const e = expectErrorXml(r.text, code, id);
      // Resource is the request path.
      expect(e['Resource']).toBe(req.path);
    }
  });

  it('every request gets its own request id', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await rawRequest(gw, { method: 'GET', path: `/${Bucket}/missing` })).headers['x-amz-request-id'] as string);
    expect(ids.size).toBe(5);
  });

  it('the SDK sees the request id on success and on errors', async () => {
    const ok = await s3.send(new HeadObjectCommand({ Bucket, Key: 'obj' }));
    expect(ok.$metadata.requestId).toBeTruthy();
    const err = await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'missing' })), 'NoSuchKey', 404);
    expect(err.$metadata?.requestId).toBeTruthy();
  });

  it('unsupported operations through the SDK → NotImplemented 501', async () => {
    await expectS3Error(
      s3.send(new PutBucketReplicationCommand({ Bucket, ReplicationConfiguration: { Role: 'arn:aws:iam::1:role/r', Rules: [{ Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::dest' } }] } })),
      'NotImplemented',
      501,
    );
    // The unsupported PUT did not touch the object.
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'obj' }));
    expect(await got.Body!.transformToString()).toBe('hello');
  });

  it('headers promising guarantees we cannot give here → refused, nothing stored: DSSE-KMS 501, SSE-C over plain HTTP 400', async () => {
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'guarded', Body: 'secret', ServerSideEncryption: 'aws:kms:dsse' })), 'NotImplemented', 501);
    // SSE-C is served over TLS only (sse-c.spec.ts): in clear, the key that opens the object would travel readable.
    const customerKey = Buffer.alloc(32, 7);
    const sseC = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: customerKey.toString('base64'), SSECustomerKeyMD5: md5Base64(customerKey) };
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'guarded', Body: 'secret', ...sseC })), 'InvalidArgument', 400);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'guarded' })), 'NotFound', 404);
  });

  it('malformed input never leaks internals: bad percent-encoding, bad XML with entities', async () => {
    const badUri = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/%E0%A4%A` });
    expect(badUri.status).toBe(400);
    expectErrorXml(badUri.text, 'InvalidURI');
    const xxe = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&x;</Key></Object></Delete>';
    const r = await rawRequest(gw, { method: 'POST', path: `/${Bucket}`, query: { delete: '' }, body: xxe, headers: { 'content-md5': md5Base64(xxe) } });
    expect(r.status).toBe(400);
    expectErrorXml(r.text, 'MalformedXML');
    expect(r.text).not.toContain('root:');
  });

  it('health endpoints answer without authentication', async () => {
    for (const p of ['/-/health/live', '/-/health/ready']) {
      const r = await fetch(`${gw.endpoint}${p}`);
      expect([p, r.status]).toEqual([p, 200]);
      await r.arrayBuffer();
    }
  });
});

describe('DeleteObjects', () => {
  const keys = ['d/1', 'd/2', 'd/3 & <4>', 'd/ü'];
  beforeEach(async () => {
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
  });

  it('verbose: reports every key as Deleted, including missing ones', async () => {
    const r = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [...keys, 'd/missing'].map((Key) => ({ Key })) } }));
    expect((r.Deleted ?? []).map((d) => d.Key).sort()).toEqual([...keys, 'd/missing'].sort());
    expect(r.Errors ?? []).toEqual([]);
    const left = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'd/' }));
    expect(left.KeyCount).toBe(0);
  });

  it('quiet: reports nothing on success, still deletes', async () => {
    const r = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Quiet: true, Objects: [...keys, 'd/missing'].map((Key) => ({ Key })) } }));
    expect(r.Deleted ?? []).toEqual([]);
    expect(r.Errors ?? []).toEqual([]);
    const left = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'd/' }));
    expect(left.KeyCount).toBe(0);
  });

  it('the raw XML answer is a DeleteResult with one Deleted per key', async () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      '<Object><Key>d/1</Key></Object><Object><Key>d/3 &amp; &lt;4&gt;</Key></Object></Delete>';
    const r = await rawRequest(gw, { method: 'POST', path: `/${Bucket}`, query: { delete: '' }, body, headers: { 'content-md5': md5Base64(body) } });
    expect(r.status).toBe(200);
    const doc = parseXml(r.text)['DeleteResult'] as Record<string, unknown>;
    const deleted = ([] as { Key: string }[]).concat(doc['Deleted'] as { Key: string }[]);
    expect(deleted.map((d) => d.Key).sort()).toEqual(['d/1', 'd/3 & <4>']);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'd/3 & <4>' })), 'NotFound', 404);
    await s3.send(new HeadObjectCommand({ Bucket, Key: 'd/2' }));
  });

  it('a wrong Content-MD5 → BadDigest 400 and nothing deleted', async () => {
    const body = '<Delete><Object><Key>d/1</Key></Object></Delete>';
    const r = await rawRequest(gw, { method: 'POST', path: `/${Bucket}`, query: { delete: '' }, body, headers: { 'content-md5': md5Base64('other') } });
    expect(r.status).toBe(400);
    expectErrorXml(r.text, 'BadDigest');
    await s3.send(new HeadObjectCommand({ Bucket, Key: 'd/1' }));
  });

  it('more than 1000 keys or no keys → MalformedXML 400', async () => {
    const objs = Array.from({ length: 1001 }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join('');
    const many = `<Delete>${objs}</Delete>`;
    const r = await rawRequest(gw, { method: 'POST', path: `/${Bucket}`, query: { delete: '' }, body: many, headers: { 'content-md5': md5Base64(many) } });
    expect(r.status).toBe(400);
    expectErrorXml(r.text, 'MalformedXML');
    const none = '<Delete></Delete>';
    const r2 = await rawRequest(gw, { method: 'POST', path: `/${Bucket}`, query: { delete: '' }, body: none, headers: { 'content-md5': md5Base64(none) } });
    expect(r2.status).toBe(400);
    expectErrorXml(r2.text, 'MalformedXML');
  });
});
