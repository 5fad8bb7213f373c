// Starts the gateway (local mode, durable defaults) on a fresh temp dir, and reads its /proc stats.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BENCH_METRICS_TOKEN } from './metrics-token.mjs';

export const MAIN = resolve(import.meta.dirname, '../../../dist/apps/gateway/main.js');
/** The node flags the gateway always runs with (`npm start`, its Dockerfile): see tools/start-distributed.mjs. */
const GATEWAY_NODE_FLAGS = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../apps/gateway/node-flags.json'), 'utf8'));
const CLK_TCK = 100; // USER_HZ on Linux

export class LocalGateway {
  /** `dataDir`: serve this existing directory (kept) instead of a fresh temp one (removed by removeDataDir). */
  constructor({ accessKey, secretKey, nodeArgs = [], tmpParent = tmpdir(), logLevel = 'warn', dataDir }) {
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.nodeArgs = nodeArgs;
    this.logLevel = logLevel;
    this.ownsDataDir = dataDir === undefined;
    this.dataDir = dataDir ?? mkdtempSync(join(tmpParent, 'massive-bench-'));
    this.proc = undefined;
    this.endpoint = '';
    this.stderr = '';
  }

  async start(timeoutMs = 30_000) {
    const env = { ...process.env };
    // Undo what run.mjs set for the load generator only (see CLIENT_MALLOC_ENV there).
    for (const k of (env.BENCH_REEXECED ?? '').split(',')) if (k.startsWith('MALLOC_')) delete env[k];
    delete env.BENCH_REEXECED;
    const proc = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, ...this.nodeArgs, MAIN], {
      env: {
        // The server runs as `npm start` runs it (package.json: the same glibc malloc thresholds and node flags).
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
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    proc.stderr.on('data', (d) => {
      this.stderr += d;
      if (this.stderr.length > 64 * 1024) this.stderr = this.stderr.slice(-32 * 1024);
    });
    this.endpoint = await new Promise((res, rej) => {
      let out = '';
      const timer = setTimeout(() => rej(new Error(`gateway not listening after ${timeoutMs} ms: ${this.stderr}`)), timeoutMs);
      const onData = (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
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
        rej(new Error(`gateway exited (${code ?? sig}) before listening: ${this.stderr}`));
      });
    });
    return this.endpoint;
  }

  get pid() {
    return this.proc?.pid;
  }

  get alive() {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** SIGTERM (graceful: lets --cpu-prof write its profile), SIGKILL after `graceMs`. */
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
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * { cpuMs: utime+stime (all threads), minflt: minor page faults } of a process, or undefined. An array
 * of pids (distributed mode: gateway, metadata, blob) sums them; undefined if any cannot be read.
 */
export function procStat(pid) {
  if (isProcessMap(pid)) return procStat(Object.values(pid));
  if (Array.isArray(pid)) {
    const all = pid.map((p) => procStat(p));
    if (all.length === 0 || all.some((s) => s === undefined)) return undefined;
    return { cpuMs: all.reduce((n, s) => n + s.cpuMs, 0), minflt: all.reduce((n, s) => n + s.minflt, 0) };
  }
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK, minflt: Number(f[7]) };
  } catch {
    return undefined;
  }
}

export const procCpuMs = (pid) => procStat(pid)?.cpuMs;

/**
 * A server's processes by name (distributed mode: `{ gateway, metadata, blob }`), where the bench takes
 * a pid, an array of pids, or such a map: CPU is their sum, RSS the gateway's (the first).
 */
export function isProcessMap(pid) {
  return typeof pid === 'object' && pid !== null && !Array.isArray(pid);
}

/** The pid whose memory the RSS columns report: the gateway's. */
function firstPid(pid) {
  if (isProcessMap(pid)) return pid.gateway ?? Object.values(pid)[0];
  return Array.isArray(pid) ? pid[0] : pid;
}

/** { rssKiB, hwmKiB, anonKiB } from /proc/<pid>/status (anon: the process's own memory, without mapped files such as LMDB's). */
export function procMem(pid) {
  pid = firstPid(pid); // RSS: the gateway's
  if (!pid) return undefined;
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rssKiB: Number(/VmRSS:\s+(\d+)/.exec(s)?.[1]), hwmKiB: Number(/VmHWM:\s+(\d+)/.exec(s)?.[1]), anonKiB: Number(/RssAnon:\s+(\d+)/.exec(s)?.[1]) };
  } catch {
    return undefined;
  }
}

/** Resets the VmHWM peak (Linux >= 4.0, own processes); false when not permitted. */
export function resetPeakRss(pid) {
  pid = firstPid(pid);
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Polls VmRSS every `everyMs`; stop() returns { peakRssMiB, peakAnonMiB, hwmMiB, hwmReset }. RSS counts the
 * pages of LMDB's memory-mapped file the process touched (after a full run, hundreds of MiB of small
 * objects stored inline); RssAnon is the memory the process itself holds (heap, buffers).
 */
export function watchRss(pid, everyMs = 50) {
  if (!pid) return { stop: () => undefined };
  const hwmReset = resetPeakRss(pid);
  let peak = procMem(pid)?.rssKiB ?? 0;
  let anon = procMem(pid)?.anonKiB ?? 0;
  const sample = () => {
    const m = procMem(pid);
    if (m && m.rssKiB > peak) peak = m.rssKiB;
    if (m && m.anonKiB > anon) anon = m.anonKiB;
    return m;
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const m = sample();
      return { peakRssMiB: round1(peak / 1024), peakAnonMiB: round1(anon / 1024), hwmMiB: m ? round1(m.hwmKiB / 1024) : undefined, hwmReset };
    },
  };
}

const round1 = (x) => Math.round(x * 10) / 10;
