import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { CREDS, EXIT_TIMEOUT_MS, processState, START_TIMEOUT_MS } from './local-server';

const SCRIPT = resolve(__dirname, '../../../tools/start-distributed.mjs');

/**
 * `npm run start:distributed` (gateway, metadata and blob as separate processes) on its own data dir,
 * restartable on the same dir: LocalServer's counterpart. Every service inherits `env` (an LD_PRELOAD
 * shim reaches all three). Needs the bundles (`npm run build`).
 */
export class DistributedStack {
  readonly dataDir: string;
  private proc?: ChildProcess;
  private out = '';
  endpoint = '';

  constructor(
    private readonly env: Record<string, string> = {},
    prefix = 'massive-dist-stack-',
  ) {
    this.dataDir = mkdtempSync(join(tmpdir(), prefix));
  }

  async start(): Promise<void> {
    const p = spawn(process.execPath, [SCRIPT, '--no-build'], {
      env: {
        ...process.env,
        ...this.env,
        MASSIVE_PORT: '0',
        MASSIVE_HOST: '127.0.0.1',
        MASSIVE_DATA_DIR: this.dataDir,
        MASSIVE_ACCESS_KEY: CREDS.accessKeyId,
        MASSIVE_SECRET_KEY: CREDS.secretAccessKey,
        MASSIVE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = p;
    this.out = '';
    p.stderr!.resume();
    let timer: NodeJS.Timeout | undefined;
    this.endpoint = await new Promise<string>((res, rej) => {
      p.stdout!.on('data', (d) => {
        this.out += d;
        const m = /\(distributed mode\) listening on (http:\/\/\S+)/.exec(this.out);
        if (m) res(m[1]);
      });
      p.once('exit', (code) => rej(new Error(`start-distributed exited (${code}): ${this.out}`)));
      timer = setTimeout(() => rej(new Error(`start-distributed ${p.pid} did not listen within ${START_TIMEOUT_MS} ms (${processState(p.pid)}): ${this.out.slice(-2000)}`)), START_TIMEOUT_MS);
    }).finally(() => clearTimeout(timer));
  }

  client(): S3Client {
    return new S3Client({ endpoint: this.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS, maxAttempts: 1 });
  }

  /** start-distributed stops every service when one of them dies: its being up means all three are. */
  alive(): boolean {
    const p = this.proc;
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  }

  /** SIGTERM: the services drain and stop; fails, with the process state, if they do not within EXIT_TIMEOUT_MS. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || !this.alive()) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`start-distributed ${p.pid} still running ${EXIT_TIMEOUT_MS} ms after SIGTERM (${processState(p.pid)})`)), EXIT_TIMEOUT_MS);
    });
    try {
      await Promise.race([exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
