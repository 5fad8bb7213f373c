// tools/bench/lib/load.mjs `interleaved`: two workloads measured in alternating slices (ABBA...), each
// slice's CPU charged to its own side's server. ref4k's paired measurement judges issue 11's "a 4 KiB
// GET's CPU within 2x of an in-memory server's" with it, and listbig its big-bucket pages: slices in the
// wrong order, or one side charged the other's server, would make those ratios wrong. Here the two
// "servers" are child processes, one spinning and one idle. The module is ESM: it runs in a child node.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const LOAD = pathToFileURL(resolve(__dirname, '../bench/lib/load.mjs')).href;

/** Runs `body` (an async function's body with `interleaved` in scope) in a child node; its JSON result. */
function run<T>(body: string): T {
  const script = `
    import { spawn } from 'node:child_process';
    import { interleaved } from ${JSON.stringify(LOAD)};
    const child = (code) => spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
    const busy = child('for (;;) {}');
    const idle = child('setInterval(() => {}, 1000)');
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    try {
      await sleep(300);
      const out = await (async () => { ${body} })();
      process.stdout.write(JSON.stringify(out));
    } finally {
      busy.kill('SIGKILL');
      idle.kill('SIGKILL');
    }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`child node failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface Row {
  ops: number;
  serverCpuUsPerOp?: number;
  serviceCpuUsPerOp?: Record<string, number>;
  errors: number;
}

describe('bench interleaved slices (tools/bench/lib/load.mjs)', () => {
  it('runs the sides ABBA..., and charges each slice to its own side server', () => {
    const out = run<{ order: string[]; rows: Row[] }>(`
      const order = [];
      const side = (name, serverPid) => ({ serverPid, op: async () => { if (order.at(-1) !== name) order.push(name); await sleep(2); return 0; } });
      const rows = await interleaved({ sides: [side('A', busy.pid), side('B', idle.pid)], rounds: 4, concurrency: 1, durationMs: 800, warmupMs: 0 });
      return { order, rows };`);
    // Four rounds: A B, B A, A B, B A (a side's two slices in a row merge).
    expect(out.order).toEqual(['A', 'B', 'A', 'B', 'A']);
    const [a, b] = out.rows;
    expect(a!.ops).toBeGreaterThan(50);
    expect(b!.ops).toBeGreaterThan(50);
    expect(a!.errors + b!.errors).toBe(0);
    // The spinning child's CPU over A's slices only (hundreds of µs per 2 ms op); the idle one's next to nothing.
    expect(a!.serverCpuUsPerOp).toBeGreaterThan(250);
    expect(b!.serverCpuUsPerOp).toBeLessThan(50);
  });

  it("runs each slice's lead-in unmeasured, and stops on an error in it", () => {
    const out = run<{ calls: number[]; ops: number[]; failed: string }>(`
      const calls = [0, 0];
      const side = (k) => ({ serverPid: idle.pid, op: async () => { calls[k]++; await sleep(2); return 0; } });
      const rows = await interleaved({ sides: [side(0), side(1)], rounds: 2, concurrency: 1, durationMs: 400, warmupMs: 0, sliceWarmupMs: 300 });
      let n = 0;
      const failing = { serverPid: idle.pid, op: async () => { await sleep(1); if (++n === 3) throw new Error('boom'); return 0; } };
      const failed = await interleaved({ sides: [failing], rounds: 1, concurrency: 1, durationMs: 400, warmupMs: 0, sliceWarmupMs: 100 }).then(() => 'no error', (e) => e.message);
      return { calls, ops: rows.map((r) => r.ops), failed };`);
    // Each side: two lead-ins of 300 ms and two measured slices of 200 ms; only the slices' ops count.
    for (const k of [0, 1]) {
      expect(out.ops[k]).toBeGreaterThan(20);
      expect(out.calls[k]! - out.ops[k]!).toBeGreaterThan(out.ops[k]!);
    }
    expect(out.failed).toMatch(/errors during a slice's lead-in: boom/);
  });

  it('sums a side of several processes per service over its slices, and uses the common server otherwise', () => {
    const rows = run<Row[]>(`
      const op = async () => { await sleep(2); return 0; };
      return interleaved({
        sides: [{ op, serverPid: { spin: busy.pid, rest: idle.pid } }, { op }],
        serverPid: idle.pid, rounds: 2, concurrency: 1, durationMs: 600, warmupMs: 50,
      });`);
    const [several, common] = rows;
    expect(Object.keys(several!.serviceCpuUsPerOp ?? {}).sort()).toEqual(['rest', 'spin']);
    expect(several!.serviceCpuUsPerOp!['spin']).toBeGreaterThan(250);
    expect(several!.serviceCpuUsPerOp!['rest']).toBeLessThan(50);
    // Their sum is the side's figure (each rounded on its own).
    expect(Math.abs(several!.serverCpuUsPerOp! - (several!.serviceCpuUsPerOp!['spin']! + several!.serviceCpuUsPerOp!['rest']!))).toBeLessThanOrEqual(1);
    expect(common!.serverCpuUsPerOp).toBeLessThan(50);
    expect(common!.serviceCpuUsPerOp).toBeUndefined();
  });
});
