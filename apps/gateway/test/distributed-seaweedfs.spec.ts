import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const SCRIPT = resolve(__dirname, '../../../tools/start-distributed.mjs');
const CREDS = { accessKeyId: 'AKIDDISTSEAWEED', secretAccessKey: 'distributed-seaweed-secret' };

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// `npm run start:distributed` with MASSIVE_BLOB_BACKEND=seaweedfs and no masters: the script starts
// the SeaweedFS protocol fake first (saying loudly that it is one), the blob service stores chunks in
// it (recording fids in metadata), and S3 works end to end. Needs `npm run build`.
describe('start:distributed with MASSIVE_BLOB_BACKEND=seaweedfs (SeaweedFS protocol fake)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'massive-dist-seaweed-'));
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
      MASSIVE_BLOB_BACKEND: 'seaweedfs',
      MASSIVE_CHUNK_SIZE: '1048576',
    };
    delete env.MASSIVE_SEAWEED_MASTERS;
    delete env.MASSIVE_METADATA_BACKEND;
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

  it('starts the fake first and says loudly that it is a test fake', () => {
    expect(out).toMatch(/starting the SeaweedFS PROTOCOL FAKE/);
    expect(out).toMatch(/It is a TEST FAKE of a SeaweedFS master \+ volume servers/);
    expect(out).toMatch(/^ {2}fake-seaweedfs masters 127\.0\.0\.1:\d+ +!! TEST FAKE of SeaweedFS/m);
    expect(out.indexOf('[fake-seaweedfs]')).toBeLessThan(out.indexOf('  blob '));
  });

  it('keeps object data in SeaweedFS (multi-chunk PUT, range GET, delete); SIGTERM stops all four', async () => {
    const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS, maxAttempts: 1 });
    const Bucket = 'seaweed-dist';
    await s3.send(new CreateBucketCommand({ Bucket }));
    const big = Buffer.alloc(10 * 1024 * 1024 + 700 * 1024); // 11 chunks of up to 1 MiB
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    await s3.send(new PutObjectCommand({ Bucket, Key: 'big.bin', Body: big }));
    const whole = await s3.send(new GetObjectCommand({ Bucket, Key: 'big.bin' }));
    expect(Buffer.from(await whole.Body!.transformToByteArray()).equals(big)).toBe(true);
    const range = await s3.send(new GetObjectCommand({ Bucket, Key: 'big.bin', Range: 'bytes=1048570-2097160' }));
    expect(Buffer.from(await range.Body!.transformToByteArray()).equals(big.subarray(1048570, 2097161))).toBe(true);
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'big.bin' }));
    s3.destroy();

    // The blob service really wrote through the SeaweedFS store (11 chunks of 1 MiB).
    const blobAdmin = /^ {2}blob +\S+ +admin (http:\/\/\S+)/m.exec(out)?.[1];
    const metrics = await (await fetch(`${blobAdmin}/metrics`)).text();
    expect(Number(/^seaweedfs_uploads_total\{[^}]*result="ok"[^}]*\} (\d+)/m.exec(metrics)?.[1])).toBe(11);
    expect(Number(/^seaweedfs_reads_total\{[^}]*result="ok"[^}]*\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(12);

    const pids = [...out.matchAll(/^ {2}(fake-seaweedfs|blob|metadata|gateway) .* pid (\d+)$/gm)].map((m) => Number(m[2]));
    expect(pids).toHaveLength(4);
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    const until = Date.now() + 10_000;
    while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(alive)).toEqual([]);
    expect(out.lastIndexOf('fake-seaweedfs: SIGTERM, stopping')).toBeGreaterThan(out.indexOf('listening on http'));
  });
});
