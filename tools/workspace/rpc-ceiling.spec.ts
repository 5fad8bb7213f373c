// tools/bench/rpc-ceiling.mjs decides whether a leaner transport for the services' calls is worth
// building (tools/bench/README.md): a tool that stops answering calls, or miscounts them, would mislead
// that decision. This runs it on a fraction of a second per transport and checks what it reports, never
// how fast: every transport ran and answered calls, unbatched ones carry one call per message, batched
// ones (Mux's way) more than one.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');
const TOOL = resolve(REPO, 'tools/bench/rpc-ceiling.mjs');

interface Row {
  transport: string;
  opsPerSec: number;
  serverUs: number;
  clientUs: number;
  perMessage: number;
}

describe('tools/bench/rpc-ceiling.mjs (a fraction of a second per transport)', () => {
  it('measures each transport, unbatched and batched, with calls answered and counted per message', () => {
    const r = spawnSync(process.execPath, [TOOL, '--concurrency', '8', '--duration', '0.3', '--warmup', '0.2', '--rounds', '1', '--batched', '--reply', '4400'], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const rows: Row[] = [];
    for (const line of r.stdout.split('\n')) {
      const m = /^(grpc-js bidi|tcp frames)(, batched)?\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$/.exec(line.trim());
      if (m) rows.push({ transport: `${m[1]}${m[2] ?? ''}`, opsPerSec: Number(m[3]), serverUs: Number(m[4]), clientUs: Number(m[5]), perMessage: Number(m[6]) });
    }
    expect(rows.map((x) => x.transport).sort()).toEqual(['grpc-js bidi', 'grpc-js bidi, batched', 'tcp frames', 'tcp frames, batched']);
    for (const row of rows) {
      expect(row.opsPerSec).toBeGreaterThan(0);
      expect(row.serverUs).toBeGreaterThan(0);
      expect(row.clientUs).toBeGreaterThan(0);
      if (row.transport.endsWith('batched')) expect(row.perMessage).toBeGreaterThan(1);
      else expect(row.perMessage).toBe(1);
    }
  });

  it('with --rate, paces one loop: no more calls than the rate allows, one per message', () => {
    const r = spawnSync(process.execPath, [TOOL, '--rate', '50', '--duration', '0.5', '--warmup', '0.2', '--rounds', '1'], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toContain('one loop paced at 50 calls/s');
    const rows = r.stdout.split('\n').map((l) => /^(grpc-js bidi|tcp frames)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$/.exec(l.trim())).filter((m) => m !== null);
    expect(rows.map((m) => m[1]).sort()).toEqual(['grpc-js bidi', 'tcp frames']);
    for (const m of rows) {
      // Paced at 50 a second, a call every 20 ms: a slow box makes fewer, never more (unpaced: thousands).
      expect(Number(m[2])).toBeGreaterThan(0);
      expect(Number(m[2])).toBeLessThanOrEqual(55);
      expect(Number(m[5])).toBe(1);
    }
  });
});
