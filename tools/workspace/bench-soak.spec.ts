// `npm run bench -- --only soak` (tools/bench/lib/soak.mjs): a long mixed workload checked against an
// exact model of its bucket, which fails on a wrong answer or a leak. Here: its leak rule on made-up
// samples (ESM, so in a child node), and a 6-second soak (plus its two idle pauses) against a real
// local-mode server, whose every answer and final read-back must match the model. Needs the build
// (`npm test` builds first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const REPO = resolve(__dirname, '../..');
const SOAK = pathToFileURL(resolve(REPO, 'tools/bench/lib/soak.mjs')).href;

function leakIn(samples: { atS: number; anonMiB: number; fds: number; byService?: Record<string, number> }[], baseline: { fds: number }): string | null {
  const script = `const { leakIn } = await import(${JSON.stringify(SOAK)}); process.stdout.write(JSON.stringify(leakIn(${JSON.stringify(samples)}, ${JSON.stringify(baseline)}) ?? null));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child node failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as string | null;
}

/** Samples every 5 s with these anonymous MiB, then an idle one with `endFds` descriptors. */
const series = (anon: number[], fds: number, endFds: number) => [...anon.map((anonMiB, i) => ({ atS: i * 5, anonMiB, fds })), { atS: anon.length * 5 + 16, anonMiB: anon.at(-1)!, fds: endFds }];

describe('bench soak', () => {
  it('calls memory still climbing after warm-up a leak, and a plateau not', () => {
    // Warm-up growth, then flat: not a leak (the first third is warm-up).
    expect(leakIn(series([40, 150, 220, 250, 255, 258, 260, 260, 261], 300, 300), { fds: 300 })).toBeNull();
    // Still climbing by > 1.5x and > 96 MiB from the middle third to the last: a leak.
    expect(leakIn(series([40, 150, 200, 210, 220, 230, 300, 360, 420], 300, 300), { fds: 300 })).toMatch(/anonymous memory grew from 230 MiB \(middle third\) to 420 MiB/);
    // 1.5x but only +60 MiB (a small server): within the margin.
    expect(leakIn(series([20, 60, 100, 110, 115, 120, 150, 170, 180], 300, 300), { fds: 300 })).toBeNull();
  });

  it('in distributed mode, judges each service on its own as well as the sum', () => {
    /** Samples of three services' MiB (their sum as anonMiB), then an idle one. */
    const services = (gateway: number[], metadata: number[], blob: number[]) => {
      const at = gateway.map((g, i) => ({ atS: i * 5, anonMiB: g + metadata[i] + blob[i], fds: 300, byService: { gateway: g, metadata: metadata[i], blob: blob[i] } }));
      return [...at, { ...at.at(-1)!, atS: at.length * 5 + 16 }];
    };
    const flat = [90, 95, 100, 100, 100, 100, 100, 100, 100];
    // The session 35 distributed soak's shape: every service settles: not a leak.
    expect(leakIn(services([130, 200, 200, 201, 209, 218, 225, 230, 234], flat, [85, 123, 127, 133, 136, 145, 147, 149, 150]), { fds: 300 })).toBeNull();
    // The gateway climbs 100 -> 260 MiB while the blob service gives back 150: the sum grows 1.03x, the gateway 2.6x.
    const leak = leakIn(services([60, 90, 95, 100, 100, 100, 180, 220, 260], flat, [400, 450, 450, 450, 450, 450, 350, 320, 300]), { fds: 300 });
    expect(leak).toMatch(/^the gateway's anonymous memory grew from 100 MiB \(middle third\) to 260 MiB/);
    // The same climb summed over a single process is judged as before (no byService: only the sum).
    expect(leakIn(series([460, 540, 545, 550, 550, 550, 630, 640, 660], 300, 300), { fds: 300 })).toBeNull();
  });

  it('calls descriptors held past the idle baseline a leak, and those the server keeps by design not', () => {
    // Up to 128 more when idle at the end (pools and caches of bounded size settle differently): not a leak.
    expect(leakIn(series([40, 50, 50, 50, 50, 50], 560, 427), { fds: 299 })).toBeNull();
    expect(leakIn(series([40, 50, 50, 50, 50, 50], 560, 428), { fds: 299 })).toMatch(/open descriptors grew from 299 to 428, idle both times/);
  });

  it('a short soak against a local-mode server: every answer and the final read-back match the model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-soak-'));
    try {
      const r = spawnSync(process.execPath, [resolve(REPO, 'tools/bench/run.mjs'), '--only', 'soak', '--soak-minutes', '0.1', '--history', join(dir, 'h.jsonl')], {
        cwd: REPO,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: 240_000,
      });
      const json = r.stdout.split('\n').find((l) => l.startsWith('{"bench"'));
      if (!json) throw new Error(`the bench printed no JSON line (exit ${r.status}):\n${`${r.stdout}\n${r.stderr}`.slice(-4000)}`);
      const line = JSON.parse(json) as { ok: boolean; results: { soak: { ops: number; errors: number; objects: number; counts: Record<string, number>; samples: unknown[]; fds: { last: number } } } };
      expect({ status: r.status, ok: line.ok }).toEqual({ status: 0, ok: true });
      const soak = line.results.soak;
      expect({ errors: soak.errors, ran: soak.ops > 100, objects: soak.objects > 0 }).toEqual({ errors: 0, ran: true, objects: true });
      // Every kind of operation ran (a multipart upload is 3% of them).
      expect(Object.keys(soak.counts).sort()).toEqual(['delete', 'get', 'head', 'list', 'multipart', 'put']);
      expect(soak.samples.length).toBeGreaterThanOrEqual(3);
      expect(r.stdout).toMatch(/^soak\s+16\s/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
