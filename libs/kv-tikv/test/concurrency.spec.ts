import { KvConflictError, type KvStore } from '@massive/kv';
import { k, startFixture, str, type ClientFixture } from './client-fixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ids = Array.from({ length: 16 }, (_, i) => String(i).padStart(2, '0'));
const first = (id: string) => `k/${id}/1`;
const second = (id: string) => `k/${id}/2`;

/** Runs a txn until it commits (conflicts are expected here). */
async function retry(kv: KvStore, fn: Parameters<KvStore['txn']>[0]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await kv.txn(fn);
      return;
    } catch (err) {
      if (!(err instanceof KvConflictError) || attempt > 200) throw err;
      await sleep(Math.random() * 5 * Math.min(attempt + 1, 8));
    }
  }
}

describe('TikvKv under concurrent writers and listers', () => {
  let fx: ClientFixture;
  beforeEach(async () => {
    fx = await startFixture({ splitKeys: ['k/04', 'k/08/2', 'k/12'] }, { scanBatchSize: 3 });
  });
  afterEach(() => fx.stop());

  it('every listing page is one snapshot: pairs written together appear together, no key twice', async () => {
    const writers = [fx.kv, fx.client(), fx.client()];
    const listers = [fx.client({ scanBatchSize: 2 }), fx.client()];
    let writing = true;
    const problems: string[] = [];
    let pages = 0;
    let listings = 0;

    const write = async (kv: KvStore, w: number) => {
      for (let i = 0; i < 25; i++) {
        const id = ids[(w * 7 + i * 5) % ids.length];
        await retry(kv, async (tx) => {
          const now = await tx.get(k(first(id)));
          if (now && i % 3 === 2) {
            tx.delete(k(first(id)));
            tx.delete(k(second(id)));
          } else {
            const v = k(`w${w}-${i}`);
            tx.put(k(first(id)), v);
            tx.put(k(second(id)), v);
          }
        });
      }
    };

    const list = async (kv: KvStore) => {
      while (writing) {
        const seen = new Set<string>();
        let start = k('k/');
        for (;;) {
          const page = await kv.txn((tx) => tx.scan(start, k('k0'), { limit: 5 }));
          pages++;
          const keys = page.map((p) => str(p.key)!);
          const values = new Map(page.map((p) => [str(p.key)!, str(p.value)]));
          const from = str(start)!;
          const to = page.length === 5 ? keys[keys.length - 1] : '\xff';
          for (const key of keys) {
            if (seen.has(key)) problems.push(`duplicate ${key}`);
            seen.add(key);
            const id = key.split('/')[1];
            const sibling = key.endsWith('/1') ? second(id) : first(id);
            if (sibling >= from && sibling <= to && values.get(sibling) !== values.get(key)) {
              problems.push(`page [${from}, ${to}] has ${key}=${values.get(key)} but ${sibling}=${values.get(sibling)}`);
            }
          }
          if (keys.join() !== [...keys].sort().join()) problems.push(`unsorted page ${keys.join()}`);
          if (page.length < 5) break;
          start = Buffer.concat([page[page.length - 1].key, Buffer.from([0])]);
        }
        listings++;
      }
    };

    const churn = async () => {
      let n = 0;
      while (writing) {
        await sleep(40);
        const id = ids[(n * 3) % ids.length];
        if (n % 2 === 0) fx.cluster.split(`k/${id}/1x`);
        else {
          const r = fx.cluster.regionOf(first(id));
          const other = fx.cluster.storeIds().find((s) => s !== r.leaderStoreId)!;
          fx.cluster.transferLeader(r.id, other);
        }
        n++;
      }
    };

    const listing = listers.map(list);
    const churning = churn();
    await Promise.all(writers.map(write));
    writing = false;
    await Promise.all([...listing, churning]);

    expect(problems).toEqual([]);
    expect(listings).toBeGreaterThan(2);
    expect(pages).toBeGreaterThan(10);
    expect(fx.cluster.regions().length).toBeGreaterThan(6);
    // Final state: every pair agrees.
    const all = await fx.kv.txn((tx) => tx.scan(k('k/'), k('k0')));
    const byKey = new Map(all.map((p) => [str(p.key)!, str(p.value)]));
    for (const id of ids) expect(byKey.get(first(id))).toBe(byKey.get(second(id)));
    expect(fx.cluster.locks()).toHaveLength(0);
  }, 60_000);
});
