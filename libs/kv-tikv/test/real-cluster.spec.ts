/**
 * Opt-in: the client against a REAL PD + TiKV cluster, e.g. `tiup playground --mode tikv-slim`
 * (see ../README.md). Runs when TIKV_PD_ENDPOINTS is set (comma-separated PD client URLs);
 * every test works under its own random key prefix, so a shared cluster is fine.
 */
import { randomBytes } from 'node:crypto';
import { describeKvContract } from '@massive/kv/testing';
import { TikvKv } from '../src';
import { runListingConsistency } from './listing-consistency';
import { PrefixedKv } from './prefixed-kv';

const endpoints = (process.env.TIKV_PD_ENDPOINTS ?? '')
  .split(',')
  .map((e) => e.trim())
  .filter(Boolean);

if (endpoints.length === 0) {
  describe('TikvKv against a real cluster', () => {
    it.skip('skipped: set TIKV_PD_ENDPOINTS=host:2379[,host:2379] to run against a real PD + TiKV', () => undefined);
  });
} else {
  const shared: TikvKv[] = [];
  const client = () => {
    const kv = new TikvKv({ pdEndpoints: endpoints });
    shared.push(kv);
    return kv;
  };
  const namespace = () => Buffer.concat([Buffer.from('massive-test/'), randomBytes(8), Buffer.from('/')]);
  afterAll(() => Promise.all(shared.map((kv) => kv.close())));

  describeKvContract(`TikvKv against a real cluster (${endpoints.join(',')})`, async () => {
    const kv = await TikvKv.connect({ pdEndpoints: endpoints });
    return { kv: new PrefixedKv(kv, namespace()), cleanup: () => kv.close() };
  });

  describe('TikvKv against a real cluster: client behaviour', () => {
    it('batches concurrent TSO requests', async () => {
      const kv = client();
      await kv.timestamp();
      const before = kv.stats().tsoRequests;
      const stamps = await Promise.all(Array.from({ length: 100 }, () => kv.timestamp()));
      expect(new Set(stamps).size).toBe(100);
      expect(kv.stats().tsoRequests - before).toBeLessThan(100);
    });

    it('every listing page is one snapshot under concurrent writers', async () => {
      const ns = namespace();
      const view = (kv: TikvKv) => new PrefixedKv(kv, ns);
      const run = await runListingConsistency([view(client()), view(client())], [view(client()), view(client())], {
        txnsPerWriter: 15,
      });
      expect(run.problems).toEqual([]);
      for (const [, [a, b]] of run.final) expect(a).toBe(b);
    }, 120_000);

    it('scans a few thousand keys across batches, forward and reverse', async () => {
      const kv = new PrefixedKv(client(), namespace());
      const keys = Array.from({ length: 3000 }, (_, i) => Buffer.from(`key-${String(i).padStart(5, '0')}`));
      for (let i = 0; i < keys.length; i += 500) {
        await kv.txn(async (tx) => keys.slice(i, i + 500).forEach((k) => tx.put(k, k)));
      }
      const all = await kv.txn((tx) => tx.scan(Buffer.from('key-'), Buffer.from('key.')));
      expect(all.map((p) => p.key.toString())).toEqual(keys.map(String));
      const rev = await kv.txn((tx) => tx.scan(Buffer.from('key-'), Buffer.from('key.'), { reverse: true, limit: 700 }));
      expect(rev.map((p) => p.key.toString())).toEqual(keys.slice(-700).reverse().map(String));
    }, 120_000);
  });
}
