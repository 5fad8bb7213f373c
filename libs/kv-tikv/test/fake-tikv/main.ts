/**
 * `npm run fake:tikv`: the protocol fake as a standalone process, so the distributed stack can run
 * on one machine (`--metadata-backend=tikv --pd=<endpoints>`). A TEST FAKE: not durable, not a
 * database. Flags: --stores N (3), --pd-members N (1), --pd-port P (first PD member; default
 * ephemeral), --host H (127.0.0.1), --split k1,k2 (initial region split keys), --data-dir D (keep the
 * MVCC data in D/mvcc.jsonl across restarts, see journal.ts; default: in memory only).
 */
import { join } from 'node:path';
import { FakeCluster } from './cluster';
import { FileJournal } from './journal';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

function int(name: string, dflt: number): number {
  const v = flag(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
  return n;
}

async function main(): Promise<void> {
  const stores = int('stores', 3);
  const pdMembers = int('pd-members', 1);
  const pdPort = int('pd-port', 0);
  const split = flag('split');
  const cluster = await FakeCluster.start({
    stores,
    pdMembers,
    host: flag('host') ?? '127.0.0.1',
    pdPorts: pdPort ? Array.from({ length: pdMembers }, (_, i) => pdPort + i) : undefined,
    splitKeys: split ? split.split(',').filter(Boolean) : undefined,
    recordRequests: false,
    // Each pass runs inside the UpdateGCSafePoint that advanced PD's safe point: say what it removed,
    // so a soak shows whether the client's GC keeps MVCC garbage (the fake's memory) bounded.
    onGc: (r) =>
      process.stdout.write(
        `fake-tikv: GC at safe point ${r.safePoint}: ${r.versionsRemoved} versions, ${r.valuesRemoved} values, ${r.keysRemoved} keys removed\n`,
      ),
  });
  const dataDir = flag('data-dir');
  const journal = dataDir ? new FileJournal(join(dataDir, 'mvcc.jsonl')) : undefined;
  const replayed = journal?.open(cluster.mvcc) ?? 0;
  const line = '!'.repeat(78);
  process.stdout.write(
    [
      line,
      '!!  FAKE TiKV / PD: a TEST FAKE from libs/kv-tikv/test/fake-tikv.',
      dataDir
        ? `!!  NOT durable, no replication: mutations are logged to ${journal?.path} (no fsync).`
        : '!!  In-memory only, NOT durable, no replication: everything is lost when it stops.',
      '!!  Never point real data at it.',
      line,
      `cluster id : ${cluster.clusterId}`,
      `PD         : ${cluster.pdEndpoints.join(',')}`,
      `stores     : ${cluster.storeIds().map((id) => `${id}@${cluster.storeAddress(id)}`).join(' ')}`,
      `regions    : ${cluster.regions().length}`,
      ...(dataDir ? [`data       : ${replayed} logged mutations replayed from ${journal?.path}`] : []),
      ...(cluster.gcStats().safePoint > 0n ? [`gc         : collected up to safe point ${cluster.gcStats().safePoint}`] : []),
      `use        : --metadata-backend=tikv --pd=${cluster.pdEndpoints.join(',')}`,
      '',
    ].join('\n'),
  );
  const stop = (signal: string): void => {
    process.stdout.write(`fake-tikv: ${signal}, stopping\n`);
    void cluster.stop().then(() => {
      journal?.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  process.stderr.write(`fake-tikv: ${(e as Error).message}\n`);
  process.exit(1);
});
