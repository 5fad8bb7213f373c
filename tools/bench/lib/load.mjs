// Closed-loop load: `concurrency` workers each run `op` back to back until the deadline (or until `op`
// says the work is exhausted), recording per-op latency. Correctness failures (MismatchError) stop
// everything; other failures are counted as errors.
import { MismatchError } from './client.mjs';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { isProcessMap, procStat } from './server.mjs';

/** Busy CPU ms of the whole box (all cores) from /proc/stat, or undefined. */
function boxBusyMs() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const busy = f.reduce((a, b) => a + b, 0) - f[3] - (f[4] ?? 0) - (f[8] ?? 0) - (f[9] ?? 0); // minus idle, iowait, guest double counts
    return (busy * 1000) / 100;
  } catch {
    return undefined;
  }
}

export const MiB = 1024 * 1024;
export const EXHAUSTED = Symbol('exhausted');

class Latencies {
  constructor() {
    this.a = new Float64Array(1 << 16);
    this.n = 0;
  }
  push(ms) {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = ms;
  }
  percentiles(ps) {
    const s = this.a.slice(0, this.n).sort();
    return ps.map((p) => (this.n === 0 ? NaN : s[Math.min(this.n - 1, Math.max(0, Math.ceil((p / 100) * this.n) - 1))]));
  }
}

/** One closed-loop run (see runLoad); listbig.mjs interleaves several. */
export async function loop({ concurrency, durationMs, maxOps = Infinity, op, record, maxErrors }) {
  const deadline = performance.now() + durationMs;
  const st = { ops: 0, done: 0, bytes: 0, errors: 0, errorSamples: [], lat: new Latencies(), fatal: undefined, started: 0 };
  let issued = 0;
  const worker = async (w) => {
    while (st.fatal === undefined && performance.now() < deadline && issued < maxOps) {
      issued++;
      const t0 = performance.now();
      let bytes;
      try {
        bytes = await op(w);
      } catch (err) {
        if (err instanceof MismatchError) {
          st.fatal ??= err;
          return;
        }
        st.errors++;
        if (st.errorSamples.length < 5) st.errorSamples.push(String(err?.message ?? err).slice(0, 300));
        if (st.errors >= maxErrors) st.fatal ??= new Error(`too many errors (${st.errors}); first: ${st.errorSamples[0]}`);
        continue;
      }
      if (bytes === EXHAUSTED) return;
      st.done++;
      if (record) {
        st.lat.push(performance.now() - t0);
        st.ops++;
        st.bytes += bytes;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  st.elapsedMs = performance.now() - started;
  return st;
}

/** Warm-up slices after the first (`warmupMs`) while the rate still climbs. */
const WARMUP_SLICE_MS = 2000;
/** A slice this much faster than the one before means the server is still warming up. */
const STILL_CLIMBING = 1.05;
/** A row that uses up its objects is topped up for this much more than the last rate needs. */
const REFILL_MARGIN = 1.5;

/**
 * Warm-up (not recorded) then the measured run. Returns a result row:
 * { ops, opsPerSec, mibPerSec, p50Ms, p99Ms, errors, ... , serverCpuPct, clientCpuPct, warmupS }.
 *
 * The warm-up lasts `warmupMs`, then goes on in 2 s slices while a slice is over 5% faster than the
 * one before, up to `maxWarmupMs`: the measured run starts once the rate stopped climbing. A fixed
 * 2 s under-measured distributed mode, whose three processes each have to tier up their own code
 * (V8's JIT) at a 1 MiB row's few hundred ops a second: 367 MiB/s after 2 s against 524 after 6 s on
 * fresh servers, where local mode read 931 and 907.
 *
 * A row that uses up its objects (DELETE) passes `refill(ops)`: before each warm-up slice after the
 * first and before the measured run, untimed, it makes sure `ops` more operations can run, sized from
 * the last slice's rate with a margin. Without it such a row had to stop warming up after `warmupMs`
 * and measured what was left: 0.8 s in local mode and 1.5 s in distributed mode (2026-12-05), against
 * the 10 s of every other row.
 */
export async function runLoad({ concurrency, durationMs, warmupMs = 0, maxWarmupMs = warmupMs, maxOps, op, serverPid, maxErrors = 100, refill }) {
  let warmedMs = 0;
  let prevRate;
  let lastRate;
  const need = (ms) => Math.ceil(lastRate * ms * REFILL_MARGIN) + concurrency;
  // Whole slices only: a short last one would be compared at its ramp-up's noise.
  for (let sliceMs = warmupMs; sliceMs > 0; sliceMs = maxWarmupMs - warmedMs >= WARMUP_SLICE_MS ? WARMUP_SLICE_MS : 0) {
    if (refill && lastRate !== undefined) await refill(need(sliceMs));
    const w = await loop({ concurrency, durationMs: sliceMs, maxOps, op, record: false, maxErrors });
    if (w.fatal) throw w.fatal;
    if (w.errors) throw new Error(`errors during warm-up: ${w.errorSamples.join(' | ')}`);
    warmedMs += w.elapsedMs;
    const rate = w.done / w.elapsedMs;
    lastRate = rate;
    // The work ran out: without a refill, what is left is for the measured run.
    if (w.elapsedMs < sliceMs * 0.9 && !refill) break;
    if (prevRate !== undefined && rate <= prevRate * STILL_CLIMBING) break;
    prevRate = rate;
  }
  if (refill && lastRate !== undefined) await refill(need(durationMs));
  const meter = startMeter(serverPid);
  const st = await loop({ concurrency, durationMs, maxOps, op, record: true, maxErrors });
  const used = meter.stop();
  if (st.fatal) throw st.fatal;
  return { ...summarize(st, concurrency, used), warmupS: round(warmedMs / 1000, 1) };
}

/**
 * Warms each side up (`warmupMs` each, unmeasured), then splits each side's `durationMs` into `rounds`
 * slices run alternately, ABBA..., so a box whose speed or other load changes during the run slows both
 * sides alike instead of whichever ran at the worse moment (this box's pace moves by up to 2x within an
 * hour, and a minute apart by 20-40%). Each slice's CPU is charged to its side's own server
 * (`side.serverPid`, else `serverPid`): two servers side by side can be compared this way.
 * `sliceWarmupMs`: each slice first runs that long unmeasured, so what a server pays to get going after
 * sitting idle through the other side's slices is not charged to the slice. Returns one summarized row
 * per side (as runLoad's, without the warm-up's length).
 */
export async function interleaved({ sides, rounds, concurrency, durationMs, warmupMs, serverPid, sliceWarmupMs = 0 }) {
  // Unmeasured: any error in it stops the run, as in runLoad's warm-up.
  const unmeasured = async (op, ms, what) => {
    const w = await loop({ concurrency, durationMs: ms, op, record: false, maxErrors: 100 });
    if (w.fatal) throw w.fatal;
    if (w.errors) throw new Error(`errors during ${what}: ${w.errorSamples.join(' | ')}`);
  };
  if (warmupMs > 0) for (const side of sides) await unmeasured(side.op, warmupMs, 'warm-up');
  const acc = sides.map(() => ({ ops: 0, bytes: 0, errors: 0, errorSamples: [], lat: new Latencies(), elapsedMs: 0, used: {} }));
  for (let r = 0; r < rounds; r++) {
    for (const i of r % 2 === 0 ? sides.keys() : [...sides.keys()].reverse()) {
      if (sliceWarmupMs > 0) await unmeasured(sides[i].op, sliceWarmupMs, "a slice's lead-in");
      const meter = startMeter(sides[i].serverPid ?? serverPid);
      const st = await loop({ concurrency, durationMs: durationMs / rounds, op: sides[i].op, record: true, maxErrors: 100 });
      const used = meter.stop();
      if (st.fatal) throw st.fatal;
      const a = acc[i];
      a.ops += st.ops;
      a.bytes += st.bytes;
      a.errors += st.errors;
      a.errorSamples.push(...st.errorSamples.slice(0, 5 - a.errorSamples.length));
      for (let k = 0; k < st.lat.n; k++) a.lat.push(st.lat.a[k]);
      a.elapsedMs += st.elapsedMs;
      for (const [k, v] of Object.entries(used)) a.used[k] = addUsed(k in a.used ? a.used[k] : 'first', v);
    }
  }
  return acc.map((a) => summarize(a, concurrency, a.used));
}

/** Sums a meter figure over slices: a number, or per service; undefined in any slice makes it unknown. */
function addUsed(sum, v) {
  if (sum === 'first') return v;
  if (sum === undefined || v === undefined) return undefined;
  if (typeof v === 'number') return sum + v;
  return Object.fromEntries(Object.entries(v).map(([name, n]) => [name, sum[name] === undefined || n === undefined ? undefined : sum[name] + n]));
}

/**
 * CPU time and minor page faults of the server and of this process between start and stop(). A server
 * of several processes by name (distributed mode) also gets each one's CPU (`serviceCpuMs`), read at
 * the same instants as the total, which is their sum.
 */
export function startMeter(serverPid) {
  const named = isProcessMap(serverPid) ? Object.entries(serverPid) : undefined;
  const sample = () => (named ? named.map(([, pid]) => procStat(pid)) : [procStat(serverPid)]);
  const srv0 = sample();
  const self0 = procStat(process.pid);
  const cpu0 = process.cpuUsage();
  const box0 = boxBusyMs();
  return {
    stop() {
      const cpu = process.cpuUsage(cpu0);
      const box1 = boxBusyMs();
      const srv1 = sample();
      const self1 = procStat(process.pid);
      const seen = srv0.every((s, i) => s !== undefined && srv1[i] !== undefined);
      const delta = (k) => (seen ? srv1.map((s, i) => s[k] - srv0[i][k]) : undefined);
      const cpuMs = delta('cpuMs');
      const faults = delta('minflt');
      return {
        clientCpuMs: (cpu.user + cpu.system) / 1000,
        clientFaults: self0 && self1 ? self1.minflt - self0.minflt : undefined,
        serverCpuMs: cpuMs?.reduce((a, b) => a + b, 0),
        serverFaults: faults?.reduce((a, b) => a + b, 0),
        serviceCpuMs: named && cpuMs ? Object.fromEntries(named.map(([name], i) => [name, cpuMs[i]])) : undefined,
        boxCpuMs: box0 !== undefined && box1 !== undefined ? box1 - box0 : undefined,
      };
    },
  };
}

export function summarize(st, concurrency, { serverCpuMs, serverFaults, clientCpuMs, clientFaults, boxCpuMs, serviceCpuMs }) {
  const secs = st.elapsedMs / 1000;
  const [p50, p90, p99, max] = st.lat.percentiles([50, 90, 99, 100]);
  return {
    concurrency,
    ops: st.ops,
    seconds: round(secs, 2),
    opsPerSec: round(st.ops / secs, 1),
    mibPerSec: round(st.bytes / MiB / secs, 1),
    p50Ms: round(p50, 2),
    p90Ms: round(p90, 2),
    p99Ms: round(p99, 2),
    maxMs: round(max, 2),
    errors: st.errors,
    ...(st.errorSamples.length && { errorSamples: st.errorSamples }),
    ...(serverCpuMs !== undefined && {
      serverCpuPct: round((serverCpuMs / st.elapsedMs) * 100, 0),
      serverCpuUsPerOp: st.ops ? round((serverCpuMs * 1000) / st.ops, 0) : undefined,
    }),
    // Distributed mode: where the server's CPU per op went, by service (their sum is serverCpuUsPerOp).
    ...(serviceCpuMs !== undefined && st.ops && { serviceCpuUsPerOp: Object.fromEntries(Object.entries(serviceCpuMs).map(([n, ms]) => [n, round((ms * 1000) / st.ops, 0)])) }),
    clientCpuPct: round((clientCpuMs / st.elapsedMs) * 100, 0),
    clientCpuUsPerOp: st.ops ? round((clientCpuMs * 1000) / st.ops, 0) : undefined,
    // Less noisy than op/s on a shared box: the rate all cores could sustain at the measured CPU cost
    // per op of server + client (assumes CPU is the bottleneck, not fsync or a lock).
    ...(serverCpuMs !== undefined && st.ops && { cpuBoundOpsPerSec: round((cpus().length * 1e6) / (((serverCpuMs + clientCpuMs) * 1000) / st.ops), 0) }),
    // Everything else busy on the box meanwhile (other processes, and kernel softirq time such as
    // loopback TCP that is charged to no process): high values mean a noisy or contended run.
    ...(boxCpuMs !== undefined && serverCpuMs !== undefined && { otherCpuPct: round(((boxCpuMs - serverCpuMs - clientCpuMs) / st.elapsedMs) * 100, 0) }),
    // Minor page faults per MiB moved (or per op when nothing was): a sign of allocator churn.
    ...(serverFaults !== undefined && { serverFaults }),
    ...(clientFaults !== undefined && { clientFaults }),
  };
}

export { Latencies };
export const round = (x, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
