// Every run's JSON line is kept (`.bench/history.jsonl` unless --history says otherwise), and each row of a
// new run is set against the median of the last few comparable runs on the same machine, so a regression
// shows without anyone having saved the output (issue 11: "keeps a JSON line per run so a regression is
// visible"). This box's speed swings by up to 2x within minutes, so raw figures alone make poor evidence:
// where both runs measured ref4k (a bare node:http server, lib/ref-server.mjs) the server CPU per op is
// also compared after dividing by ref4k's of the same run, which takes most of the box's swing out.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { dirname } from 'node:path';

/** Runs compared against, at most (the most recent comparable ones). */
export const HISTORY_RUNS = 5;
/** A row is flagged when its CPU per op (relative to ref4k's) rose by more than this factor. */
export const FLAG_NORMALIZED = 1.2;
/** Without ref4k in both runs the raw CPU per op must rise by more than this (the box alone swings ~1.4x). */
export const FLAG_RAW = 1.5;

/** What makes two runs' figures comparable: the same box. */
export function machineOf() {
  const c = cpus();
  return { host: hostname(), cpuModel: (c[0]?.model ?? '').trim(), cpus: c.length, memGiB: Math.round(totalmem() / 2 ** 30) };
}

/** Options that change what a row measures (durations and warm-ups only change how long it takes). */
const COMPARABLE_OPTIONS = ['listKeys', 'smallObjects', 'largeMiB', 'partMiB', 'partsInFlight', 'signPayloadMax', 'sse', 'bigKeys'];

/** The runs kept in `file`, oldest first (a missing file is none; a line that does not parse is skipped). */
export function readHistory(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
  const runs = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const run = JSON.parse(line);
      if (run?.bench === 'massive-storage') runs.push(run);
    } catch {
      // A line cut by a crash mid-append: the runs around it still count.
    }
  }
  return runs;
}

/** Appends `run` as one line (the directory is made if missing). */
export function appendHistory(file, run) {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, JSON.stringify(run) + '\n');
}

/** Two runs' `machine`: the same box (their figures are comparable). */
export const sameMachine = (a, b) => a !== undefined && b !== undefined && a.host === b.host && a.cpuModel === b.cpuModel && a.cpus === b.cpus && a.memGiB === b.memGiB;
const sameOptions = (a, b) => COMPARABLE_OPTIONS.every((k) => a?.[k] === b?.[k]);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** The figure a row is judged by: MiB/s for the 1 MiB and 1 GiB rows, op/s (pages/s for LIST) else. */
export const rateOf = (workload, row) => (/1m$|1g$/.test(workload) ? row.mibPerSec : row.opsPerSec);
const positive = (x) => typeof x === 'number' && Number.isFinite(x) && x > 0;

/**
 * Each row of `current` (a run's JSON) against the median of the last HISTORY_RUNS earlier runs that went
 * through on the same machine, with the same target and options, and ran that row at the same
 * concurrency. `cpuRatio`: server CPU per op now / then; `normalizedCpuRatio`: the same with each run's
 * figure divided by its own ref4k's (when the current run and those runs measured it). `flag`: the row
 * looks slower than it was, by the thresholds above.
 */
export function compareWithHistory(current, history, n = HISTORY_RUNS) {
  const earlier = history.filter((r) => r.ok && r.target === current.target && sameMachine(r.machine, current.machine) && sameOptions(r.options, current.options) && r.results);
  const rows = [];
  let compared = 0;
  for (const [workload, row] of Object.entries(current.results ?? {})) {
    if (workload === 'ref4k') continue;
    const conc = current.options?.concurrency?.[workload];
    const past = earlier.filter((r) => r.results[workload] && r.options?.concurrency?.[workload] === conc).slice(-n);
    if (past.length === 0) continue;
    compared = Math.max(compared, past.length);
    const rate = rateOf(workload, row);
    const pastRates = past.map((r) => rateOf(workload, r.results[workload])).filter(positive);
    const cpu = row.serverCpuUsPerOp;
    const pastCpu = past.map((r) => r.results[workload].serverCpuUsPerOp).filter(positive);
    const ref = current.results.ref4k?.serverCpuUsPerOp;
    const pastNorm = positive(ref) ? past.map((r) => r.results[workload].serverCpuUsPerOp / r.results.ref4k?.serverCpuUsPerOp).filter(positive) : [];
    const out = { workload, runs: past.length };
    if (positive(rate) && pastRates.length) Object.assign(out, { rate, rateMedian: median(pastRates), rateRatio: rate / median(pastRates) });
    if (positive(cpu) && pastCpu.length) Object.assign(out, { cpu, cpuMedian: median(pastCpu), cpuRatio: cpu / median(pastCpu) });
    if (positive(cpu) && pastNorm.length) Object.assign(out, { normalizedCpuRatio: cpu / ref / median(pastNorm), normalizedRuns: pastNorm.length });
    out.flag = out.normalizedCpuRatio !== undefined ? out.normalizedCpuRatio > FLAG_NORMALIZED : out.cpuRatio !== undefined && out.cpuRatio > FLAG_RAW;
    rows.push(out);
  }
  return { runs: compared, rows };
}

const pct = (ratio) => `${ratio >= 1 ? '+' : ''}${Math.round((ratio - 1) * 100)}%`;

/** The comparison as a few lines for the terminal ('' when there was nothing to compare with). */
export function formatHistoryComparison(cmp, file) {
  if (cmp.rows.length === 0) return '';
  const head = ['workload', 'runs', 'rate', 'median', 'rate Δ', 'srv µs/op', 'median', 'CPU Δ', 'CPU Δ vs ref4k', ''];
  const table = [head];
  for (const r of cmp.rows) {
    table.push([
      r.workload,
      String(r.runs),
      r.rate === undefined ? '' : String(Math.round(r.rate * 10) / 10),
      r.rateMedian === undefined ? '' : String(Math.round(r.rateMedian * 10) / 10),
      r.rateRatio === undefined ? '' : pct(r.rateRatio),
      r.cpu === undefined ? '' : String(r.cpu),
      r.cpuMedian === undefined ? '' : String(Math.round(r.cpuMedian)),
      r.cpuRatio === undefined ? '' : pct(r.cpuRatio),
      r.normalizedCpuRatio === undefined ? '' : pct(r.normalizedCpuRatio),
      r.flag ? 'SLOWER?' : '',
    ]);
  }
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (i === 0 || i === row.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return (
    `\nAgainst the last ${cmp.runs} comparable run${cmp.runs > 1 ? 's' : ''} on this machine (${file}; medians):\n` +
    [line(table[0]), widths.map((w) => '-'.repeat(w)).join('  ').trimEnd(), ...table.slice(1).map(line)].join('\n') +
    `\n(SLOWER?: server CPU per op up more than ${pct(FLAG_NORMALIZED)} relative to ref4k's in the same runs, or, without ref4k, more than ${pct(FLAG_RAW)} raw;` +
    '\n a hint to re-run and A/B, not a verdict: rates swing with the box)\n'
  );
}
