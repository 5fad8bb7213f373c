import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const SCRIPT = resolve(__dirname, '../../../tools/start-distributed.mjs');
const CREDS = { accessKeyId: 'AKIDCRASHSEAWEED', secretAccessKey: 'crash-seaweed-secret' };
const KiB = 1024;

interface Stack {
  proc: ChildProcess;
  out: string;
  endpoint: string;
  master: string;
}

/** start:distributed on the SeaweedFS fake, its own process group (so one SIGKILL takes all of it). */
async function startStack(dataDir: string): Promise<Stack> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MASSIVE_PORT: '0',
    MASSIVE_HOST: '127.0.0.1',
    MASSIVE_DATA_DIR: dataDir,
    MASSIVE_ACCESS_KEY: CREDS.accessKeyId,
    MASSIVE_SECRET_KEY: CREDS.secretAccessKey,
    MASSIVE_LOG_LEVEL: 'warn',
    MASSIVE_BLOB_BACKEND: 'seaweedfs',
    MASSIVE_CHUNK_SIZE: String(1024 * KiB),
    MASSIVE_INTENT_TTL_MS: '1000',
    MASSIVE_GC_INTERVAL_MS: '200',
    MASSIVE_GC_GRACE_MS: '0',
  };
  delete env.MASSIVE_SEAWEED_MASTERS;
  delete env.MASSIVE_METADATA_BACKEND;
  const proc = spawn(process.execPath, [SCRIPT, '--no-build'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const s: Stack = { proc, out: '', endpoint: '', master: '' };
  proc.stderr!.on('data', (d) => (s.out += d));
  s.endpoint = await new Promise<string>((res, rej) => {
    proc.stdout!.on('data', (d) => {
      s.out += d;
      const m = /Massive Storage \(distributed mode\) listening on (http:\/\/[^\s]+)/.exec(s.out);
      if (m) res(m[1]);
    });
    proc.once('exit', (code) => rej(new Error(`start-distributed exited (${code}): ${s.out}`)));
  });
  s.master = /^ {2}fake-seaweedfs masters (\S+)/m.exec(s.out)![1];
  return s;
}

async function killStack(s: Stack): Promise<void> {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  const gone = new Promise((r) => s.proc.once('exit', r));
  process.kill(-s.proc.pid!, 'SIGKILL');
  await gone;
}

async function liveNeedles(master: string): Promise<string[]> {
  const j = (await (await fetch(`http://${master}/debug/needles`)).json()) as { needles: { fid: string }[] };
  return j.needles.map((n) => n.fid).sort();
}

// DESIGN §2 invariant 2 on SeaweedFS with real processes: every fid is recorded under its write intent
// before its upload, so after a SIGKILL of the whole stack in the middle of a PUT, a restart on the same
// data dir lets the metadata janitor delete every needle of the dead write. Nothing a committed object
// references is touched. Needs `npm run build`.
describe('crash safety on SeaweedFS: a stack killed mid-PUT leaks no needle', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'massive-crash-seaweed-'));
  let stack: Stack | undefined;
  afterAll(async () => {
    if (stack) await killStack(stack);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reclaims the needles of the interrupted write after a restart, keeps the committed ones', async () => {
    stack = await startStack(dataDir);
    let s3 = new S3Client({ endpoint: stack.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: 'crash' }));
    const kept = randomBytes(4 * 1024 * KiB + 300 * KiB);
    await s3.send(new PutObjectCommand({ Bucket: 'crash', Key: 'kept', Body: kept }));
    const committed = await liveNeedles(stack.master);
    expect(committed).toHaveLength(5); // 4.3 MiB in 1 MiB chunks

    // A 32 MiB PUT that stalls halfway; once some of its chunks are in SeaweedFS, SIGKILL everything.
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent >= 16 * 1024 * KiB) return; // stall: never finishes
        sent += 1024 * KiB;
        this.push(randomBytes(1024 * KiB));
      },
    });
    const put = s3.send(new PutObjectCommand({ Bucket: 'crash', Key: 'doomed', Body: body, ContentLength: 32 * 1024 * KiB })).catch(() => 'failed');
    const until = Date.now() + 10_000;
    while ((await liveNeedles(stack.master)).length < committed.length + 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const orphans = (await liveNeedles(stack.master)).filter((f) => !committed.includes(f));
    expect(orphans.length).toBeGreaterThanOrEqual(4);
    await killStack(stack);
    expect(await put).toBe('failed');
    s3.destroy();

    // Restart on the same data dir: the fake finds its needles, the janitor the expired intent.
    // (The intent expired during the restart, so the janitor may be done before we first look.)
    stack = await startStack(dataDir);
    const deadline = Date.now() + 15_000;
    while ((await liveNeedles(stack.master)).length > committed.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await liveNeedles(stack.master)).toEqual(committed);
    // ...and it was the janitor, through the blob service, that deleted them (202s counted there).
    const blobAdmin = /^ {2}blob +\S+ +admin (http:\/\/\S+)/m.exec(stack.out)![1];
    const metrics = await (await fetch(`${blobAdmin}/metrics`)).text();
    // (Not necessarily all of them: the killed blob service may have cleaned up a chunk of its failing
    // write itself in the instant before the SIGKILL reached it.)
    expect(Number(/^seaweedfs_deletes_total\{[^}]*result="deleted"[^}]*\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    s3 = new S3Client({ endpoint: stack.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS, maxAttempts: 1 });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'crash', Key: 'kept' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(kept)).toBe(true);
    s3.destroy();
  });
});
