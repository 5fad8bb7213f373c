// The bench keeps every run's JSON line and sets each new row against the median of the last comparable
// runs on the same machine (tools/bench/lib/history.mjs): a regression must show, and the box's own
// swing (up to 2x here) must not pass for one. The module is ESM, so it runs in a child node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const HISTORY = pathToFileURL(resolve(__dirname, '../../tools/bench/lib/history.mjs')).href;

/** Runs `body` (an async function's body with the module as `h`) in a child node; its JSON result. */
function withHistory<T>(body: string): T {
  const script = `const h = await import(${JSON.stringify(HISTORY)}); const out = await (async () => { ${body} })(); process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child node failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface Row {
  workload: string;
  runs: number;
  cpuRatio?: number;
  normalizedCpuRatio?: number;
  rateRatio?: number;
  flag: boolean;
}

/** A run's JSON as the bench writes it, with get4k (and ref4k unless `ref` is undefined) rows. */
const RUN = `
  const machine = { host: 'box', cpuModel: 'cpu', cpus: 2, memGiB: 24 };
  const run = ({ cpu, ref, rate = 10000, ok = true, conc = 32, m = machine, target = 'local-mode', largeMiB = 1024 }) => ({
    bench: 'massive-storage', ok, target, machine: m,
    options: { largeMiB, concurrency: { get4k: conc, ref4k: 32 } },
    results: { get4k: { opsPerSec: rate, serverCpuUsPerOp: cpu }, ...(ref !== undefined && { ref4k: { opsPerSec: 20000, serverCpuUsPerOp: ref } }) },
  });
`;

describe('bench history (tools/bench/lib/history.mjs)', () => {
  it('flags a row whose CPU per op rose against ref4k, and not one that only followed the box', () => {
    const [slower, boxSlower] = withHistory<{ rows: Row[] }[]>(`${RUN}
      const past = [run({ cpu: 90, ref: 30 }), run({ cpu: 100, ref: 30 }), run({ cpu: 110, ref: 30 })];
      return [h.compareWithHistory(run({ cpu: 150, ref: 30 }), past), h.compareWithHistory(run({ cpu: 150, ref: 45, rate: 6700 }), past)];`);
    expect(slower.rows).toEqual([expect.objectContaining({ workload: 'get4k', runs: 3, cpuRatio: 1.5, normalizedCpuRatio: 1.5, flag: true })]);
    // The whole box 1.5x slower (the reference too): raw CPU per op up 50%, relative to ref4k level.
    expect(boxSlower.rows).toEqual([expect.objectContaining({ cpuRatio: 1.5, normalizedCpuRatio: 1, flag: false })]);
    expect(boxSlower.rows[0]!.rateRatio).toBeCloseTo(0.67, 2);
  });

  it('compares only runs that went through on the same machine, target, options and concurrency', () => {
    const out = withHistory<Record<string, { runs: number; rows: Row[] }>>(`${RUN}
      const now = run({ cpu: 100, ref: 30 });
      const other = { ...machine, host: 'elsewhere' };
      return {
        machine: h.compareWithHistory(now, [run({ cpu: 50, ref: 30, m: other })]),
        target: h.compareWithHistory(now, [run({ cpu: 50, ref: 30, target: 'distributed-mode' })]),
        options: h.compareWithHistory(now, [run({ cpu: 50, ref: 30, largeMiB: 64 })]),
        concurrency: h.compareWithHistory(now, [run({ cpu: 50, ref: 30, conc: 64 })]),
        failed: h.compareWithHistory(now, [run({ cpu: 50, ref: 30, ok: false })]),
        same: h.compareWithHistory(now, [run({ cpu: 50, ref: 30 })]),
      };`);
    for (const k of ['machine', 'target', 'options', 'concurrency', 'failed']) expect({ k, rows: out[k]!.rows }).toEqual({ k, rows: [] });
    expect(out['same']!.rows).toEqual([expect.objectContaining({ runs: 1, cpuRatio: 2, flag: true })]);
  });

  it('uses the median of the last five runs, and without ref4k flags only a rise beyond the box swing', () => {
    const out = withHistory<Record<string, { rows: Row[] }>>(`${RUN}
      // Two old runs far off, then five at 100: only the last five count.
      const past = [run({ cpu: 10 }), run({ cpu: 10 }), ...[96, 98, 100, 102, 104].map((cpu) => run({ cpu }))];
      return { within: h.compareWithHistory(run({ cpu: 140 }), past), beyond: h.compareWithHistory(run({ cpu: 160 }), past) };`);
    expect(out['within']!.rows).toEqual([expect.objectContaining({ runs: 5, cpuRatio: 1.4, flag: false })]);
    expect(out['within']!.rows[0]!.normalizedCpuRatio).toBeUndefined();
    expect(out['beyond']!.rows).toEqual([expect.objectContaining({ cpuRatio: 1.6, flag: true })]);
  });

  it('keeps runs one JSON line each, skips a line cut short, and prints a table only when it has one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-history-'));
    try {
      const file = join(dir, 'sub', 'history.jsonl');
      const out = withHistory<{ read: { cpu: number }[]; table: string; none: string }>(`${RUN}
        const file = ${JSON.stringify(file)};
        h.appendHistory(file, run({ cpu: 100, ref: 30 }));
        (await import('node:fs')).appendFileSync(file, '{"bench":"massive-storage","ok":tr\\n');
        h.appendHistory(file, run({ cpu: 105, ref: 30 }));
        const read = h.readHistory(file);
        return {
          read: read.map((r) => ({ cpu: r.results.get4k.serverCpuUsPerOp })),
          table: h.formatHistoryComparison(h.compareWithHistory(run({ cpu: 160, ref: 30 }), read), file),
          none: h.formatHistoryComparison(h.compareWithHistory(run({ cpu: 160, ref: 30 }), []), file),
        };`);
      expect(out.read).toEqual([{ cpu: 100 }, { cpu: 105 }]);
      expect(out.table).toMatch(/Against the last 2 comparable runs on this machine/);
      expect(out.table).toMatch(/^get4k\s+2\s+10000\s+10000\s+\+0%\s+160\s+103\s+\+56%\s+\+56%\s+SLOWER\?$/m);
      expect(out.none).toBe('');
      expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
      // A missing file is an empty history, not an error.
      expect(withHistory<unknown[]>(`return h.readHistory(${JSON.stringify(join(dir, 'missing.jsonl'))});`)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
