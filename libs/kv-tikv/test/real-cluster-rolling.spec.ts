/**
 * Opt-in: a rolling restart of a REAL cluster's TiKV stores under a steady transactional load
 * (see ../README.md, "Rolling restart"). Runs when TIKV_PD_ENDPOINTS and TIKV_RESTART_STORE_CMD are
 * set. For each store PD lists as Up, the command runs (`sh -c`, placeholders {id}, {address},
 * {host}, {port}), then the test waits until PD reports the store Up again and
 * TIKV_RESTART_SETTLE_MS (default 10000) more before the next one.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { TikvKv } from '../src';
import { runRollingLoad } from './rolling-load';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const endpoints = (process.env.TIKV_PD_ENDPOINTS ?? '')
  .split(',')
  .map((e) => e.trim())
  .filter(Boolean);
const restartCmd = process.env.TIKV_RESTART_STORE_CMD ?? '';
const settleMs = Number(process.env.TIKV_RESTART_SETTLE_MS ?? 10_000);

interface PdStore {
  store: { id: number; address: string; state_name: string };
}

/** PD's HTTP API (same port as its gRPC): the stores and their state. */
async function stores(): Promise<PdStore['store'][]> {
  const base = endpoints[0].startsWith('http') ? endpoints[0] : `http://${endpoints[0]}`;
  const res = await fetch(`${base}/pd/api/v1/stores`);
  if (!res.ok) throw new Error(`PD ${base}/pd/api/v1/stores: HTTP ${res.status}`);
  return ((await res.json()) as { stores: PdStore[] }).stores.map((s) => s.store);
}

async function waitUp(id: number, timeoutMs = 180_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = (await stores().catch(() => [])).find((x) => x.id === id);
    if (s?.state_name === 'Up') return;
    if (Date.now() > until) throw new Error(`store ${id} not Up after ${timeoutMs} ms (${s?.state_name})`);
    await sleep(1000);
  }
}

if (endpoints.length === 0 || !restartCmd) {
  describe('TikvKv rolling restart of a real cluster', () => {
    it.skip('skipped: set TIKV_PD_ENDPOINTS and TIKV_RESTART_STORE_CMD (see libs/kv-tikv/README.md)', () => undefined);
  });
} else {
  describe('TikvKv rolling restart of a real cluster', () => {
    it('loses no acknowledged write, reports no wrong outcome, and recovers after every store', async () => {
      const kv = await TikvKv.connect({ pdEndpoints: endpoints });
      const prefix = Buffer.concat([Buffer.from('massive-test/rolling/'), Buffer.from(randomBytes(6).toString('hex')), Buffer.from('/')]);
      const restarted: { id: number; tookMs: number }[] = [];
      try {
        const report = await runRollingLoad(
          kv,
          async () => {
            await sleep(2000);
            const up = (await stores()).filter((s) => s.state_name === 'Up');
            for (const s of up) {
              const [host, port] = [s.address.split(':')[0], s.address.split(':').pop() ?? ''];
              const cmd = restartCmd.replaceAll('{id}', String(s.id)).replaceAll('{address}', s.address).replaceAll('{host}', host).replaceAll('{port}', port);
              const t0 = Date.now();
              console.log(`restarting store ${s.id} (${s.address}): ${cmd}`);
              await run('sh', ['-c', cmd], { timeout: 300_000 });
              await waitUp(s.id);
              restarted.push({ id: s.id, tookMs: Date.now() - t0 });
              await sleep(settleMs);
            }
          },
          { prefix },
        );
        console.log(JSON.stringify({ ...report, successesAt: report.successesAt.length, restarted }, null, 2));
        expect(report.wrong).toEqual([]);
        expect(restarted.length).toBeGreaterThanOrEqual(3);
        // No failure streak longer than the slowest single restart (plus TiKV's 10 s election timeout).
        expect(report.failingForMs).toBeLessThanOrEqual(Math.max(...restarted.map((r) => r.tookMs)) + 10_000);
        expect(report.writes).toBeGreaterThan(0);
      } finally {
        await kv.close();
      }
    }, 30 * 60_000);
  });
}
