import { createHash } from 'node:crypto';
import { ServiceError, type MetadataApi } from '@massive/contracts';
import { BucketWriteDefaults } from '../../http/bucket-write-defaults';
import { DEFAULT_S3_CONFIG, type S3ApiDeps, type S3Request, type SseKeys } from '../../types';
import { putBucketEncryption } from './put-bucket-encryption';

const ctx = { requestId: 'r' };
const AES = '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';
const md5 = (s: string) => createHash('md5').update(s).digest('base64');
const KEYS = {} as SseKeys;

/** Metadata with bucket `b` only: what was stored (`kind=document`), and every call in order. */
function fakeMetadata() {
  const calls: string[] = [];
  const docs = new Map<string, string>();
  const metadata = {
    getBucket: async ({ name }: { name: string }) => {
      calls.push(`getBucket ${name}`);
      if (name !== 'b') throw new ServiceError('NoSuchBucket', 'no bucket');
      return { name };
    },
    getBucketConfig: async ({ bucket }: { bucket: string }) => {
      calls.push(`getBucketConfig ${bucket}`);
      const encryption = docs.get(bucket);
      return { bucket: { name: bucket }, documents: encryption === undefined ? {} : { encryption } };
    },
    putBucketConfig: async ({ bucket, kind, document }: { bucket: string; kind: string; document?: string }) => {
      calls.push(`putBucketConfig ${bucket} ${kind}=${document}`);
      if (document === undefined) docs.delete(bucket);
      else docs.set(bucket, document);
    },
  } as unknown as MetadataApi;
  return { metadata, calls };
}

function request(body: string, headers: Record<string, string> = { 'content-md5': md5(body) }): S3Request & { reads: () => number } {
  let reads = 0;
  const bytes = Buffer.from(body);
  const req = {
    headers,
    ctx,
    body: {
      length: bytes.length,
      trailerChecksum: undefined,
      trailers: () => ({}),
      collect: async () => {
        reads++;
        return bytes;
      },
    },
  } as unknown as S3Request;
  return Object.assign(req, { reads: () => reads });
}

function put(bucket: string, req: S3Request, extra: Partial<S3ApiDeps> = {}) {
  const m = fakeMetadata();
  const deps = { metadata: m.metadata, config: DEFAULT_S3_CONFIG, sse: KEYS, ...extra } as unknown as S3ApiDeps;
  return { ...m, deps, done: putBucketEncryption({ name: 'PutBucketEncryption', bucket }, req, deps) };
}

describe('PutBucketEncryption', () => {
  it('stores the normalised JSON document (200), BucketKeyEnabled false when not given', async () => {
    const { done, calls } = put('b', request(AES));
    await expect(done).resolves.toEqual({ status: 200 });
    expect(calls).toEqual(['getBucket b', 'putBucketConfig b encryption={"v":1,"a":"AES256","bk":false}']);
  });

  it('keeps BucketKeyEnabled as given', async () => {
    const xml = AES.replace('</Rule>', '<BucketKeyEnabled>true</BucketKeyEnabled></Rule>');
    const { done, calls } = put('b', request(xml));
    await done;
    expect(calls[1]).toBe('putBucketConfig b encryption={"v":1,"a":"AES256","bk":true}');
  });

  it('drops this gateway\'s cached default at once', async () => {
    const m = fakeMetadata();
    const cache = new BucketWriteDefaults(m.metadata, { ttlMs: 60_000, maxEntries: 10 });
    expect((await cache.defaultEncryption('b', ctx))?.algorithm).toBeUndefined();
    const deps = { metadata: m.metadata, config: DEFAULT_S3_CONFIG, sse: KEYS, writeDefaults: cache } as unknown as S3ApiDeps;
    await putBucketEncryption({ name: 'PutBucketEncryption', bucket: 'b' }, request(AES), deps);
    expect((await cache.defaultEncryption('b', ctx))?.algorithm).toBe('AES256');
  });

  it('is NoSuchBucket for a missing bucket before the body is read, even an invalid one (as S3)', async () => {
    const req = request('<ServerSideEncryptionConfiguration/>');
    const { done, calls } = put('nope', req);
    await expect(done).rejects.toMatchObject({ code: 'NoSuchBucket' });
    expect(req.reads()).toBe(0);
    expect(calls).toEqual(['getBucket nope']);
  });

  it('is NotImplemented without master keys, before the body is read, storing nothing', async () => {
    const req = request(AES);
    const { done, calls } = put('b', req, { sse: undefined });
    await expect(done).rejects.toMatchObject({ code: 'NotImplemented', message: 'Server-side encryption is not configured on this service (no master key)' });
    expect(req.reads()).toBe(0);
    expect(calls).toEqual(['getBucket b']);
  });

  it('requires an integrity header (InvalidRequest) and checks it (BadDigest)', async () => {
    await expect(put('b', request(AES, {})).done).rejects.toMatchObject({ code: 'InvalidRequest', message: 'Missing required header for this request: Content-MD5' });
    await expect(put('b', request(AES, { 'content-md5': md5('other') })).done).rejects.toMatchObject({ code: 'BadDigest' });
  });

  it.each([
    ['two rules', AES.replace('</Rule>', '</Rule><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>'), 'MalformedXML'],
    ['a KMS key beside AES256', AES.replace('</SSEAlgorithm>', '</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID>'), 'InvalidArgument'],
    ['DSSE-KMS', AES.replace('AES256', 'aws:kms:dsse'), 'NotImplemented'],
  ])('refuses %s (%s) and stores nothing', async (_what, xml, code) => {
    const { done, calls } = put('b', request(xml));
    await expect(done).rejects.toMatchObject({ code });
    expect(calls).toEqual(['getBucket b']);
  });
});
