#!/usr/bin/env node
// Massive Storage benchmark: `npm run bench [-- options]`. See tools/bench/README.md.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { S3Http } from './lib/client.mjs';
import { LocalGateway, MAIN } from './lib/server.mjs';
import { seaweedCeiling } from './lib/seaweed-ceiling.mjs';
import { DistributedStack } from './lib/stack.mjs';
import { Signer } from './lib/sigv4.mjs';
import { BenchContext, OPT_IN_WORKLOADS, WORKLOADS } from './lib/workloads.mjs';
import { summarizeProfile, formatProfileSummary } from './profile-summary.mjs';
import { BENCH_METRICS_TOKEN } from './lib/metrics-token.mjs';
import { appendHistory, compareWithHistory, formatHistoryComparison, machineOf, readHistory } from './lib/history.mjs';

const HELP = `npm run bench -- [options]          (each option also reads BENCH_<NAME>, e.g. BENCH_ONLY=get4k)

  --only LIST            workloads to run, comma separated (default all but ${OPT_IN_WORKLOADS.join(',')}): ${WORKLOADS.join(',')}
  --skip LIST            workloads to leave out
  --duration S           measured seconds per time-bounded workload (default 10)
  --warmup S             warm-up seconds before each (default 2); then on in 2 s slices while the
                         rate still climbs (a slice > 5% faster than the one before), up to
  --max-warmup S         seconds (default 16; DELETE is topped up with objects between slices, untimed)
  --concurrency N|LIST   N for every small-object workload, or per workload: get4k=64,put1m=4
                         (defaults: 4 KiB ops 32, list 8, 1 MiB ops 8)
  --list-keys N          objects in the LIST bucket (default 20000)
  --big-keys N           listbig: objects in the big bucket (default 10000000), next to a 1,000-key one
  --soak-minutes M       soak: how long the mixed workload runs (default 10), then every object is read back
  --big-store DIR        listbig: where the big buckets' data dir is cached between runs (default
                         ${tmpdir()}/massive-bench-big-<N>; built there, ~2-4 min and ~7 GB for 10M keys,
                         when missing or stale)
  --small-objects N      4 KiB objects written first when GET/HEAD/DELETE run without PUT (default 5000)
  --large-mib N          size of the multipart object (default 1024)
  --part-mib N           multipart part size (default 16)
  --parts-in-flight N    concurrent part uploads (default 4)
  --sign-payload-max B   PUT bodies up to B bytes carry their real x-amz-content-sha256, larger ones
                         UNSIGNED-PAYLOAD (default 1048576)
  --download-md5         also MD5 the 1 GiB download (always compared byte for byte with the upload)
  --sse                  every bench bucket gets default encryption (SSE-S3, AES256): each row then
                         measures encrypted writes and decrypting reads
  --mode M               local (default: one process), distributed (gateway + metadata + blob apart,
                         blob on local disk) or seaweedfs (the same, blob on the SeaweedFS protocol fake;
                         also measures the fake alone: its ceiling). CPU columns sum gateway +
                         metadata + blob (not the fake), RSS is the gateway's; or compare: local and
                         distributed mode up side by side, each workload run on both back to back
                         (which goes first alternates), printed with distributed / local per row
  --rounds N             compare: run each row N times on both modes, A B then B A ... (default 2)
  --endpoint URL         use a running server instead of starting one (with --access-key/--secret-key)
  --access-key K, --secret-key S, --region R
  --server-pid PID       with --endpoint: the server's pid, for CPU and RSS figures
  --cpu-prof             run the server under node --cpu-prof (each service in distributed mode); print our
                         hottest functions at the end
  --cpu-prof-dir DIR     where the .cpuprofile goes (default a temp dir, kept)
  --server-node-arg A    extra node flag for the server (repeatable)
  --tmp-dir DIR          parent of the server's temp data dir (default ${tmpdir()})
  --keep-data            keep the server's data dir
  --quiet-wait S         first wait up to S seconds for the box to be idle (< 25% of a core busy for 3 s)
  --history FILE         where each run's JSON line is kept (default .bench/history.jsonl in the repo); every
                         row is then set against the median of the last 5 comparable runs on this machine
  --no-history           neither compare with nor add to the history
`;

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    skip: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    'max-warmup': { type: 'string' },
    concurrency: { type: 'string' },
    'list-keys': { type: 'string' },
    'big-keys': { type: 'string' },
    'big-store': { type: 'string' },
    'soak-minutes': { type: 'string' },
    'small-objects': { type: 'string' },
    'large-mib': { type: 'string' },
    'part-mib': { type: 'string' },
    'parts-in-flight': { type: 'string' },
    'sign-payload-max': { type: 'string' },
    'download-md5': { type: 'boolean' },
    sse: { type: 'boolean' },
    endpoint: { type: 'string' },
    mode: { type: 'string' },
    'access-key': { type: 'string' },
    'secret-key': { type: 'string' },
    region: { type: 'string' },
    'server-pid': { type: 'string' },
    'cpu-prof': { type: 'boolean' },
    'cpu-prof-dir': { type: 'string' },
    'server-node-arg': { type: 'string', multiple: true },
    'tmp-dir': { type: 'string' },
    'keep-data': { type: 'boolean' },
    'quiet-wait': { type: 'string' },
    history: { type: 'string' },
    'no-history': { type: 'boolean' },
    rounds: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

// The load generator re-runs itself with glibc malloc told to keep freed memory: otherwise every 64 KiB
// socket read buffer node allocates lands on freshly faulted pages (the heap top is trimmed after each
// GC), ~1 page fault per 4 KiB received, which made the client, not the server, the bottleneck of
// large GETs (1 GiB download: 3-4 s of client system time). The server gets npm start's own settings.
const CLIENT_MALLOC_ENV = { MALLOC_TRIM_THRESHOLD_: String(256 * 1024 * 1024), MALLOC_MMAP_THRESHOLD_: String(4 * 1024 * 1024) };
if (!process.env.BENCH_REEXECED) {
  const added = Object.keys(CLIENT_MALLOC_ENV).filter((k) => process.env[k] === undefined);
  if (added.length > 0) {
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, ...Object.fromEntries(added.map((k) => [k, CLIENT_MALLOC_ENV[k]])), BENCH_REEXECED: added.join(',') },
    });
    // Forward (a terminal's Ctrl-C reaches both: the child cleans up once either way).
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
    const [code, sig] = await new Promise((r) => child.once('exit', (c, s) => r([c, s])));
    process.exit(code ?? (sig ? 128 + 15 : 1));
  }
}

const env = (name) => process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
const opt = (name, dflt) => args[name] ?? env(name) ?? dflt;
const flag = (name) => args[name] === true || ['1', 'true', 'yes'].includes(env(name) ?? '');
const num = (name, dflt) => {
  const v = Number(opt(name, dflt));
  if (!Number.isFinite(v) || v < 0) fail(`--${name} must be a non-negative number`);
  return v;
};
function fail(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

const split = (s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []);
const only = split(opt('only'));
const skip = split(opt('skip'));
for (const w of [...only, ...skip]) if (!WORKLOADS.includes(w)) fail(`unknown workload "${w}" (known: ${WORKLOADS.join(', ')})`);
// Opt-in workloads (listbig: its store takes minutes and GBs to build once) run only when --only names them.
const selected = WORKLOADS.filter((w) => (only.length === 0 ? !OPT_IN_WORKLOADS.includes(w) : only.includes(w)) && !skip.includes(w));

const DEFAULT_CONC = { put4k: 32, get4k: 32, head4k: 32, ref4k: 32, delete4k: 32, list: 8, listbig: 8, vput4k: 32, vget4k: 32, vlist: 8, put1m: 8, get1m: 8 };
const concSpec = opt('concurrency', '');
const concOverride = {};
if (/^\d+$/.test(concSpec)) {
  for (const w of ['put4k', 'get4k', 'head4k', 'ref4k', 'delete4k', 'vput4k', 'vget4k']) concOverride[w] = Number(concSpec);
} else {
  for (const kv of split(concSpec)) {
    const [k, v] = kv.split('=');
    if (!(k in DEFAULT_CONC) || !/^\d+$/.test(v ?? '') || Number(v) < 1) fail(`bad --concurrency entry "${kv}"`);
    concOverride[k] = Number(v);
  }
}

const opts = {
  durationS: num('duration', 10),
  warmupS: num('warmup', 2),
  maxWarmupS: num('max-warmup', 16),
  listKeys: Math.max(1, Math.floor(num('list-keys', 20000))),
  smallObjects: Math.max(100, Math.floor(num('small-objects', 5000))),
  largeMiB: Math.max(1, Math.floor(num('large-mib', 1024))),
  partMiB: Math.max(5, Math.floor(num('part-mib', 16))),
  partsInFlight: Math.max(1, Math.floor(num('parts-in-flight', 4))),
  signPayloadMax: num('sign-payload-max', 1024 * 1024),
  downloadMd5: flag('download-md5'),
  sse: flag('sse'),
  concurrency: (w) => concOverride[w] ?? DEFAULT_CONC[w] ?? 1,
  bigKeys: Math.max(1000, Math.floor(num('big-keys', 10_000_000))),
  soakMinutes: num('soak-minutes', 10),
  bucketPrefix: `bench-${Date.now().toString(36)}`,
};

const log = (s) => process.stderr.write(s + '\n');
const REPO = resolve(import.meta.dirname, '../..');
const MiBf = (x) => (x === null || x === undefined ? '' : String(x));

/** `gateway 4700 + metadata 1100 + blob 2000`: a distributed row's server CPU per op by service. */
function serviceSplit(byService) {
  return Object.entries(byService ?? {})
    .map(([name, us]) => `${name} ${us}`)
    .join(' + ');
}

async function main() {
  if (opt('mode') === 'compare') return compareMain();
  const external = opt('endpoint');
  const accessKey = opt('access-key', external ? undefined : 'BENCHACCESSKEY0000001');
  const secretKey = opt('secret-key', external ? undefined : 'bench-secret-key-0000000000000000000000');
  if (external && (!accessKey || !secretKey)) fail('--endpoint needs --access-key and --secret-key');
  const cpuProf = flag('cpu-prof');
  if (external && cpuProf) fail('--cpu-prof needs the bench to start the server (no --endpoint)');
  let server;
  let endpoint = external;
  let serverPid = external ? (opt('server-pid') ? Number(opt('server-pid')) : undefined) : undefined;
  let profDir;
  let exitCode = 0;
  const results = {};
  const extraAims = [];
  let bigStore;
  let failure;

  let cleaned;
  let interruptGraceMs;
  const cleanup = () => (cleaned ??= doCleanup());
  const doCleanup = async () => {
    if (server) {
      await server.stop(interruptGraceMs);
      if (!flag('keep-data')) server.removeDataDir();
      else log(`server data kept in ${server.dataDir}`);
    }
  };
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (interrupted) return;
      interrupted = true;
      log(`\n${sig}: stopping the server`);
      interruptGraceMs = 2000; // load may still be running: don't wait for a graceful drain
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    const quietWait = num('quiet-wait', 0);
    if (quietWait > 0) await waitQuiet(quietWait);
    const mode = opt('mode', 'local');
    if (!['local', 'distributed', 'seaweedfs'].includes(mode)) fail(`--mode must be local, distributed or seaweedfs (got ${mode})`);
    if (selected.includes('listbig') && (external || mode !== 'local')) fail('listbig starts its own local-mode gateway on its store: run it without --endpoint, in --mode local');
    if (!external && mode !== 'local') {
      const nodeArgs = [];
      if (cpuProf) {
        profDir = resolve(opt('cpu-prof-dir') ?? mkdtempSync(join(tmpdir(), 'massive-bench-prof-')));
        nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profDir}`);
      }
      server = new DistributedStack({ accessKey, secretKey, backend: mode === 'seaweedfs' ? 'seaweedfs' : 'local', tmpParent: opt('tmp-dir') ?? tmpdir(), nodeArgs });
      endpoint = await server.start();
      serverPid = server.cpuPids;
      log(`distributed mode (blob on ${server.backend}) at ${endpoint}: ${Object.entries(server.pids).map(([n, p]) => `${n} pid ${p}`).join(', ')}`);
    } else if (!external) {
      if (!existsSync(MAIN)) fail(`${MAIN} is missing: run \`npm run build\` (npm run bench does)`);
      const nodeArgs = [...(opt('server-node-arg') ? [].concat(opt('server-node-arg')) : [])];
      if (cpuProf) {
        profDir = resolve(opt('cpu-prof-dir') ?? mkdtempSync(join(tmpdir(), 'massive-bench-prof-')));
        nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profDir}`);
      }
      server = new LocalGateway({ accessKey, secretKey, nodeArgs, tmpParent: opt('tmp-dir') ?? tmpdir() });
      const storeDir = resolve(opt('big-store') ?? join(tmpdir(), `massive-bench-big-${opts.bigKeys}`));
      opts.big = { keys: opts.bigKeys, storeDir, accessKey, secretKey, nodeArgs };
      endpoint = await server.start();
      serverPid = server.pid;
      log(`gateway pid ${serverPid} at ${endpoint}, data in ${server.dataDir}${cpuProf ? ` (cpu profile -> ${profDir})` : ''}`);
    } else {
      log(`targeting ${endpoint}${serverPid ? ` (server pid ${serverPid})` : ''}`);
    }

    const signer = new Signer({ accessKey, secretKey, region: opt('region', 'us-east-1') });
    const s3 = new S3Http({ endpoint, signer });
    const ctx = new BenchContext({ s3, opts, serverPid, log });
    await ctx.createBuckets();
    log(`workloads: ${selected.join(', ')}; ${opts.durationS}s each after ${opts.warmupS}-${Math.max(opts.warmupS, opts.maxWarmupS)}s of warm-up (until the rate stops climbing)\n`);

    for (const [i, w] of selected.entries()) {
      const t = performance.now();
      log(`[${i + 1}/${selected.length}] ${w} ...`);
      if (ctx.prepare) await ctx.prepare(w);
      const before = await scrapeServer(endpoint);
      const out = await ctx[w]();
      if (out.rows) {
        // One workload, several rows (listbig: its own server, so no txn restarts from this one).
        Object.assign(results, out.rows);
        extraAims.push(...out.aims);
        bigStore = out.store;
        log(`[${i + 1}/${selected.length}] ${w}: ${Object.keys(out.rows).length} rows [${((performance.now() - t) / 1000).toFixed(1)} s]`);
      } else {
        results[w] = out;
        const after = await scrapeServer(endpoint);
        // ref4k's server is its own (ref-server.mjs): ours sat idle, its metrics say nothing of the row.
        if (before !== undefined && after !== undefined && w !== 'ref4k') Object.assign(results[w], serverStages(before, after));
        log(`[${i + 1}/${selected.length}] ${w}: ${describe(results[w])} [${((performance.now() - t) / 1000).toFixed(1)} s]`);
      }
      if (server && !server.alive) throw new Error(`the server died during ${w}: ${server.stderr.slice(-2000)}`);
    }
    if (external) await ctx.cleanupLarge();
    if (server?.seaweedMaster) {
      log('seaweedfs-ceiling: 1 MiB needles straight to the fake (assign + PUT, then GET), no gateway ...');
      const c = await seaweedCeiling(server.seaweedMaster, { concurrency: 8, durationS: opts.durationS });
      results.fakeCeiling = { opsPerSec: null, mibPerSec: c.put.mibPerSec, getMibPerSec: c.get.mibPerSec, errors: 0 };
      log(`seaweedfs-ceiling: PUT ${c.put.mibPerSec} MiB/s, GET ${c.get.mibPerSec} MiB/s (the fake alone)`);
    }
  } catch (err) {
    failure = err;
    exitCode = 1;
  }
  if (server && server.stderr.trim()) log(`server stderr (tail):\n${server.stderr.slice(-3000)}`);
  await cleanup();

  const errors = Object.values(results).reduce((n, r) => n + (r.errors ?? 0), 0);
  if (errors > 0) exitCode = 1;

  printTable(results);
  const noisy = Object.entries(results).filter(([, r]) => r.otherCpuPct > 30).map(([w, r]) => `${w} ${r.otherCpuPct}%`);
  if (noisy.length) process.stdout.write(`\nWARNING: other work kept the box busy during ${noisy.join(', ')} (other%): these numbers understate the server.\n`);
  const targets = checkTargets(results, extraAims);
  let profile;
  if (cpuProf && profDir) {
    const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
    if (files.length === 0) log(`no .cpuprofile in ${profDir} (did the server exit cleanly?)`);
    // One per process: local mode's server (and listbig's own, when it ran); distributed: gateway, metadata, blob.
    for (const f of files.sort()) {
      const file = join(profDir, f);
      const summary = summarizeProfile(file, { top: 25 });
      profile ??= summary;
      process.stdout.write(`\nServer CPU profile (${file}):\n${formatProfileSummary(summary)}\n`);
    }
  }
  reportFailure(failure, errors);
  const json = {
    ...runRecord(external ? 'external' : `${opt('mode', 'local')}-mode`, exitCode === 0, failure),
    noisy: noisy.length > 0,
    results,
    targets,
    ...(bigStore && { bigStore }),
    ...(profile && { profile: { file: profile.file, totalMs: profile.totalMs, ours: profile.ours.slice(0, 15) } }),
  };
  keepHistory(json, true);
  process.stdout.write(JSON.stringify(json) + '\n');
  process.exit(exitCode);
}

/** The figure a row is judged by: MiB/s for the 1 MiB and 1 GiB rows, op/s (pages/s for LIST) else. */
const RATE_OF = (w) => (/1m$|1g$/.test(w) ? 'mibPerSec' : 'opsPerSec');

/**
 * `--mode compare`: local mode and distributed mode (blob on local disk) up side by side; each workload
 * runs on one and right after on the other, `--rounds` times (A B, then B A, ...), and the table gives
 * distributed / local per row: the mean of the rounds' ratios, each round's beside it. Issue 11 asks for
 * that ratio "measured in the same bench run": this box's speed drifts 2-3x within an hour, so two runs
 * minutes apart mislead (one such pair read 1.22 for the 4 KiB GET and 1.42 for ListObjectVersions, 0.57
 * for versioned PUT), and even one back-to-back pair moves by 0.1-0.2. While one side runs the other is
 * idle (1-2% of a core).
 */
async function compareMain() {
  if (opt('endpoint') || flag('cpu-prof')) fail('--mode compare starts both servers itself (no --endpoint, no --cpu-prof)');
  if (selected.includes('listbig')) fail('listbig runs in --mode local only');
  if (selected.includes('soak')) fail('soak runs against one server: --mode local, distributed or seaweedfs');
  // ref4k measures its own reference server, the same whichever mode is up: nothing to compare.
  if (selected.includes('ref4k')) selected.splice(selected.indexOf('ref4k'), 1);
  const accessKey = 'BENCHACCESSKEY0000001';
  const secretKey = 'bench-secret-key-0000000000000000000000';
  const tmpParent = opt('tmp-dir') ?? tmpdir();
  const signer = new Signer({ accessKey, secretKey, region: opt('region', 'us-east-1') });
  const rounds = Math.max(1, Math.floor(num('rounds', 2)));
  const sides = [
    { name: 'local', server: new LocalGateway({ accessKey, secretKey, tmpParent }), results: {} },
    { name: 'distributed', server: new DistributedStack({ accessKey, secretKey, backend: 'local', tmpParent }), results: {} },
  ];
  let failure;
  const stopAll = () => Promise.all(sides.map(async ({ server }) => {
    await server.stop();
    if (!flag('keep-data')) server.removeDataDir();
  }));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void stopAll().finally(() => process.exit(130)));
  try {
    const quietWait = num('quiet-wait', 0);
    if (quietWait > 0) await waitQuiet(quietWait);
    if (!existsSync(MAIN)) fail(`${MAIN} is missing: run \`npm run build\` (npm run bench does)`);
    for (const side of sides) {
      const endpoint = await side.server.start();
      const serverPid = side.name === 'local' ? side.server.pid : side.server.cpuPids;
      side.ctx = new BenchContext({ s3: new S3Http({ endpoint, signer }), opts, serverPid, log });
      await side.ctx.createBuckets();
      log(`${side.name} mode at ${endpoint}`);
    }
    log(`workloads: ${selected.join(', ')}; each on both modes, ${opts.durationS}s after ${opts.warmupS}-${Math.max(opts.warmupS, opts.maxWarmupS)}s of warm-up\n`);
    for (const [i, w] of selected.entries()) {
      for (const side of sides) if (side.ctx.prepare) await side.ctx.prepare(w);
      for (let round = 0; round < rounds; round++) {
        // A B, B A, A B ...: a box slowing down (or speeding up) through a row favours neither side.
        const order = (i + round) % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          const t = performance.now();
          const r = await side.ctx[w]();
          (side.results[w] ??= []).push(r);
          log(`[${i + 1}/${selected.length}] ${w} ${side.name}${rounds > 1 ? ` (round ${round + 1})` : ''}: ${describe(r)} [${((performance.now() - t) / 1000).toFixed(1)} s]`);
          if (!side.server.alive) throw new Error(`the ${side.name} server died during ${w}: ${side.server.stderr.slice(-2000)}`);
        }
      }
    }
  } catch (err) {
    failure = err;
    for (const { name, server } of sides) if (server.stderr.trim()) log(`${name} server stderr (tail):\n${server.stderr.slice(-3000)}`);
  }
  await stopAll();

  const [local, dist] = sides.map((s) => s.results);
  const ratios = {};
  const rows = [];
  for (const w of selected) {
    const l = local[w];
    const d = dist[w];
    if (!l || !d) continue;
    const m = RATE_OF(w);
    // Round k's pair ran back to back; the row's ratio is the mean of the pairs' ratios.
    const each = l.map((lr, k) => (lr[m] > 0 && d[k]?.[m] !== null && d[k]?.[m] !== undefined ? d[k][m] / lr[m] : null)).filter((x) => x !== null);
    const ratio = each.length ? round2(mean(each)) : null;
    ratios[w] = ratio;
    const unit = m === 'mibPerSec' ? 'MiB/s' : 'op/s';
    const avg = (rs, k) => {
      const xs = rs.map((r) => r[k]).filter((x) => typeof x === 'number');
      return xs.length ? Math.round(mean(xs) * 10) / 10 : '';
    };
    const cpu = (rs) => (avg(rs, 'serverCpuUsPerOp') === '' ? '' : Math.round(avg(rs, 'serverCpuUsPerOp')));
    // Each service's mean CPU per op over the rounds (distributed side).
    const split = (rs) => {
      const names = [...new Set(rs.flatMap((r) => Object.keys(r.serviceCpuUsPerOp ?? {})))];
      return serviceSplit(Object.fromEntries(names.map((n) => [n, Math.round(mean(rs.map((r) => r.serviceCpuUsPerOp?.[n]).filter((x) => typeof x === 'number')))])));
    };
    rows.push([w, `${avg(l, m)} ${unit}`, cpu(l), `${avg(d, m)} ${unit}`, cpu(d), split(d), ratio === null ? '' : ratio.toFixed(2), each.map((x) => x.toFixed(2)).join(' '), ratio !== null && ratio < 0.7 ? 'below 0.7' : '']);
  }
  const head = ['workload', 'local', 'srv µs/op', 'distributed', 'srv µs/op', 'by service', 'dist/local', 'per round', ''];
  const table = [head, ...rows].map((r) => r.map(String));
  const widths = head.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  process.stdout.write('\n' + line(table[0]) + '\n' + widths.map((n) => '-'.repeat(n)).join('  ') + '\n' + table.slice(1).map(line).join('\n') + '\n');
  process.stdout.write(
    `(means over ${rounds} round${rounds > 1 ? 's' : ''}; in each round a row ran on both modes back to back, which one first alternating. srv µs/op: server\n` +
      ' CPU per operation, distributed mode summed over gateway, metadata and blob (by service: each one\'s share). dist/local: the mean\n' +
      ' of the rounds\' ratios)\n',
  );
  const errors = sides.reduce((n, s) => n + Object.values(s.results).flat().reduce((k, r) => k + (r.errors ?? 0), 0), 0);
  reportFailure(failure, errors);
  const ok = !failure && errors === 0;
  const json = {
    ...runRecord('compare', ok, failure),
    rounds,
    results: { local, distributed: dist },
    ratios,
  };
  keepHistory(json, false);
  process.stdout.write(JSON.stringify(json) + '\n');
  process.exit(ok ? 0 : 1);
}

/** The fields every run's JSON line starts with: what ran, where, with which options, and whether it went through. */
function runRecord(target, ok, failure) {
  return {
    bench: 'massive-storage',
    version: 1,
    at: new Date().toISOString(),
    git: gitRev(),
    node: process.version,
    cpus: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    machine: machineOf(),
    target,
    ok,
    ...(failure && { failure: String(failure.message ?? failure) }),
    options: { ...opts, concurrency: Object.fromEntries(selected.filter((w) => w in DEFAULT_CONC).map((w) => [w, opts.concurrency(w)])), bucketPrefix: undefined, big: undefined },
  };
}

/**
 * Sets the run against the history (`compare`: not for --mode compare, whose rows are pairs) and adds
 * it, failed runs included (they are never compared against). A history that cannot be read or written
 * costs the run a warning, never its result.
 */
function keepHistory(json, compare) {
  if (flag('no-history')) return;
  const file = resolve(opt('history') ?? join(REPO, '.bench', 'history.jsonl'));
  try {
    if (compare) process.stdout.write(formatHistoryComparison(compareWithHistory(json, readHistory(file)), file));
    appendHistory(file, json);
  } catch (e) {
    log(`bench: history ${file}: ${e.message ?? e}`);
  }
}

function reportFailure(failure, errors) {
  if (failure) process.stdout.write(`\n*** BENCH FAILED: ${failure.stack ?? failure}\n`);
  else if (errors > 0) process.stdout.write(`\n*** BENCH FAILED: ${errors} request errors (see errorSamples in the JSON)\n`);
}

const round2 = (x) => Math.round(x * 100) / 100;
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Waits (up to `maxS`) until the whole box has been < 25% of one core busy for 3 s in a row. */
async function waitQuiet(maxS) {
  const busy = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    return f.reduce((a, b) => a + b, 0) - f[3] - (f[4] ?? 0) - (f[8] ?? 0) - (f[9] ?? 0);
  };
  const deadline = Date.now() + maxS * 1000;
  let quiet = 0;
  let last = busy();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = busy();
    quiet = now - last < 25 ? quiet + 1 : 0; // /proc/stat ticks are 10 ms: 25 ticks/s = 25% of a core
    last = now;
    if (quiet >= 3) return log('box is quiet: starting');
  }
  log(`box still busy after ${maxS} s: starting anyway`);
}

/**
 * From the server's /-/metrics (undefined if unavailable): metadata_txn_restarts_total summed (KV write
 * conflicts retried), and the sums and counts of the two stages a data write waits for, where the
 * server exports them (local mode: gateway, metadata and blob in one process): blob_chunk_write_seconds
 * (chunk put to durable) and metadata_txn_duration_seconds of PutObject and UploadPart (the commit);
 * and nodejs_gc_duration_seconds (the gateway's GC pauses; all three services' in local mode).
 */
async function scrapeServer(endpoint) {
  try {
    const res = await fetch(new URL('/-/metrics', endpoint), { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` }, signal: AbortSignal.timeout(5000) });
    if (!res.ok) return undefined;
    const m = { at: performance.now(), restarts: 0, chunkSum: 0, chunkCount: 0, commitSum: 0, commitCount: 0, gcMinor: 0, gcMajor: 0 };
    const value = (line) => Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
    const commit = (line) => line.includes('operation="PutObject"') || line.includes('operation="UploadPart"');
    for (const line of (await res.text()).split('\n')) {
      if (line.startsWith('metadata_txn_restarts_total')) m.restarts += value(line);
      else if (line.startsWith('blob_chunk_write_seconds_sum')) m.chunkSum += value(line);
      else if (line.startsWith('blob_chunk_write_seconds_count')) m.chunkCount += value(line);
      else if (line.startsWith('metadata_txn_duration_seconds_sum') && commit(line)) m.commitSum += value(line);
      else if (line.startsWith('metadata_txn_duration_seconds_count') && commit(line)) m.commitCount += value(line);
      else if (line.startsWith('nodejs_gc_duration_seconds_sum{kind="minor"}')) m.gcMinor += value(line);
      else if (line.startsWith('nodejs_gc_duration_seconds_sum{kind="major"}') || line.startsWith('nodejs_gc_duration_seconds_sum{kind="incremental"}')) m.gcMajor += value(line);
    }
    return m;
  } catch {
    return undefined;
  }
}

/** What happened on the server during one workload (warm-up included): restarts, and each write stage's mean. */
function serverStages(before, after) {
  const out = { txnRestarts: after.restarts - before.restarts };
  const mean = (sum, count) => Math.round(((after[sum] - before[sum]) / (after[count] - before[count])) * 1e5) / 100;
  if (after.chunkCount > before.chunkCount) Object.assign(out, { chunkWrites: after.chunkCount - before.chunkCount, chunkWriteMs: mean('chunkSum', 'chunkCount') });
  if (after.commitCount > before.commitCount) out.commitMs = mean('commitSum', 'commitCount');
  // The server's main thread in GC pauses, as a share of the workload's time: scavenges (minor), and
  // mark-compact with its incremental steps (major). A per-request object V8 places in the old
  // generation shows here first: session 22's request ctx held the scavenges at 7% of a 4 KiB GET run.
  const pct = (k) => Math.round(((after[k] - before[k]) * 1e6) / (after.at - before.at)) / 10;
  if (after.at > before.at) Object.assign(out, { gcMinorPct: pct('gcMinor'), gcMajorPct: pct('gcMajor') });
  return out;
}

function describe(r) {
  const parts = [];
  if (r.opsPerSec !== null && r.opsPerSec !== undefined) parts.push(`${r.opsPerSec} op/s`);
  if (r.mibPerSec) parts.push(`${r.mibPerSec} MiB/s`);
  if (r.p50Ms !== null) parts.push(`p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms`);
  if (r.errors) parts.push(`${r.errors} errors`);
  if (r.serverPeakRssMiB) parts.push(`server RSS peak ${r.serverPeakRssMiB} MiB`);
  if (r.warmupS !== undefined) parts.push(`after ${r.warmupS} s of warm-up`);
  return parts.join(', ');
}

function printTable(results) {
  const rows = Object.entries(results);
  if (rows.length === 0) return;
  const head = ['workload', 'conc', 'payload', 'ops', 'op/s', 'MiB/s', 'p50 ms', 'p99 ms', 'err', 'srv CPU%', 'srv µs/op', 'cli µs/op', 'other%', 'cpu-bound op/s', 'notes'];
  const body = rows.map(([w, r]) => [
    w,
    r.concurrency,
    r.payload ?? '',
    r.ops,
    r.opsPerSec ?? '',
    MiBf(r.mibPerSec),
    r.p50Ms ?? '',
    r.p99Ms ?? '',
    r.errors,
    r.serverCpuPct ?? '',
    r.serverCpuUsPerOp ?? '',
    r.clientCpuUsPerOp ?? '',
    r.otherCpuPct ?? '',
    r.opsPerSec !== null ? (r.cpuBoundOpsPerSec ?? '') : '',
    [
      r.txnRestarts && `${r.txnRestarts} txn conflicts retried`,
      r.chunkWriteMs !== undefined && `chunk put to durable ${r.chunkWriteMs} ms (mean of ${r.chunkWrites})`,
      r.commitMs !== undefined && `commit ${r.commitMs} ms (mean)`,
      r.gcMinorPct !== undefined && `GC ${r.gcMinorPct}% minor, ${r.gcMajorPct}% major`,
      r.serviceCpuUsPerOp && `srv µs/op by service: ${serviceSplit(r.serviceCpuUsPerOp)}`,
      r.keysPerSec && `${r.keysPerSec} keys/s over ${r.bucketKeys} keys`,
      r.serverPeakRssMiB && `server RSS peak ${r.serverPeakRssMiB} MiB${r.serverHwmMiB ? ` (VmHWM ${r.serverHwmMiB})` : ''}${r.serverPeakAnonMiB ? `, anon ${r.serverPeakAnonMiB} MiB (without LMDB's mapped file)` : ''}`,
      r.ttfbMs && `ttfb ${r.ttfbMs} ms`,
      r.verified && `verified ${r.verified}`,
      r.parts && `${r.parts}x${r.partMiB} MiB parts, part p50 ${r.p50Ms} p99 ${r.p99Ms} ms`,
      r.note && !r.parts && !r.verified && r.note,
      r.getMibPerSec && `the SeaweedFS fake alone, no gateway: PUT ${r.mibPerSec} MiB/s, GET ${r.getMibPerSec} MiB/s`,
    ]
      .filter(Boolean)
      .join('; '),
  ]);
  const table = [head, ...body].map((r) => r.map((c) => String(c ?? '')));
  const widths = head.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 || i === 2 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  process.stdout.write('\n' + line(table[0]) + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') + '\n' + table.slice(1).map(line).join('\n') + '\n');
  process.stdout.write(
    `(ops/latency exclude warm-up; 1 GiB rows: latency is per part / whole transfer. CPU% is of one core (this box: ${cpus().length}).\n` +
      ' other% = the rest of the box busy meanwhile (other processes + uncharged kernel softirq, e.g. loopback TCP): a noise gauge.\n' +
      ` cpu-bound op/s = ${cpus().length} cores / (server + client CPU per op): what the box could do if CPU were the only limit)\n`,
  );
}

/** Issue 11's aims for local mode (`min`: at least; `max`: at most). */
const TARGETS = [
  { workload: 'get4k', metric: 'opsPerSec', min: 10000, unit: 'op/s', label: '4 KiB GET' },
  { workload: 'head4k', metric: 'opsPerSec', min: 10000, unit: 'op/s', label: '4 KiB HEAD' },
  { workload: 'put4k', metric: 'opsPerSec', min: 3000, unit: 'op/s', label: '4 KiB PUT' },
  { workload: 'put1m', metric: 'mibPerSec', min: 250, unit: 'MiB/s', label: '1 MiB PUT' },
  { workload: 'get1m', metric: 'mibPerSec', min: 600, unit: 'MiB/s', label: '1 MiB GET' },
  { workload: 'mpu1g', metric: 'mibPerSec', min: 300, unit: 'MiB/s', label: '1 GiB multipart upload' },
  { workload: 'mpu1g', metric: 'serverPeakAnonMiB', max: 300, unit: 'MiB', label: 'multipart: server memory', key: 'mpu1gMemory' },
  { workload: 'get1g', metric: 'mibPerSec', min: 600, unit: 'MiB/s', label: '1 GiB download' },
];

/** Issue 11: a 4 KiB GET's server CPU at most this many times an in-memory Node server's (ref4k). */
const REF_CPU_RATIO = 2;

function checkTargets(results, aims = []) {
  const out = {};
  const lines = [];
  // listbig: a big bucket's page costs at most `target` times the 1k bucket's (pages/s ratio).
  for (const a of aims) {
    out[a.workload] = { metric: a.metric, value: a.value, target: a.target, met: a.met, ...(a.cpuRatio !== undefined && { serverCpuRatio: a.cpuRatio }) };
    lines.push(`  ${a.met ? 'MET ' : 'MISS'}  ${a.label.padEnd(24)} ${String(a.value).padStart(9)}x slower (target <= ${a.target}x; server CPU/page ${a.cpuRatio ?? '?'}x)`);
  }
  for (const t of TARGETS) {
    const r = results[t.workload];
    const v = r?.[t.metric];
    if (v === undefined || v === null) continue;
    const met = t.max !== undefined ? v <= t.max : v >= t.min;
    const target = t.max !== undefined ? `< ${t.max}` : `> ${t.min}`;
    out[t.key ?? t.workload] = { metric: t.metric, value: v, target: t.max ?? t.min, ...(t.max !== undefined && { atMost: true }), met };
    lines.push(`  ${met ? 'MET ' : 'MISS'}  ${t.label.padEnd(24)} ${String(v).padStart(9)} ${t.unit} (target ${target})`);
  }
  // Server CPU per 4 KiB GET within 2x of an in-memory Node server's (ref4k), both measured in this run:
  // from ref4k's paired slices (the two servers alternately, the same box's pace for both) when it has
  // them, else from the get4k and ref4k rows, a minute apart.
  const paired = results.ref4k?.paired;
  const ours = paired ? paired.get4k.serverCpuUsPerOp : results.get4k?.serverCpuUsPerOp;
  const ref = paired ? paired.ref4k.serverCpuUsPerOp : results.ref4k?.serverCpuUsPerOp;
  if (ours > 0 && ref > 0) {
    const ratio = round2(ours / ref);
    const met = ratio <= REF_CPU_RATIO;
    out.get4kCpuVsRef = { metric: 'serverCpuUsPerOp / ref4k', value: ratio, target: REF_CPU_RATIO, atMost: true, met, ours, ref, ...(paired && { paired: true }) };
    const how = paired ? `, in ${paired.rounds} alternating slices each` : '';
    lines.push(`  ${met ? 'MET ' : 'MISS'}  ${'4 KiB GET CPU vs ref4k'.padEnd(24)} ${String(ratio).padStart(9)}x  (target <= ${REF_CPU_RATIO}x: ${ours} against ${ref} µs/op${how})`);
  }
  if (lines.length) process.stdout.write(`\nTargets:\n${lines.join('\n')}\n`);
  return out;
}

function gitRev() {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'apps', 'libs'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${rev}+dirty` : rev;
  } catch {
    return undefined;
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${err.stack ?? err}\n`);
  process.exit(1);
});
