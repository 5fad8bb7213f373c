/**
 * `npm run fake:seaweedfs`: the SeaweedFS protocol fake as a standalone process, so the distributed
 * stack runs on one machine (`MASSIVE_BLOB_BACKEND=seaweedfs MASSIVE_SEAWEED_MASTERS=<masters>`).
 * IN-MEMORY TEST FAKE: not durable, not SeaweedFS. Flags: --servers N (3), --masters N (1),
 * --master-port P (first master; default ephemeral), --host H (127.0.0.1), --replication xyz (000,
 * the default replication), --racks r1,r1,r2, --signing-key K (JWT-secured writes), --data-dir D
 * (keep needles in files under D so a restart on the same dir finds them; in memory otherwise),
 * --garbage-threshold X (0.3), --vacuum-interval-s S (30; 0 turns the periodic vacuum off).
 * The real master checks for garbage every 14-16 minutes. This fake holds every needle, tombstones
 * included, in memory until vacuum, so it checks every 30 s by default: at the old "never", a
 * 10-minute soak's overwrites and deletes filled over 23 GB of RAM and the kernel killed it.
 */
import { FakeSeaweed } from './cluster';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

function float(name: string, dflt: number): number {
  const v = flag(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${v}`);
  return n;
}

function int(name: string, dflt: number): number {
  const v = flag(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
  return n;
}

async function main(): Promise<void> {
  const masters = Math.max(1, int('masters', 1));
  const port = int('master-port', 0);
  const fake = await FakeSeaweed.start({
    servers: Math.max(1, int('servers', 3)),
    masters,
    host: flag('host') ?? '127.0.0.1',
    masterPorts: port ? Array.from({ length: masters }, (_, i) => port + i) : undefined,
    defaultReplication: flag('replication') ?? '000',
    racks: flag('racks')?.split(','),
    signingKey: flag('signing-key'),
    dataDir: flag('data-dir'),
    garbageThreshold: float('garbage-threshold', 0.3),
    vacuumIntervalMs: Math.round(float('vacuum-interval-s', 30) * 1000),
  });
  const line = '!'.repeat(78);
  const hostPorts = fake.masters.map((m) => m.hostPort).join(',');
  process.stdout.write(
    [
      line,
      '!!  FAKE SeaweedFS: a TEST FAKE from libs/blob-seaweedfs/test/fake-seaweedfs.',
      fake.options.dataDir
        ? `!!  Needles kept as plain files in ${fake.options.dataDir} (a test convenience, not a storage engine).`
        : '!!  In-memory only, NOT durable: every chunk is lost when it stops.',
      '!!  Never point real data at it.',
      line,
      `masters    : ${hostPorts}`,
      `volumes    : ${fake.servers.map((s) => `${s.index}@${s.hostPort}(${s.rack})`).join(' ')}`,
      `use        : MASSIVE_BLOB_BACKEND=seaweedfs MASSIVE_SEAWEED_MASTERS=${hostPorts}`,
      '',
    ].join('\n'),
  );
  const stop = (signal: string): void => {
    process.stdout.write(`fake-seaweedfs: ${signal}, stopping\n`);
    void fake.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  process.stderr.write(`fake-seaweedfs: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
