// Starts distributed mode (`tools/start-distributed.mjs`: gateway + metadata + blob as separate processes,
// and the SeaweedFS protocol fake when the blob backend is seaweedfs) on a fresh temp dir, for the bench.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BENCH_METRICS_TOKEN } from './metrics-token.mjs';

const SCRIPT = resolve(import.meta.dirname, '../../start-distributed.mjs');

export class DistributedStack {
  /** backend: 'local' (blob on local disk) or 'seaweedfs' (blob on the SeaweedFS fake). */
  constructor({ accessKey, secretKey, backend = 'local', tmpParent = tmpdir(), logLevel = 'warn', nodeArgs = [] }) {
    this.nodeArgs = nodeArgs;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.backend = backend;
    this.logLevel = logLevel;
    this.dataDir = mkdtempSync(join(tmpParent, 'massive-bench-dist-'));
    this.proc = undefined;
    this.endpoint = '';
    this.stderr = '';
    /** name -> pid of every process of the stack (gateway, metadata, blob, fake-seaweedfs). */
    this.pids = {};
    /** The SeaweedFS fake's master, when it runs. */
    this.seaweedMaster = undefined;
  }

  async start(timeoutMs = 60_000) {
    const env = { ...process.env };
    for (const k of (env.BENCH_REEXECED ?? '').split(',')) if (k.startsWith('MALLOC_')) delete env[k];
    delete env.BENCH_REEXECED;
    delete env.MASSIVE_SEAWEED_MASTERS;
    const proc = spawn(process.execPath, [SCRIPT, '--no-build'], {
      env: {
        MALLOC_TRIM_THRESHOLD_: '536870912',
        MALLOC_MMAP_THRESHOLD_: '67108864',
        ...env,
        MASSIVE_PORT: '0',
        MASSIVE_HOST: '127.0.0.1',
        MASSIVE_DATA_DIR: this.dataDir,
        MASSIVE_ACCESS_KEY: this.accessKey,
        MASSIVE_SECRET_KEY: this.secretKey,
        MASSIVE_LOG_LEVEL: this.logLevel,
        // /-/metrics on the S3 port needs a bearer token (run.mjs scrapes it with BENCH_METRICS_TOKEN).
        MASSIVE_METRICS_TOKEN: BENCH_METRICS_TOKEN,
        MASSIVE_BLOB_BACKEND: this.backend,
        ...(this.nodeArgs.length > 0 && { MASSIVE_SERVICE_NODE_ARGS: this.nodeArgs.join(' ') }),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.proc = proc;
    proc.stderr.on('data', (d) => {
      this.stderr += d;
      if (this.stderr.length > 64 * 1024) this.stderr = this.stderr.slice(-32 * 1024);
    });
    let out = '';
    this.endpoint = await new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`distributed mode not listening after ${timeoutMs} ms: ${this.stderr}`)), timeoutMs);
      const onData = (d) => {
        out += d;
        const m = /Massive Storage \(distributed mode\) listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          proc.stdout.off('data', onData);
          proc.stdout.resume();
          res(m[1]);
        }
      };
      proc.stdout.on('data', onData);
      proc.once('exit', (code, sig) => {
        clearTimeout(timer);
        rej(new Error(`start-distributed exited (${code ?? sig}) before listening: ${this.stderr}${out}`));
      });
    });
    for (const m of out.matchAll(/^ {2}(\S+) .* pid (\d+)$/gm)) this.pids[m[1]] = Number(m[2]);
    this.seaweedMaster = /^ {2}fake-seaweedfs +masters (\S+)/m.exec(out)?.[1];
    return this.endpoint;
  }

  /** The gateway's pid (RSS columns); `pids` has the others. */
  get pid() {
    return this.pids.gateway;
  }

  /**
   * Gateway, metadata and blob by name (not a protocol fake): the CPU columns are their sum, and each
   * row also reports each one's CPU per op (`serviceCpuUsPerOp`).
   */
  get cpuPids() {
    return Object.fromEntries(['gateway', 'metadata', 'blob'].filter((n) => this.pids[n] !== undefined).map((n) => [n, this.pids[n]]));
  }

  get alive() {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async stop(graceMs = 20_000) {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(t);
  }

  removeDataDir() {
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
