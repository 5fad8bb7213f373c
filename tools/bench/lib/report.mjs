// The table README's Benchmarks section shows (issue 11: "README's table shows the latest numbers and the
// machine"), rendered from the history every run leaves (lib/history.mjs): the latest complete local-mode
// run (`npm run bench`) and, beside it, the latest `--mode compare` run on the same machine. Each row
// carries the server's CPU per op and, where issue 11 sets one, its aim and whether this run met it.
// Rendering from the kept JSON lines, not from a terminal copied by hand, keeps the table true to a run.
import { rateOf, sameMachine } from './history.mjs';

/** What each row measures, in README's words (order = the table's). */
const ROWS = [
  ['put4k', '4 KiB PUT'],
  ['get4k', '4 KiB GET'],
  ['head4k', '4 KiB HEAD'],
  ['ref4k', '4 KiB GET, bare in-memory node:http server (`ref4k`, the yardstick)'],
  ['list', 'ListObjectsV2, 1,000-key pages'],
  ['vput4k', 'versioned 4 KiB PUT'],
  ['vget4k', 'versioned 4 KiB GET'],
  ['vlist', 'ListObjectVersions, 1,000-entry pages'],
  ['delete4k', '4 KiB DELETE'],
  ['put1m', '1 MiB PUT'],
  ['get1m', '1 MiB GET'],
  ['mpu1g', '1 GiB multipart upload'],
  ['get1g', '1 GiB download, one stream'],
  ['listbig', 'first LIST page of a 10M-key bucket'],
];

/** Rows a complete `npm run bench` has: a run without them is a partial one (`--only`). */
const COMPLETE = ['put4k', 'get4k', 'head4k', 'ref4k', 'put1m', 'get1m', 'mpu1g', 'get1g'];

/** Issue 11: distributed mode at least this fraction of local mode on every row. */
export const DISTRIBUTED_AIM = 0.7;

/**
 * The runs the table is made of, from `history` (oldest first): the latest ok local-mode run with every
 * COMPLETE row, and the latest ok compare run on that run's machine (undefined when there is none).
 */
export function latestRuns(history) {
  const local = history.findLast((r) => r.ok && r.target === 'local-mode' && COMPLETE.every((w) => r.results?.[w]));
  if (!local) return { local: undefined, compare: undefined };
  const compare = history.findLast((r) => r.ok && r.target === 'compare' && sameMachine(r.machine, local.machine) && r.results?.local && r.results?.distributed);
  return { local, compare };
}

const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
const group = (n, digits = 0) => (isNum(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '');
const unitOf = (w) => (/1m$|1g$/.test(w) ? 'MiB/s' : w === 'list' || w === 'vlist' ? 'pages/s' : 'op/s');
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A rate as the table shows it: op/s and pages/s whole, MiB/s to one decimal under 100. */
function rate(w, x) {
  if (!isNum(x)) return '';
  return `${group(x, /1m$|1g$/.test(w) && x < 100 ? 1 : 0)} ${unitOf(w)}`;
}

/** Server CPU per op: µs below 10 ms, ms above (the 1 GiB rows' one op is the whole transfer). */
function cpu(us) {
  if (!isNum(us)) return '';
  return us >= 10_000 ? `${group(us / 1000)} ms` : `${group(us)} µs`;
}

/** The mean of a compare side's rounds for one figure (rounds where it is missing are left out). */
function roundsMean(rounds, pick) {
  const xs = (rounds ?? []).map(pick).filter(isNum);
  return xs.length ? mean(xs) : undefined;
}

/** ROWS' label, with the sizes a run's options set (the 1 GiB rows' object and parts). */
function labelOf(w, label, o) {
  const size = isNum(o.largeMiB) && o.largeMiB !== 1024 ? `${group(o.largeMiB)} MiB` : '1 GiB';
  if (w === 'mpu1g') return `${size} multipart upload${isNum(o.partMiB) ? ` (${o.partMiB} MiB parts)` : ''}`;
  if (w === 'get1g') return label.replace('1 GiB', size);
  return label;
}

/** The aim cell for row `w`: issue 11's target from the run's `targets`, met or missed. */
function aimOf(w, targets) {
  const parts = [];
  const t = targets?.[w];
  if (t) parts.push(`${t.atMost ? '≤' : '≥'} ${group(t.target)} ${unitOf(w)}: ${t.met ? 'met' : '**missed**'}`);
  if (w === 'get4k' && targets?.get4kCpuVsRef) {
    const c = targets.get4kCpuVsRef;
    parts.push(`CPU ≤ ${c.target}× ref4k's: ${c.value}×${c.paired ? ' in alternating slices' : ''} (${c.met ? 'met' : '**missed**'})`);
  }
  if (w === 'mpu1g' && targets?.mpu1gMemory) {
    const m = targets.mpu1gMemory;
    parts.push(`memory < ${group(m.target)} MiB: ${group(m.value)} MiB anonymous (${m.met ? 'met' : '**missed**'})`);
  }
  return parts.join('; ');
}

/**
 * The Markdown: a line naming the run(s), the machine and Node, then one table row per workload the
 * local run measured (in ROWS' order): local mode's rate and server CPU per op, distributed mode's and
 * the ratio when a compare run is there, and the aim.
 */
export function renderReport({ local, compare }) {
  if (!local) throw new Error('no complete local-mode run in the history: run `npm run bench` (all rows) first');
  const m = local.machine ?? {};
  const day = (r) => r.at.slice(0, 10);
  const lines = [];
  lines.push(
    `Measured ${day(local)} at \`${local.git || '?'}\` on ${m.cpuModel || '?'}, ${m.cpus ?? local.cpus} cores, ${m.memGiB ?? local.memGiB} GiB, Node ${local.node}` +
      ` (\`npm run bench\`: local mode, durable, SigV4-verified, load generator on the same box` +
      (compare
        ? `; distributed mode from \`npm run bench -- --mode compare\` of ${day(compare)} at \`${compare.git || '?'}\`, ${compare.rounds} rounds, each row on both modes back to back:` +
          ` its ratio is against the local mode measured beside it, aim ≥ ${DISTRIBUTED_AIM}`
        : '') +
      ').',
  );
  lines.push('');
  const head = ['workload', 'clients', 'local mode', 'server CPU per op', ...(compare ? ['distributed', 'server CPU per op', 'distributed / local'] : []), 'aim (issue 11)'];
  lines.push(`| ${head.join(' | ')} |`);
  lines.push(`|${head.map(() => '---').join('|')}|`);
  for (const [w, label] of ROWS) {
    const row = local.results[w];
    if (!row) continue;
    const o = local.options ?? {};
    const clients = o.concurrency?.[w] ?? row.concurrency ?? '';
    const cells = [labelOf(w, label, o), w === 'mpu1g' ? `${clients} parts` : String(clients), rate(w, rateOf(w, row)), cpu(row.serverCpuUsPerOp)];
    if (compare) {
      const d = compare.results.distributed[w];
      const ratio = compare.ratios?.[w];
      cells.push(rate(w, roundsMean(d, (r) => rateOf(w, r))), cpu(roundsMean(d, (r) => r.serverCpuUsPerOp)));
      // The ratio is the compare run's own (each round's pair back to back), not against the local column:
      // the local side it was taken against is named beside it.
      const pairedLocal = rate(w, roundsMean(compare.results.local[w], (r) => rateOf(w, r)));
      const shown = isNum(ratio) ? (ratio < DISTRIBUTED_AIM ? `**${ratio.toFixed(2)}**` : ratio.toFixed(2)) : '';
      cells.push(shown && `${shown} (of ${pairedLocal})`);
    }
    cells.push(aimOf(w, local.targets));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}
