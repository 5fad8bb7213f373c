import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The bundle `npm run build` writes; the suite drives the real process, never the libs in-process. */
export const GATEWAY_MAIN = resolve(__dirname, '../../../../dist/apps/gateway/main.js');
/** The node flags the gateway always runs with (`npm start`, its Dockerfile, start-distributed). */
export const GATEWAY_NODE_FLAGS: readonly string[] = JSON.parse(readFileSync(resolve(__dirname, '../../../gateway/node-flags.json'), 'utf8'));
/** Distributed mode on loopback: blob, metadata and gateway processes (DESIGN §1: one e2e suite, both wirings). */
const DISTRIBUTED_LAUNCHER = resolve(__dirname, '../../../../tools/start-distributed.mjs');

/** `MASSIVE_E2E_MODE=distributed` runs every spec against the three-process wiring instead of local mode. */
export const E2E_MODE: 'local' | 'distributed' = process.env['MASSIVE_E2E_MODE'] === 'distributed' ? 'distributed' : 'local';

/**
 * Backend choices passed through to the launched services, so one suite runs against each wiring, e.g.
 * `MASSIVE_BLOB_BACKEND=seaweedfs MASSIVE_E2E_MODE=distributed` (blob on the SeaweedFS fake) with a
 * small `MASSIVE_CHUNK_SIZE` so objects span chunks; on TiKV, an MVCC GC lifetime of seconds, so every
 * spec runs while old versions are being dropped under it.
 */
const BACKEND_ENV: Record<string, string> = Object.fromEntries(
  ['MASSIVE_BLOB_BACKEND', 'MASSIVE_SEAWEED_MASTERS', 'MASSIVE_METADATA_BACKEND', 'MASSIVE_PD_ENDPOINTS', 'MASSIVE_CHUNK_SIZE', 'MASSIVE_TIKV_GC_LIFETIME_MS', 'MASSIVE_TIKV_GC_INTERVAL_MS']
    .map((k) => [k, process.env[k]])
    .filter((kv): kv is [string, string] => typeof kv[1] === 'string' && kv[1] !== ''),
);

/** Where chunks live in this run: local disk (the default) or the SeaweedFS fake. */
export const BLOB_BACKEND: 'local' | 'seaweedfs' = BACKEND_ENV['MASSIVE_BLOB_BACKEND'] === 'seaweedfs' ? 'seaweedfs' : 'local';

export const CREDENTIALS = { accessKeyId: 'AKIDE2ETESTKEY', secretAccessKey: 'e2e-secret-access-key-0123456789' } as const;
export const REGION = 'us-east-1';
/** Virtual-hosted style: `bucket.s3.localtest:<port>`; the clients resolve every name to 127.0.0.1. */
export const VHOST_DOMAIN = 's3.localtest';

const READY_LINE = /Massive Storage \((?:local|distributed) mode\) listening on (https?:\/\/\S+)/;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * One gateway process (local mode) on its own temp data dir, on an ephemeral port. It can be stopped
 * (SIGTERM), killed (SIGKILL) and started again on the same data dir. One per spec file, so spec files
 * can run in parallel.
 */
export class GatewayProcess {
  private dir?: string;
  private proc?: ChildProcess;
  private stderrTail = '';
  private url = '';
  private adminBase = '';
  private blobAdmin = '';
  private websiteBase = '';
  private logText = '';
  /** Settings changed for the next starts (`setEnv`), over the ones given at construction. */
  private envOverrides: Readonly<Record<string, string>> = {};

  constructor(
    private readonly env: Readonly<Record<string, string>> = {},
    /** keepLogs: keep everything the process writes (stdout and stderr, every start) for `logs`. */
    private readonly opts: { readonly keepLogs?: boolean } = {},
  ) {
    if (!existsSync(GATEWAY_MAIN)) {
      throw new Error(`${GATEWAY_MAIN} is missing: run \`npm run build\` before the e2e suite`);
    }
  }

  /** The temp data dir, created on first use (so a spec whose tests are all filtered out leaves nothing behind). */
  get dataDir(): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'massive-e2e-'));
    return this.dir;
  }

  /** `http://127.0.0.1:<port>` of the running process. */
  get endpoint(): string {
    if (!this.url) throw new Error('gateway not started');
    return this.url;
  }

  /** `http://127.0.0.1:<port>` of the static website endpoint (started with `MASSIVE_WEBSITE_PORT`). */
  get websiteEndpoint(): string {
    if (!this.websiteBase) throw new Error('this gateway has no website endpoint: start it with MASSIVE_WEBSITE_PORT');
    return this.websiteBase;
  }

  /** The admin API's base URL: `/-/admin` on the S3 port in local mode, the gateway's admin port in distributed mode. */
  get adminUrl(): string {
    if (!this.url) throw new Error('gateway not started');
    return this.adminBase || `${this.url}/-/admin`;
  }

  /**
   * Where the process that reads chunks reports its metrics: the gateway's `/-/metrics` in local mode
   * (start it with `MASSIVE_METRICS_PUBLIC=true`), the blob service's admin port in distributed mode.
   */
  get blobMetricsUrl(): string {
    if (!this.url) throw new Error('gateway not started');
    return this.blobAdmin ? `${this.blobAdmin}/metrics` : `${this.url}/-/metrics`;
  }

  /**
   * The gateway's metrics: `/-/metrics` on the S3 port in local mode (start it with
   * `MASSIVE_METRICS_PUBLIC=true`), its admin port's `/metrics` in distributed mode.
   */
  get gatewayMetricsUrl(): string {
    if (!this.url) throw new Error('gateway not started');
    return this.adminBase ? `${this.adminBase.replace(/\/admin$/, '')}/metrics` : `${this.url}/-/metrics`;
  }

  /** Everything the process wrote so far (with `keepLogs`). */
  get logs(): string {
    return this.logText;
  }

  /**
   * The logs once they hold `text`. A log line reaches this process through a pipe, independently of
   * the HTTP answer it was written before: a test that reads the logs right after the answer may run
   * ahead of the line (seen under CI load). Rejects after `timeoutMs` with what was logged by then.
   */
  async logged(text: string, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.logText.includes(text)) {
      if (Date.now() > deadline) throw new Error(`the logs never showed ${JSON.stringify(text)} in ${timeoutMs} ms; their tail: ${this.logText.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.logText;
  }

  get port(): number {
    return Number(new URL(this.endpoint).port);
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Settings for the next starts (e.g. a rotated master key), replacing any set before; the data dir stays. */
  setEnv(overrides: Readonly<Record<string, string>>): void {
    this.envOverrides = overrides;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error('gateway already running');
    this.stderrTail = '';
    const distributed = E2E_MODE === 'distributed';
    const proc = spawn(process.execPath, distributed ? [DISTRIBUTED_LAUNCHER, '--no-build'] : [...GATEWAY_NODE_FLAGS, GATEWAY_MAIN], {
      // Distributed: the launcher and its three services share a process group, so a kill reaches all of them.
      detached: distributed,
      env: {
        PATH: process.env['PATH'] ?? '',
        MASSIVE_PORT: '0',
        MASSIVE_HOST: '127.0.0.1',
        MASSIVE_DATA_DIR: this.dataDir,
        MASSIVE_ACCESS_KEY: CREDENTIALS.accessKeyId,
        MASSIVE_SECRET_KEY: CREDENTIALS.secretAccessKey,
        MASSIVE_REGION: REGION,
        MASSIVE_DOMAIN: VHOST_DOMAIN,
        MASSIVE_LOG_LEVEL: 'warn',
        MASSIVE_SHUTDOWN_TIMEOUT_MS: '5000',
        ...BACKEND_ENV,
        ...this.env,
        ...this.envOverrides,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-8192);
      if (this.opts.keepLogs) this.logText += d;
    });
    if (this.opts.keepLogs) proc.stdout!.on('data', (d: Buffer) => (this.logText += d.toString('utf8')));
    this.url = await new Promise<string>((res, rej) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(`gateway did not print its listening line within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      const onExit = (code: number | null, signal: string | null) =>
        fail(new Error(`gateway exited (code ${code}, signal ${signal}) before listening:\n${this.stderrTail}`));
      const onData = (d: Buffer) => {
        out += d.toString('utf8');
        const m = READY_LINE.exec(out);
        if (!m) return;
        cleanup();
        // The distributed launcher names the gateway's admin port in its summary, before the ready line.
        this.adminBase = /^\s*gateway\s+\S+\s+admin (http:\/\/\S+)/m.exec(out)?.[1]?.concat('/admin') ?? '';
        this.blobAdmin = /^\s*blob\s+\S+\s+admin (http:\/\/\S+)/m.exec(out)?.[1] ?? '';
        // Both modes name the website endpoint on the ready line itself.
        this.websiteBase = /\(website (http:\/\/[^\s)]+)\)/.exec(out.slice(m.index).split('\n')[0])?.[1] ?? '';
        res(m[1]);
      };
      const cleanup = () => {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        proc.off('exit', onExit);
        proc.stdout!.resume(); // keep draining so the child never blocks on a full pipe
      };
      const fail = (e: Error) => {
        cleanup();
        sigkill(proc);
        rej(e);
      };
      proc.stdout!.on('data', onData);
      proc.once('exit', onExit);
    });
    await this.waitReady();
  }

  /** Recent stderr of the process (warnings, crash traces), for failure messages. */
  get stderr(): string {
    return this.stderrTail;
  }

  /** SIGTERM and wait for a clean exit; returns the exit code. */
  async stop(): Promise<number | null> {
    const p = this.proc;
    if (!p || !this.running) return p?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
    p.kill('SIGTERM');
    const timer = setTimeout(() => void this.kill(), STOP_TIMEOUT_MS);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL: a crash, no shutdown hooks. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || !this.running) return;
    const exited = new Promise((r) => p.once('exit', r));
    sigkill(p);
    await exited;
  }

  /** Start again on the same data dir (after stop or kill); the port changes. */
  async restart(how: 'stop' | 'kill' = 'stop'): Promise<void> {
    if (how === 'stop') await this.stop();
    else await this.kill();
    await this.start();
  }

  /** Kill the process and remove its data dir. */
  async dispose(): Promise<void> {
    await this.kill();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private async waitReady(): Promise<void> {
    const end = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        if ((await readyStatus(`${this.url}/-/health/ready`)) === 200) return;
      } catch {
        // not accepting yet
      }
      if (Date.now() > end) throw new Error(`gateway at ${this.url} never became ready`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * The status of a readiness probe. Over HTTPS (a gateway with MASSIVE_S3_TLS_*) the probe, like a load
 * balancer's on loopback, does not verify the test certificate: specs check that part with the SDK.
 */
async function readyStatus(url: string): Promise<number> {
  if (!url.startsWith('https:')) {
    const r = await fetch(url);
    await r.arrayBuffer();
    return r.status;
  }
  return new Promise((resolve, reject) => {
    httpsGet(url, { rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

/** SIGKILL the process, and in distributed mode its whole process group (launcher + three services). */
function sigkill(p: ChildProcess): void {
  if (E2E_MODE === 'distributed' && p.pid) {
    try {
      process.kill(-p.pid, 'SIGKILL');
      return;
    } catch {
      // the group is gone already: fall through to the launcher itself
    }
  }
  p.kill('SIGKILL');
}

/**
 * The usual spec setup: one gateway for the file, started in beforeAll, disposed in afterAll.
 * `env` adds MASSIVE_* settings (chunk size, inline threshold, ...).
 */
export function useGateway(env: Readonly<Record<string, string>> = {}, opts: { readonly keepLogs?: boolean } = {}): GatewayProcess {
  const gw = new GatewayProcess(env, opts);
  beforeAll(() => gw.start(), 30_000);
  afterAll(() => gw.dispose(), 30_000);
  return gw;
}
