import { startFixture, type ClientFixture } from './client-fixture';
import { runListingConsistency } from './listing-consistency';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TikvKv under concurrent writers and listers', () => {
  let fx: ClientFixture;
  beforeEach(async () => {
    fx = await startFixture({ splitKeys: ['k/04', 'k/08/2', 'k/12'] }, { scanBatchSize: 3 });
  });
  afterEach(() => fx.stop());

  it('every listing page is one snapshot, while regions split and leaders move', async () => {
    const churn = async (running: () => boolean) => {
      for (let n = 0; running(); n++) {
        await sleep(40);
        const id = String((n * 3) % 16).padStart(2, '0');
        if (n % 2 === 0) fx.cluster.split(`k/${id}/1x`);
        else {
          const r = fx.cluster.regionOf(`k/${id}/1`);
          fx.cluster.transferLeader(r.id, fx.cluster.storeIds().find((s) => s !== r.leaderStoreId)!);
        }
      }
    };
    const run = await runListingConsistency(
      [fx.kv, fx.client(), fx.client()],
      [fx.client({ scanBatchSize: 2 }), fx.client()],
      { during: churn },
    );
    expect(run.problems).toEqual([]);
    expect(run.listings).toBeGreaterThan(2);
    expect(run.pages).toBeGreaterThan(10);
    expect(fx.cluster.regions().length).toBeGreaterThan(6);
    for (const [id, [a, b]] of run.final) expect({ id, a }).toEqual({ id, a: b });
    expect(fx.cluster.locks()).toHaveLength(0);
  }, 60_000);
});
