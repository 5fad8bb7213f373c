import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

const SCRIPT = resolve(__dirname, '../../../tools/start-distributed.mjs');
const CREDS = { accessKeyId: 'AKIDDISTRIBUTEDTIKV', secretAccessKey: 'distributed-tikv-secret' };

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pids: readonly number[], ms = 10_000): Promise<number[]> {
  const until = Date.now() + ms;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// `npm run start:distributed` with MASSIVE_METADATA_BACKEND=tikv and no PD endpoints: the script
// starts the TiKV protocol fake as a fourth process (saying loudly that it is one), the metadata
// service keeps everything in it through TikvKv, and S3 works end to end. Needs `npm run build`.
describe('start:distributed with MASSIVE_METADATA_BACKEND=tikv (TiKV protocol fake)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'massive-dist-tikv-'));
  let proc: ChildProcess;
  let out = '';
  let endpoint = '';

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MASSIVE_PORT: '0',
      MASSIVE_HOST: '127.0.0.1',
      MASSIVE_DATA_DIR: dataDir,
      MASSIVE_ACCESS_KEY: CREDS.accessKeyId,
      MASSIVE_SECRET_KEY: CREDS.secretAccessKey,
      MASSIVE_LOG_LEVEL: 'warn',
      MASSIVE_METADATA_BACKEND: 'tikv',
    };
    delete env.MASSIVE_PD_ENDPOINTS;
    proc = spawn(process.execPath, [SCRIPT, '--no-build'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stderr!.on('data', (d) => (out += d));
    endpoint = await new Promise<string>((res, rej) => {
      proc.stdout!.on('data', (d) => {
        out += d;
        const m = /Massive Storage \(distributed mode\) listening on (http:\/\/[^\s]+)/.exec(out);
        if (m) res(m[1]);
      });
      proc.once('exit', (code) => rej(new Error(`start-distributed exited (${code}): ${out}`)));
    });
  });
  afterAll(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the fake first and says loudly that it is an in-memory test fake', () => {
    expect(out).toMatch(/starting the TiKV PROTOCOL FAKE/);
    expect(out).toMatch(/TEST FAKE of PD \+ TiKV .*NOT TiKV, NOT durable/);
    expect(out).toMatch(/^ {2}fake-tikv +PD 127\.0\.0\.1:\d+ +!! TEST FAKE of TiKV/m);
    expect(out.indexOf('[fake-tikv]')).toBeLessThan(out.indexOf('  blob '));
  });

  it('serves S3 with its metadata in TiKV: buckets, objects, listings, multipart, BucketNotEmpty; SIGTERM stops all four', async () => {
    const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS, maxAttempts: 1 });
    const Bucket = 'tikv-dist';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new HeadBucketCommand({ Bucket }));
    // Again by its owner: 200 in us-east-1 (S3's legacy answer there), and still one bucket.
    expect((await s3.send(new CreateBucketCommand({ Bucket }))).$metadata.httpStatusCode).toBe(200);

    // Inline (small) and chunked (above the inline threshold: bytes in the blob service) objects.
    const big = Buffer.alloc(300 * 1024, 7);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'docs/small.txt', Body: 'hello tikv' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'docs/big.bin', Body: big }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'top.txt', Body: 'top' }));
    const small = await s3.send(new GetObjectCommand({ Bucket, Key: 'docs/small.txt' }));
    expect(await small.Body!.transformToString()).toBe('hello tikv');
    const range = await s3.send(new GetObjectCommand({ Bucket, Key: 'docs/big.bin', Range: 'bytes=100-199' }));
    expect(Buffer.from(await range.Body!.transformToByteArray())).toEqual(big.subarray(100, 200));

    const all = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(all.Contents?.map((o) => o.Key)).toEqual(['docs/big.bin', 'docs/small.txt', 'top.txt']);
    const delimited = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/' }));
    expect(delimited.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['docs/']);
    expect(delimited.Contents?.map((o) => o.Key)).toEqual(['top.txt']);
    const paged = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 2 }));
    expect(paged.IsTruncated).toBe(true);
    const rest = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 2, ContinuationToken: paged.NextContinuationToken }));
    expect(rest.Contents?.map((o) => o.Key)).toEqual(['top.txt']);

    // A small multipart upload: one 5 MiB part (the minimum for a non-last part) and a short last one.
    const Key = 'multi.bin';
    const p1 = Buffer.alloc(5 * 1024 * 1024, 1);
    const p2 = Buffer.from('the tail');
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const e1 = (await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: p1 }))).ETag;
    const e2 = (await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: p2 }))).ETag;
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] } }),
    );
    expect(done.ETag).toMatch(/-2"$/);
    const whole = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(Number(whole.ContentLength)).toBe(p1.length + p2.length);
    expect(Buffer.from(await whole.Body!.transformToByteArray()).subarray(p1.length).toString()).toBe('the tail');

    // Not empty: refused. Emptied: deleted.
    expect(await s3.send(new DeleteBucketCommand({ Bucket })).catch((e: { name: string }) => e.name)).toBe('BucketNotEmpty');
    for (const k of ['docs/small.txt', 'docs/big.bin', 'top.txt', Key]) await s3.send(new DeleteObjectCommand({ Bucket, Key: k }));
    expect(await s3.send(new GetObjectCommand({ Bucket, Key: 'top.txt' })).catch((e: { name: string }) => e.name)).toBe('NoSuchKey');
    await s3.send(new DeleteBucketCommand({ Bucket }));
    expect(await s3.send(new HeadBucketCommand({ Bucket })).catch((e: { name: string }) => e.name)).toBe('NotFound');
    s3.destroy();

    // The metadata service really went through the TiKV client (its metrics are on its /metrics).
    const metadataAdmin = /^ {2}metadata +\S+ +admin (http:\/\/\S+)/m.exec(out)?.[1];
    expect(metadataAdmin).toBeDefined();
    const metrics = await (await fetch(`${metadataAdmin}/metrics`)).text();
    const committed = /^tikv_txn_total\{[^}]*result="committed"[^}]*\} (\d+)/m.exec(metrics);
    expect(Number(committed?.[1] ?? 0)).toBeGreaterThan(5);
    expect(metrics).toMatch(/^tikv_rpc_duration_seconds_count\{[^}]*method="KvPrewrite"[^}]*\} [1-9]/m);

    // SIGTERM: exit 0, and every child (fake-tikv, blob, metadata, gateway) is gone.
    const pids = [...out.matchAll(/^ {2}(fake-tikv|blob|metadata|gateway) .* pid (\d+)$/gm)].map((m) => ({ name: m[1], pid: Number(m[2]) }));
    expect(pids.map((p) => p.name).sort()).toEqual(['blob', 'fake-tikv', 'gateway', 'metadata']);
    expect(pids.every((p) => alive(p.pid))).toBe(true);
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await waitGone(pids.map((p) => p.pid))).toEqual([]);
    // The fake was stopped last, after the services that use it.
    expect(out.lastIndexOf('fake-tikv: SIGTERM, stopping')).toBeGreaterThan(out.indexOf('listening on http'));
  });
});
