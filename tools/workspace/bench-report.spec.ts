// README's Benchmarks table is rendered from the bench's history (tools/bench/report.mjs, lib/report.mjs):
// it must be made of the latest complete run and a compare run from the same machine, never of a partial
// (`--only`) or failed one, and say plainly which aims the run met. The module is ESM: it runs in a child node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const REPORT = pathToFileURL(resolve(__dirname, '../../tools/bench/lib/report.mjs')).href;
const CLI = resolve(__dirname, '../../tools/bench/report.mjs');

/** Runs `body` (an async function's body with the module as `r`) in a child node; its JSON result. */
function withReport<T>(body: string): T {
  const script = `const r = await import(${JSON.stringify(REPORT)}); const out = await (async () => { ${body} })(); process.stdout.write(JSON.stringify(out));`;
  const p = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`child node failed (${p.status}): ${p.stderr}`);
  return JSON.parse(p.stdout) as T;
}

/** Runs as the bench writes them: a complete local one, a partial one, and a compare one. */
const RUNS = `
  const machine = { host: 'box', cpuModel: 'AMD EPYC', cpus: 2, memGiB: 24 };
  const row = (opsPerSec, serverCpuUsPerOp, extra = {}) => ({ opsPerSec, mibPerSec: null, serverCpuUsPerOp, ...extra });
  const big = (mibPerSec, serverCpuUsPerOp, extra = {}) => ({ opsPerSec: null, mibPerSec, serverCpuUsPerOp, ...extra });
  const complete = (at, git, extra = {}) => ({
    bench: 'massive-storage', at, git, node: 'v20.20.2', ok: true, target: 'local-mode', machine,
    options: { largeMiB: 1024, partMiB: 16, concurrency: { put4k: 32, get4k: 32, head4k: 32, ref4k: 32, list: 8, put1m: 8, get1m: 8 } },
    results: {
      put4k: row(4590.4, 250), get4k: row(7175.3, 139), head4k: row(9223.6, 108), ref4k: row(22677.9, 34),
      list: row(207.3, 4945), put1m: big(266.2, 5317), get1m: big(896, 965),
      mpu1g: big(373.3, 67344, { concurrency: 4 }), get1g: big(1047, 630000, { concurrency: 1 }),
    },
    targets: {
      get4k: { value: 7175.3, target: 10000, met: false }, head4k: { value: 9223.6, target: 10000, met: false },
      put4k: { value: 4590.4, target: 3000, met: true }, put1m: { value: 266.2, target: 250, met: true },
      get1m: { value: 896, target: 600, met: true }, mpu1g: { value: 373.3, target: 300, met: true },
      mpu1gMemory: { value: 261.9, target: 300, atMost: true, met: true }, get1g: { value: 1047, target: 600, met: true },
      get4kCpuVsRef: { value: 4.09, target: 2, atMost: true, met: false },
    },
    ...extra,
  });
  const compare = (at, git, m = machine) => ({
    bench: 'massive-storage', at, git, node: 'v20.20.2', ok: true, target: 'compare', machine: m, rounds: 2,
    results: {
      local: { get4k: [row(6000, 150), row(6200, 140)], get1m: [big(1100, 900), big(1216, 880)] },
      distributed: { get4k: [row(7000, 170), row(7400, 172)], get1m: [big(700, 2000), big(742, 2100)] },
    },
    ratios: { get4k: 1.18, get1m: 0.62 },
  });
`;

describe('bench report (tools/bench/lib/report.mjs)', () => {
  it('takes the latest complete, ok local run and the latest compare run from its machine', () => {
    const picked = withReport<{ local: string; compare: string | null; none: unknown }>(`${RUNS}
      const history = [
        complete('2026-12-01T10:00:00Z', 'old'),
        compare('2026-12-01T11:00:00Z', 'cmp-here'),
        complete('2026-12-02T10:00:00Z', 'newest-complete'),
        // After it: a partial run (--only), a failed complete one, and a compare run on another box.
        { ...complete('2026-12-03T10:00:00Z', 'partial'), results: { get4k: { opsPerSec: 1, serverCpuUsPerOp: 1 } } },
        complete('2026-12-03T11:00:00Z', 'failed', { ok: false }),
        compare('2026-12-03T12:00:00Z', 'cmp-elsewhere', { host: 'other', cpuModel: 'AMD EPYC', cpus: 2, memGiB: 24 }),
      ];
      const runs = r.latestRuns(history);
      return { local: runs.local.git, compare: runs.compare?.git ?? null, none: r.latestRuns([compare('2026-12-01T11:00:00Z', 'x')]) };`);
    expect(picked.local).toBe('newest-complete');
    expect(picked.compare).toBe('cmp-here');
    expect(picked.none).toEqual({});
  });

  it('renders each row with its rate, CPU per op, the distributed pair and the aims met or missed', () => {
    const md = withReport<string>(`${RUNS}
      return r.renderReport({ local: complete('2026-12-07T15:06:13Z', '5af053b'), compare: compare('2026-12-07T16:00:00Z', 'abc1234') });`);
    const lines = md.split('\n');
    expect(lines[0]).toMatch(/^Measured 2026-12-07 at `5af053b` on AMD EPYC, 2 cores, 24 GiB, Node v20\.20\.2 .*--mode compare` of 2026-12-07 at `abc1234`, 2 rounds/);
    expect(lines[2]).toBe('| workload | clients | local mode | server CPU per op | distributed | server CPU per op | distributed / local | aim (issue 11) |');
    expect(md).toContain('| 4 KiB GET | 32 | 7,175 op/s | 139 µs | 7,200 op/s | 171 µs | 1.18 (of 6,100 op/s) | ≥ 10,000 op/s: **missed**; CPU ≤ 2× ref4k\'s: 4.09× (**missed**) |');
    // Below 0.7 of local mode: the ratio is marked.
    expect(md).toContain('| 1 MiB GET | 8 | 896 MiB/s | 965 µs | 721 MiB/s | 2,050 µs | **0.62** (of 1,158 MiB/s) | ≥ 600 MiB/s: met |');
    expect(md).toContain('| 4 KiB PUT | 32 | 4,590 op/s | 250 µs |  |  |  | ≥ 3,000 op/s: met |');
    expect(md).toContain('| 1 GiB multipart upload (16 MiB parts) | 4 parts | 373 MiB/s | 67 ms |  |  |  | ≥ 300 MiB/s: met; memory < 300 MiB: 262 MiB anonymous (met) |');
    expect(md).toContain('| ListObjectsV2, 1,000-key pages | 8 | 207 pages/s | 4,945 µs |');
    // Rows in the table's order, only those the run measured.
    const order = lines.filter((l) => l.startsWith('| ') && !l.startsWith('| workload')).map((l) => l.split(' | ')[0].slice(2));
    expect(order).toEqual(['4 KiB PUT', '4 KiB GET', '4 KiB HEAD', '4 KiB GET, bare in-memory node:http server (`ref4k`, the yardstick)', 'ListObjectsV2, 1,000-key pages', '1 MiB PUT', '1 MiB GET', '1 GiB multipart upload (16 MiB parts)', '1 GiB download, one stream']);
  });

  it('says when the CPU ratio came from the paired slices', () => {
    const md = withReport<string>(`${RUNS}
      const run = complete('2026-12-07T15:06:13Z', '5af053b');
      run.targets.get4kCpuVsRef = { value: 2.61, target: 2, atMost: true, met: false, paired: true };
      return r.renderReport({ local: run });`);
    expect(md).toContain("| 4 KiB GET | 32 | 7,175 op/s | 139 µs | ≥ 10,000 op/s: **missed**; CPU ≤ 2× ref4k's: 2.61× in alternating slices (**missed**) |");
  });

  it('without a compare run leaves the distributed columns out', () => {
    const md = withReport<string>(`${RUNS} return r.renderReport({ local: complete('2026-12-07T15:06:13Z', '5af053b') });`);
    expect(md).toContain('| workload | clients | local mode | server CPU per op | aim (issue 11) |');
    expect(md).toContain('| 1 MiB PUT | 8 | 266 MiB/s | 5,317 µs | ≥ 250 MiB/s: met |');
    expect(md).not.toContain('distributed');
  });

  it('the command prints the table from a history file, and fails on one without a complete run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    try {
      const lines = withReport<string[]>(`${RUNS} return [JSON.stringify(complete('2026-12-07T15:06:13Z', 'cli-run')), 'not json', JSON.stringify(compare('2026-12-07T16:00:00Z', 'cli-cmp'))];`);
      const full = join(dir, 'full.jsonl');
      writeFileSync(full, lines.join('\n') + '\n');
      const ok = spawnSync(process.execPath, [CLI, '--history', full], { encoding: 'utf8' });
      expect(ok.status).toBe(0);
      expect(ok.stdout).toMatch(/^Measured 2026-12-07 at `cli-run`.*at `cli-cmp`/);
      const partial = join(dir, 'partial.jsonl');
      writeFileSync(partial, lines[2] + '\n');
      const bad = spawnSync(process.execPath, [CLI, '--history', partial], { encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/no complete local-mode run/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
