import { Registry } from 'prom-client';
import { TikvKv, type TikvKvOptions } from '../src';
import { FakeCluster, type FakeClusterOptions } from './fake-tikv';

/** Budgets small enough that failure paths finish in a test, large enough for a loaded CI box. */
export const FAST: Partial<TikvKvOptions> = {
  pdTimeoutMs: 1000,
  rpcTimeoutMs: 1000,
  pdBudgetMs: 2000,
  readBudgetMs: 8000,
  commitBudgetMs: 3000,
  cleanupBudgetMs: 2000,
  // client-go's ServerIsBusy schedule starts at 2 s; tests that are not about it need not wait that long.
  backoff: { serverBusy: { baseMs: 20, capMs: 200 } },
};

export interface ClientFixture {
  readonly cluster: FakeCluster;
  readonly kv: TikvKv;
  readonly registry: Registry;
  /** Another client on the same cluster (closed by `stop`). */
  client(opts?: Partial<TikvKvOptions>): TikvKv;
  stop(): Promise<void>;
}

export async function startFixture(
  clusterOpts: FakeClusterOptions = {},
  clientOpts: Partial<TikvKvOptions> = {},
): Promise<ClientFixture> {
  const cluster = await FakeCluster.start(clusterOpts);
  const clients: TikvKv[] = [];
  const client = (opts: Partial<TikvKvOptions> = {}) => {
    const kv = new TikvKv({ pdEndpoints: cluster.pdEndpoints, ...FAST, ...opts });
    clients.push(kv);
    return kv;
  };
  const registry = new Registry();
  const kv = client({ registry, ...clientOpts });
  return {
    cluster,
    kv,
    registry,
    client,
    async stop() {
      cluster.clearFaults();
      await Promise.all(clients.map((c) => c.close()));
      await cluster.stop();
    },
  };
}

/** The value of a counter (summed over the label sets that match `labels`). */
export async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) return 0;
  const { values } = await m.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

export const k = (s: string): Buffer => Buffer.from(s, 'latin1');
export const str = (b: Buffer | undefined): string | undefined => b?.toString('latin1');

export async function put(kv: TikvKv, entries: Record<string, string | null>): Promise<void> {
  await kv.txn(async (tx) => {
    for (const [key, v] of Object.entries(entries)) {
      if (v === null) tx.delete(k(key));
      else tx.put(k(key), k(v));
    }
  });
}

export const get = (kv: TikvKv, key: string): Promise<string | undefined> => kv.txn((tx) => tx.get(k(key))).then(str);
