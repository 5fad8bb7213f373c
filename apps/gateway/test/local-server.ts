import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { mkdtempSync, readdirSync, readFileSync, rmSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';

const MAIN = resolve(__dirname, '../../../dist/apps/gateway/main.js');
/** The node flags the gateway always runs with (`npm start`, its Dockerfile, start-distributed). */
const NODE_FLAGS: readonly string[] = JSON.parse(readFileSync(resolve(__dirname, '../node-flags.json'), 'utf8'));
export const CREDS = { accessKeyId: 'AKIDCRASHTEST', secretAccessKey: 'crash-test-secret-key' };
/** `/-/metrics` on the S3 port needs this bearer token (MASSIVE_METRICS_TOKEN). */
export const METRICS_TOKEN = 'local-server-metrics-token';
export const METRICS_AUTH = { authorization: `Bearer ${METRICS_TOKEN}` };

/** A gateway process on its own data dir, restartable on the same dir (built bundle: run `npm run build`). */
export class LocalServer {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'massive-crash-'));
  private proc?: ChildProcess;
  /** The last 16 KiB the current process wrote to stderr (in errors about it). */
  private stderrTail = '';
  endpoint = '';

  constructor(private readonly env: Record<string, string> = {}) {}

  async start(): Promise<void> {
    const proc = spawn(process.execPath, [...NODE_FLAGS, MAIN], {
      env: {
        ...process.env,
        MASSIVE_PORT: '0',
        MASSIVE_HOST: '127.0.0.1',
        MASSIVE_DATA_DIR: this.dataDir,
        MASSIVE_ACCESS_KEY: CREDS.accessKeyId,
        MASSIVE_SECRET_KEY: CREDS.secretAccessKey,
        MASSIVE_LOG_LEVEL: 'warn',
        MASSIVE_METRICS_TOKEN: METRICS_TOKEN,
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    this.stderrTail = '';
    proc.stderr!.on('data', (d) => (this.stderrTail = (this.stderrTail + d).slice(-16 * 1024)));
    let timer: NodeJS.Timeout | undefined;
    this.endpoint = await new Promise<string>((res, rej) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d;
        const m = /listening on (http:\/\/[^\s]+)/.exec(out);
        if (m) {
          proc.stdout!.off('data', onData);
          proc.stdout!.resume();
          res(m[1]);
        }
      };
      proc.stdout!.on('data', onData);
      proc.once('exit', (code) => rej(new Error(`gateway exited (${code}) before listening: ${this.stderrTail}`)));
      // A start that hangs says so, with what the process was doing, instead of running into the test's timeout.
      timer = setTimeout(() => rej(new Error(`gateway ${proc.pid} did not listen within ${START_TIMEOUT_MS} ms (${processState(proc.pid)}); stdout: ${out.slice(-2000)}; stderr: ${this.stderrTail}`)), START_TIMEOUT_MS);
    }).finally(() => clearTimeout(timer));
  }

  pid(): number {
    if (!this.proc?.pid) throw new Error('not running');
    return this.proc.pid;
  }

  client(): S3Client {
    return new S3Client({ endpoint: this.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS, maxAttempts: 1 });
  }

  /** SIGKILL: no shutdown hooks, no flush — a crash. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await this.exitedWithin(p, exited, 'SIGKILL');
  }

  /** Waits for `exited`; past EXIT_TIMEOUT_MS fails with what the process is stuck on (a D-state I/O wait shows as "D"). */
  private async exitedWithin(p: ChildProcess, exited: Promise<unknown>, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`gateway ${p.pid} still running ${EXIT_TIMEOUT_MS} ms after ${what} (${processState(p.pid)}); stderr: ${this.stderrTail}`)), EXIT_TIMEOUT_MS);
    });
    try {
      await Promise.race([exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await this.exitedWithin(p, exited, 'SIGTERM');
  }

  /**
   * Final chunk files on disk (temp files excluded). The server may be deleting chunks meanwhile (the
   * janitor, an abort): the entries' types come with the listing (no stat that a deletion in between
   * turns into ENOENT), and a directory gone before it is listed holds nothing.
   */
  chunkFiles(): string[] {
    const root = join(this.dataDir, 'blobs', 'chunks');
    const out: string[] = [];
    const walk = (d: string) => {
      let entries: Dirent[];
      try {
        entries = readdirSync(d, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (!e.name.startsWith('.')) out.push(p);
      }
    };
    walk(root);
    return out;
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** How long a start may take to print its listening line before the harness says why not. */
export const START_TIMEOUT_MS = 60_000;
/** How long a killed or stopped server may take to exit (SIGTERM drains: under the shutdown timeout, 25 s). */
export const EXIT_TIMEOUT_MS = 40_000;

/** `/proc/<pid>` state and kernel wait channel, for errors about a process that does not start or exit. */
export function processState(pid: number | undefined): string {
  if (pid === undefined) return 'no pid';
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    let wchan = '?';
    try {
      wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8') || '0';
    } catch {
      // not readable on every kernel
    }
    return `state ${state}, wchan ${wchan}`;
  } catch {
    return 'gone from /proc';
  }
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A request body of `total` random bytes that stalls half-way after calling `onHalf` (the server dies meanwhile). */
export function slowBody(total: number, onHalf: () => void): Readable {
  let sent = 0;
  let fired = false;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(256 * 1024, total - sent);
      sent += n;
      if (!fired && sent >= total / 2) {
        fired = true;
        onHalf();
        return; // stall: the rest never comes
      }
      this.push(randomBytes(n));
    },
  });
}
