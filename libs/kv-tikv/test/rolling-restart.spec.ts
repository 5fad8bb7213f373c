import { runRollingLoad } from './rolling-load';
import { startFixture, type ClientFixture } from './client-fixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The workload of the real-cluster rolling restart (rolling-load.ts), on the fake: every store in
 * turn dies without warning (leaders re-elected elsewhere after 400 ms, the store back after
 * 1 s), and one store is replaced (scale out a new store, move its peers there, remove it).
 */
describe('TikvKv through a rolling restart and a store replacement (fake)', () => {
  let fx: ClientFixture;
  afterEach(() => fx.stop());

  it('loses no acknowledged write and never fails for longer than one store is down', async () => {
    fx = await startFixture({ splitKeys: ['rolling/w1', 'rolling/w2', 'rolling/w3'] }, { readBudgetMs: 20_000, commitBudgetMs: 20_000 });
    const windows: { down: number; up: number }[] = [];
    const report = await runRollingLoad(fx.kv, async () => {
      await sleep(300);
      for (const store of fx.cluster.storeIds()) {
        const down = Date.now();
        fx.cluster.stopStore(store);
        await sleep(400);
        fx.cluster.evacuateLeaders(store);
        await sleep(600);
        await fx.cluster.restartStore(store);
        windows.push({ down, up: Date.now() });
        await sleep(400);
      }
      // Replace store 1: a new store takes over its peers, then store 1 is removed (Tombstone).
      const added = await fx.cluster.addStore();
      for (const r of fx.cluster.regions()) fx.cluster.movePeer(r.id, 1, added);
      await sleep(300);
      fx.cluster.removeStore(1);
      await sleep(500);
    });
    expect(report.wrong).toEqual([]);
    expect(report.failures).toEqual([]);
    expect(report.failingForMs).toBeLessThanOrEqual(1000);
    expect(report.slowestMs).toBeLessThan(3000);
    for (const w of windows) expect(report.successesAt.some((t) => t > w.down + 400 && t < w.up)).toBe(true);
    expect(report.writes).toBeGreaterThan(30);
  }, 30_000);
});
