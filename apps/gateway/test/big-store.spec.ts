import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { LmdbKv } from '@massive/kv-embedded';
import { MetadataService } from '@massive/metadata-core';
import { bigBucketBody, bigBucketLayout, fillBigBucket, readUsage } from '@massive/metadata-core/testing';
import { buildBigStore, STAMP_FILE } from './bench/big-store';
import { CREDS, LocalServer } from './local-server';

// The LIST benchmark's bulk loader (npm run bench -- --only listbig) writes its buckets straight into
// the KV: these specs keep its records what the service and the gateway expect, so it cannot rot.
const ctx = { requestId: 'spec', signal: new AbortController().signal, deadline: Number.MAX_SAFE_INTEGER };
const KEYS = 2000;
const layout = bigBucketLayout(KEYS);

describe('big bucket loader', () => {
  it('lays keys out in listing order under 1,000 top-level prefixes', () => {
    expect(layout).toMatchObject({ dirs: 1000, perDir: 2 });
    expect([layout.key(0), layout.key(1), layout.key(2), layout.key(1999)]).toEqual(['dir-0000/obj-00000', 'dir-0000/obj-00001', 'dir-0001/obj-00000', 'dir-0999/obj-00001']);
    const keys = Array.from({ length: KEYS }, (_, i) => layout.key(i));
    expect([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))).toEqual(keys);
    const big = bigBucketLayout(10_000_000);
    expect([big.dirs, big.perDir, big.key(9_999_999)]).toEqual([1000, 10_000, 'dir-0999/obj-09999']);
    expect(bigBucketLayout(1000)).toMatchObject({ dirs: 1000, perDir: 1 });
  });

  describe('on LMDB, through MetadataService', () => {
    const dir = mkdtempSync(join(tmpdir(), 'massive-big-bucket-'));
    let kv: LmdbKv;
    let api: MetadataService;
    beforeAll(async () => {
      kv = new LmdbKv({ path: dir });
      api = new MetadataService({ kv });
      await api.createBucket({ name: 'big', region: 'us-east-1', owner: { id: 'o', displayName: 'o' } }, ctx);
      const res = await fillBigBucket(kv, { bucket: 'big', keys: KEYS, batch: 300 });
      expect(res.transactions).toBe(8); // 7 batches + the usage stripes
    });
    afterAll(async () => {
      await kv.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('lists pages, a page after a marker and the top-level prefixes', async () => {
      const first = await api.listObjects({ bucket: 'big', maxKeys: 1000 }, ctx);
      expect(first.objects.map((o) => o.key)).toEqual(Array.from({ length: 1000 }, (_, i) => layout.key(i)));
      expect(first.isTruncated).toBe(true);
      expect(first.objects[7]).toMatchObject({ size: bigBucketBody(layout.key(7)).body.length, etag: bigBucketBody(layout.key(7)).etag });
      const mid = await api.listObjects({ bucket: 'big', maxKeys: 1000, startAfter: layout.key(1234) }, ctx);
      expect(mid.objects.map((o) => o.key)).toEqual(Array.from({ length: KEYS - 1235 }, (_, i) => layout.key(1235 + i)));
      expect(mid.isTruncated).toBe(false);
      const top = await api.listObjects({ bucket: 'big', maxKeys: 1000, delimiter: '/' }, ctx);
      expect(top.objects).toEqual([]);
      expect(top.commonPrefixes).toEqual(Array.from({ length: 1000 }, (_, d) => `dir-${String(d).padStart(4, '0')}/`));
      expect(top.isTruncated).toBe(false);
      const dir = await api.listObjects({ bucket: 'big', maxKeys: 1000, prefix: 'dir-0042/', delimiter: '/' }, ctx);
      expect(dir.objects.map((o) => o.key)).toEqual([layout.key(84), layout.key(85)]);
    });

    it('reads objects with their bodies, and keeps usage right through overwrite and delete', async () => {
      const k = layout.key(1500);
      const got = await api.getObject({ bucket: 'big', key: k }, ctx);
      expect(got.data).toEqual({ kind: 'inline', bytes: bigBucketBody(k).body });
      expect(got.etag).toBe(bigBucketBody(k).etag);
      const bytes = Array.from({ length: KEYS }, (_, i) => Buffer.byteLength(layout.key(i))).reduce((a, b) => a + b, 0);
      expect(await readUsage(kv, 'big')).toEqual({ objects: KEYS, bytes });

      await api.putObject({ bucket: 'big', key: k, size: 3, etag: 'e', headers: { userMetadata: {} }, data: { kind: 'inline', bytes: Buffer.from('new') } }, ctx);
      await api.deleteObject({ bucket: 'big', key: layout.key(1501) }, ctx);
      expect(await readUsage(kv, 'big')).toEqual({ objects: KEYS - 1, bytes: bytes - 2 * Buffer.byteLength(k) + 3 });
      await expect(api.getObject({ bucket: 'big', key: layout.key(1501) }, ctx)).rejects.toMatchObject({ code: 'NoSuchKey' });
      const after = await api.listObjects({ bucket: 'big', maxKeys: 3, startAfter: layout.key(1499) }, ctx);
      expect(after.objects.map((o) => [o.key, o.size])).toEqual([
        [k, 3],
        [layout.key(1502), Buffer.byteLength(layout.key(1502))],
        [layout.key(1503), Buffer.byteLength(layout.key(1503))],
      ]);
    });

    it('refuses a bucket that is not empty', async () => {
      await expect(fillBigBucket(kv, { bucket: 'big', keys: 10 })).rejects.toThrow('not empty');
    });
  });

  describe('a built data dir, served by the gateway (dist)', () => {
    const server = new LocalServer();
    beforeAll(async () => {
      const stamp = await buildBigStore({ dataDir: server.dataDir, accessKey: CREDS.accessKeyId, buckets: [{ name: 'small', keys: 10 }, { name: 'big', keys: KEYS }], batch: 500 });
      expect(stamp.buckets.map((b) => [b.name, b.objects])).toEqual([['small', 10], ['big', KEYS]]);
      expect(JSON.parse(readFileSync(join(server.dataDir, STAMP_FILE), 'utf8'))).toEqual(stamp);
      await server.start();
    });
    afterAll(() => server.dispose());

    it('lists, GETs, HEADs, overwrites and deletes the built objects over S3', async () => {
      const s3 = server.client();
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'big', MaxKeys: 1000, StartAfter: layout.key(499) }));
      expect(page.Contents?.map((o) => o.Key)).toEqual(Array.from({ length: 1000 }, (_, i) => layout.key(500 + i)));
      expect(page.IsTruncated).toBe(true);
      const next = await s3.send(new ListObjectsV2Command({ Bucket: 'big', ContinuationToken: page.NextContinuationToken }));
      expect(next.Contents?.map((o) => o.Key)).toEqual(Array.from({ length: 500 }, (_, i) => layout.key(1500 + i)));
      const top = await s3.send(new ListObjectsV2Command({ Bucket: 'big', Delimiter: '/' }));
      expect(top.CommonPrefixes).toHaveLength(1000);
      expect((await s3.send(new ListObjectsV2Command({ Bucket: 'small' }))).KeyCount).toBe(10);

      const k = layout.key(777);
      const got = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: k }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).toString()).toBe(k);
      expect(got.ETag).toBe(`"${bigBucketBody(k).etag}"`);
      expect((await s3.send(new HeadObjectCommand({ Bucket: 'big', Key: k }))).ContentLength).toBe(Buffer.byteLength(k));
      await s3.send(new PutObjectCommand({ Bucket: 'big', Key: k, Body: 'over' }));
      await s3.send(new DeleteObjectCommand({ Bucket: 'big', Key: layout.key(778) }));
      const around = await s3.send(new ListObjectsV2Command({ Bucket: 'big', MaxKeys: 2, StartAfter: layout.key(776) }));
      expect(around.Contents?.map((o) => [o.Key, o.Size])).toEqual([
        [k, 4],
        [layout.key(779), Buffer.byteLength(layout.key(779))],
      ]);
    });
  });
});
