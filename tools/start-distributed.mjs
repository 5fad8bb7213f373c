// `npm run start:distributed`: the three services as separate processes on loopback — blob, then
// metadata, then the gateway in distributed mode — the way a new user tries the distributed shape on
// one machine. The gateway honours the same settings as local mode (MASSIVE_PORT, MASSIVE_HOST,
// MASSIVE_DATA_DIR, MASSIVE_ACCESS_KEY/SECRET_KEY, ...); the services keep their data under
// <data dir>/metadata-svc and <data dir>/blob-svc.
//
// Ports: gRPC metadata 7070, blob 7071; blob's HTTP data path (object bodies) 7072; metadata's Mux
// direct connections 7073; admin HTTP gateway 9100, metadata 9101, blob 9102 (override with
// MASSIVE_METADATA_GRPC_PORT, MASSIVE_METADATA_MUX_PORT, MASSIVE_BLOB_GRPC_PORT, MASSIVE_BLOB_DATA_PORT, MASSIVE_GATEWAY_ADMIN_PORT,
// MASSIVE_METADATA_ADMIN_PORT, MASSIVE_BLOB_ADMIN_PORT). With MASSIVE_PORT=0 every port is picked
// free, so test harnesses can run several side by side.
//
// Once all three answer it prints the endpoints, then the same line local mode prints:
//   Massive Storage (distributed mode) listening on http://127.0.0.1:<port>
// Ctrl-C / SIGTERM stops all three (gateway first); if any service dies the others are stopped and
// this exits non-zero. Flags: --no-build (use the existing dist/ bundles). MASSIVE_SERVICE_NODE_ARGS: extra
// node flags for gateway, metadata and blob (space separated; `npm run bench -- --mode distributed --cpu-prof`).
//
// Backends: MASSIVE_METADATA_BACKEND / --metadata-backend (embedded | tikv) and MASSIVE_BLOB_BACKEND /
// --blob-backend (local | seaweedfs). With tikv, metadata uses the PD endpoints of
// MASSIVE_PD_ENDPOINTS / --pd-endpoints; without any, this first starts the TiKV protocol fake
// (dist/tools/fake-tikv.js: a TEST FAKE of PD + 3 TiKV stores, not durable, not TiKV) as a
// fourth process, says so loudly, points metadata at it, and stops it last. Likewise seaweedfs without
// MASSIVE_SEAWEED_MASTERS / --seaweed-masters starts the SeaweedFS protocol fake
// (dist/tools/fake-seaweedfs.js: a TEST FAKE of a master + 3 volume servers, needles kept as plain files
// under <data dir>/seaweedfs-fake so a restart finds them) first. With
// seaweedfs the blob service records fids in metadata, so it is given the metadata endpoint (a port
// reserved up front, since blob starts before metadata).
//
// Service trust (README "Service security"): the three services refuse to start without a shared
// secret. When none is set (MASSIVE_SERVICE_TOKEN / MASSIVE_SERVICE_TOKEN_FILE, MASSIVE_TLS_CA/CERT/KEY,
// or the development opt-out MASSIVE_INSECURE_RPC=true), a random token is kept in
// <data dir>/service-token (mode 0600, created once, reused on restart) and handed to the services as
// MASSIVE_SERVICE_TOKEN_FILE; its path is printed (grpcurl -H "authorization: Bearer $(cat <path>)").
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const READY = /listening on ((?:grpc|https?):\/\/[^\s]+)(?: \(admin (http:\/\/[^\s)]+)\))?(?: \(website (http:\/\/[^\s)]+)\))?/;
/** The fake's banner line naming its PD members: `PD         : 127.0.0.1:41231,...`. */
const FAKE_PD_READY = /^PD\s*:\s*(\S+)/;
const FAKE_TIKV = join(ROOT, 'dist/tools/fake-tikv.js');
const FAKE_SEAWEED = join(ROOT, 'dist/tools/fake-seaweedfs.js');
/** The SeaweedFS fake's banner line naming its masters: `masters    : 127.0.0.1:41231`. */
const FAKE_SEAWEED_READY = /^masters\s*:\s*(\S+)/;
const SEAWEED_BANNER = [
  '#'.repeat(100),
  '###  MASSIVE_BLOB_BACKEND=seaweedfs without MASSIVE_SEAWEED_MASTERS: starting the SeaweedFS PROTOCOL FAKE.',
  '###  It is a TEST FAKE of a SeaweedFS master + volume servers (libs/blob-seaweedfs/test/fake-seaweedfs):',
  '###  NOT SeaweedFS: needles are plain files under <data dir>/seaweedfs-fake, no fsync, no real replication. Never keep real data here.',
  '###  For a real cluster: MASSIVE_BLOB_BACKEND=seaweedfs MASSIVE_SEAWEED_MASTERS=master:9333 npm run start:distributed',
  '#'.repeat(100),
];

/**
 * The node flags the gateway always runs with, wherever it is started (`npm start`, its Dockerfile, the
 * test and bench harnesses): apps/gateway/node-flags.json, checked against each by
 * tools/workspace/gateway-node-flags.spec.ts.
 */
export function gatewayNodeFlags() {
  return JSON.parse(readFileSync(join(ROOT, 'apps/gateway/node-flags.json'), 'utf8'));
}

/** Whether `port` on 127.0.0.1 can be listened on now (bound, then released). */
function canListen(port) {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

/**
 * A loopback port for a service another one must know before it starts. Picked at random below the
 * kernel's ephemeral range, which listen(0) and outgoing connections draw from: a port released by
 * bind-then-close *inside* that range can be handed to any socket on the box before its service binds
 * it (seen: the blob service's connections took metadata's reserved port, EADDRINUSE). Below the range
 * only an explicit bind can take it, and the caller still retries if one does.
 */
export async function reservePort() {
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralLow;
  } catch {
    // not Linux: the usual range's floor
  }
  const low = 10_000;
  const high = Math.max(low + 1_000, Math.min(ephemeralLow, 32_768));
  for (let i = 0; i < 64; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port)) return String(port);
  }
  throw new Error(`no free loopback port between ${low} and ${high}`);
}
// The fake does not watch its stdin: this wrapper stops it (SIGTERM) when the supervisor goes away.
const WITH_STDIN_WATCH = (script) =>
  `process.stdin.once('end', () => process.kill(process.pid, 'SIGTERM')); process.stdin.resume(); require(${JSON.stringify(script)});`;

const FAKE_BANNER = [
  '#'.repeat(100),
  '###  MASSIVE_METADATA_BACKEND=tikv without MASSIVE_PD_ENDPOINTS: starting the TiKV PROTOCOL FAKE.',
  '###  It is a TEST FAKE of PD + TiKV (libs/kv-tikv/test/fake-tikv): NOT TiKV, NOT durable (its log in',
  '###  <data dir>/tikv-fake is never fsync\'d), no replication. Never keep real data here.',
  '###  For a real cluster: MASSIVE_METADATA_BACKEND=tikv MASSIVE_PD_ENDPOINTS=pd-host:2379 npm run start:distributed',
  '#'.repeat(100),
];

/** `--name=value` or `--name value` from `args`. */
function flagOf(args, name) {
  const i = args.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < args.length) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

/** The backends chosen by flags (win) or environment, validated before anything starts. */
export function resolveBackends(args = [], env = process.env) {
  const metadata = (flagOf(args, 'metadata-backend') ?? env.MASSIVE_METADATA_BACKEND ?? 'embedded').toLowerCase() || 'embedded';
  const blob = (flagOf(args, 'blob-backend') ?? env.MASSIVE_BLOB_BACKEND ?? 'local').toLowerCase() || 'local';
  const pdEndpoints = (flagOf(args, 'pd-endpoints') ?? flagOf(args, 'pd') ?? env.MASSIVE_PD_ENDPOINTS ?? '').trim();
  const seaweedMasters = (flagOf(args, 'seaweed-masters') ?? env.MASSIVE_SEAWEED_MASTERS ?? '').trim();
  if (!['embedded', 'tikv'].includes(metadata)) {
    throw new Error(`metadata backend must be embedded or tikv (MASSIVE_METADATA_BACKEND / --metadata-backend), got ${metadata}`);
  }
  if (!['local', 'seaweedfs'].includes(blob)) {
    throw new Error(`blob backend must be local or seaweedfs (MASSIVE_BLOB_BACKEND / --blob-backend), got ${blob}`);
  }
  return { metadata, blob, pdEndpoints, seaweedMasters, fakeTikv: metadata === 'tikv' && !pdEndpoints, fakeSeaweed: blob === 'seaweedfs' && !seaweedMasters };
}

/** Environment variables that already say how the services trust each other. */
const TRUST_ENV = ['MASSIVE_SERVICE_TOKEN', 'MASSIVE_SERVICE_TOKEN_FILE', 'MASSIVE_TLS_CA', 'MASSIVE_TLS_CERT', 'MASSIVE_TLS_KEY'];

/**
 * The service token for this data dir: `<dataDir>/service-token`, created (32 random bytes, base64url,
 * mode 0600) unless it exists; an existing file readable by others is tightened to 0600. Returns
 * undefined when the environment already configures trust (token, TLS, or MASSIVE_INSECURE_RPC=true).
 */
export function ensureServiceToken(dataDir, env = process.env) {
  if (TRUST_ENV.some((k) => (env[k] ?? '').trim() !== '') || env.MASSIVE_INSECURE_RPC === 'true') return undefined;
  const path = join(dataDir, 'service-token');
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(path)) {
    try {
      writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e; // another launcher on this dir won the race: use its token
    }
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  if (readFileSync(path, 'utf8').trim() === '') throw new Error(`${path} is empty: delete it to get a new token`);
  return path;
}

/**
 * Starts blob, metadata and gateway; resolves once the gateway listens. `pickPort` reserves metadata's
 * port when blob must know it first (tests hand in one that returns a taken port).
 */
export async function startDistributed({ env = process.env, args = [], log = (line) => process.stdout.write(line + '\n'), pickPort = reservePort } = {}) {
  const backends = resolveBackends(args, env);
  const dataDir = resolve(env.MASSIVE_DATA_DIR ?? './data');
  const ephemeral = env.MASSIVE_PORT === '0';
  const port = (name, def) => env[name] ?? (ephemeral ? '0' : def);
  const children = [];
  let stopping = false;
  let onDeath = () => undefined;

  // Every service reads only its own MASSIVE_* settings; these are the ones we decide here.
  // glibc: keep freed buffers in the heap instead of mmap/munmap per large Buffer (page faults on every
  // chunk cost ~1/3 of a 1 MiB GET's CPU here); see README "Benchmarks".
  const serviceTokenFile = ensureServiceToken(dataDir, env);
  const base = {
    MALLOC_TRIM_THRESHOLD_: '536870912',
    MALLOC_MMAP_THRESHOLD_: '67108864',
    ...env,
    MASSIVE_EXIT_ON_STDIN_CLOSE: '1',
    ...(serviceTokenFile && { MASSIVE_SERVICE_TOKEN_FILE: serviceTokenFile }),
  };
  delete base.MASSIVE_GRPC_PORT;
  delete base.MASSIVE_DATA_PORT;
  delete base.MASSIVE_MUX_PORT;
  delete base.MASSIVE_ADMIN_PORT;
  delete base.MASSIVE_SERVICE_NODE_ARGS;
  const nodeArgs = (env.MASSIVE_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

  const start = (name, extraEnv, { argv = [...nodeArgs, join(ROOT, 'dist/apps', name, 'main.js')], ready: readyLine = READY, fake = false } = {}) =>
    new Promise((resolveReady, rejectReady) => {
      const child = spawn(process.execPath, argv, {
        env: { ...base, ...extraEnv },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const entry = { name, child, endpoint: '', admin: '', website: '', fake };
      children.push(entry);
      let ready = false;
      createInterface({ input: child.stdout }).on('line', (line) => {
        const m = !ready && readyLine.exec(line);
        if (m && fake) log(`[${name}] ${line}`);
        if (m) {
          ready = true;
          entry.endpoint = m[1];
          entry.admin = m[2] ?? '';
          entry.website = m[3] ?? '';
          resolveReady(entry);
        } else if (!(ready && name === 'gateway' && BANNER_DETAIL.test(line))) log(`[${name}] ${line}`); // the summary lists those
      });
      createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`[${name}] ${line}\n`));
      child.once('exit', (code, signal) => {
        entry.exited = true;
        if (!ready) rejectReady(new Error(`${name} exited (${signal ?? code}) before it was ready`));
        else if (!stopping && !entry.retired) onDeath(entry, code, signal);
      });
    });

  const stopOne = async (e) => {
    e.retired = true;
    if (e.exited) return;
    const gone = new Promise((r) => e.child.once('exit', r));
    e.child.kill('SIGTERM');
    const t = setTimeout(() => e.child.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(t);
  };
  const stop = async () => {
    stopping = true;
    // Gateway first (it drains S3 requests), then metadata (its GC talks to blob), then blob, then
    // the TiKV fake when we started one (metadata needs it until it has stopped).
    for (const e of [...children].reverse()) await stopOne(e);
  };

  try {
    const loopback = { MASSIVE_HOST: '127.0.0.1' };
    let pdEndpoints = backends.pdEndpoints;
    if (backends.fakeTikv) {
      if (!existsSync(FAKE_TIKV)) throw new Error(`${FAKE_TIKV} is missing: run npm run build (or drop --no-build)`);
      for (const line of FAKE_BANNER) log(line);
      // Its own banner says TEST FAKE too; the PD line tells us where it listens.
      // Split at the metadata key families (buckets, guards, objects, parts, uploads, versions), as a
      // real cluster would be after some use, so requests cross regions.
      // --data-dir: the fake logs its MVCC mutations there, so a restart on the same data dir (a stop
      // or a SIGKILL of the whole stack) finds the metadata again, as a real cluster would.
      const argv = ['-e', WITH_STDIN_WATCH(FAKE_TIKV), '--', '--host', '127.0.0.1', '--split', 'G,L,O,P,U,V', '--data-dir', join(dataDir, 'tikv-fake')];
      pdEndpoints = (await start('fake-tikv', {}, { argv, ready: FAKE_PD_READY, fake: true })).endpoint;
    }
    let seaweedMasters = backends.seaweedMasters;
    if (backends.fakeSeaweed) {
      if (!existsSync(FAKE_SEAWEED)) throw new Error(`${FAKE_SEAWEED} is missing: run npm run build (or drop --no-build)`);
      for (const line of SEAWEED_BANNER) log(line);
      // Its needles go to files under the data dir, so a restart on the same dir (as the embedded
      // metadata survives one) still finds the chunks that metadata references.
      const argv = ['-e', WITH_STDIN_WATCH(FAKE_SEAWEED), '--', '--host', '127.0.0.1', '--servers', '3', '--replication', '001', '--data-dir', join(dataDir, 'seaweedfs-fake')];
      seaweedMasters = (await start('fake-seaweedfs', {}, { argv, ready: FAKE_SEAWEED_READY, fake: true })).endpoint;
    }
    // With seaweedfs, blob is told metadata's endpoint before metadata starts (it records fids there);
    // on ephemeral ports that means reserving one. Should something bind it in between all the same,
    // blob and metadata start again on another.
    const pickMetadataPort = backends.blob === 'seaweedfs' && port('MASSIVE_METADATA_GRPC_PORT', '7070') === '0';
    let blob;
    let metadata;
    for (let attempt = 1; ; attempt++) {
      const metadataGrpcPort = pickMetadataPort ? await pickPort() : port('MASSIVE_METADATA_GRPC_PORT', '7070');
      blob = await start('blob', {
        ...loopback,
        MASSIVE_GRPC_PORT: port('MASSIVE_BLOB_GRPC_PORT', '7071'),
        MASSIVE_DATA_PORT: port('MASSIVE_BLOB_DATA_PORT', '7072'),
        MASSIVE_ADMIN_PORT: port('MASSIVE_BLOB_ADMIN_PORT', '9102'),
        MASSIVE_DATA_DIR: join(dataDir, 'blob-svc'),
        MASSIVE_BLOB_BACKEND: backends.blob,
        ...(seaweedMasters ? { MASSIVE_SEAWEED_MASTERS: seaweedMasters, MASSIVE_METADATA_ENDPOINTS: `127.0.0.1:${metadataGrpcPort}` } : {}),
      });
      try {
        metadata = await start('metadata', {
          ...loopback,
          MASSIVE_GRPC_PORT: metadataGrpcPort,
          MASSIVE_MUX_PORT: port('MASSIVE_METADATA_MUX_PORT', '7073'),
          MASSIVE_ADMIN_PORT: port('MASSIVE_METADATA_ADMIN_PORT', '9101'),
          MASSIVE_DATA_DIR: join(dataDir, 'metadata-svc'),
          MASSIVE_BLOB_ENDPOINTS: blob.endpoint.replace('grpc://', ''),
          MASSIVE_METADATA_BACKEND: backends.metadata,
          ...(pdEndpoints ? { MASSIVE_PD_ENDPOINTS: pdEndpoints } : {}),
        });
        break;
      } catch (e) {
        if (!pickMetadataPort || attempt >= 3 || (await canListen(Number(metadataGrpcPort)))) throw e;
        log(`[start-distributed] port ${metadataGrpcPort} was taken before metadata bound it: starting blob and metadata again on another`);
        await stopOne(blob);
        children.splice(0, children.length, ...children.filter((c) => !c.exited));
      }
    }
    const blobTarget = blob.endpoint.replace('grpc://', '');
    // The gateway with the V8 flags it always runs with (apps/gateway/node-flags.json).
    const gateway = await start(
      'gateway',
      {
        MASSIVE_MODE: 'distributed',
        MASSIVE_DATA_DIR: dataDir,
        MASSIVE_ADMIN_PORT: port('MASSIVE_GATEWAY_ADMIN_PORT', '9100'),
        MASSIVE_METADATA_ENDPOINTS: metadata.endpoint.replace('grpc://', ''),
        MASSIVE_BLOB_ENDPOINTS: blobTarget,
      },
      { argv: [...gatewayNodeFlags(), ...nodeArgs, join(ROOT, 'dist/apps/gateway/main.js')] },
    );
    return {
      endpoint: gateway.endpoint,
      website: gateway.website,
      dataDir,
      credentials: credentialsSource(env, dataDir),
      services: children.map(({ name, endpoint, admin, child, fake }) => ({ name, endpoint, admin, pid: child.pid, fake })),
      backends: { ...backends, pdEndpoints, seaweedMasters },
      serviceTokenFile,
      onDeath: (fn) => (onDeath = fn),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The gateway's banner lines after its ready line (`  S3 …`, `  metrics …`): the summary replaces them. */
const BANNER_DETAIL = /^ {2}[a-zA-Z0-9]+ +\S/;

/** Where the gateway's keys are: the settings, or the development-credentials file it keeps in the data dir. */
function credentialsSource(env, dataDir) {
  if (env.MASSIVE_ACCESS_KEY && env.MASSIVE_SECRET_KEY) return `access key ${env.MASSIVE_ACCESS_KEY} from MASSIVE_ACCESS_KEY (secret from MASSIVE_SECRET_KEY)`;
  const file = join(dataDir, 'dev-credentials.json');
  let accessKey = '?';
  try {
    accessKey = JSON.parse(readFileSync(file, 'utf8')).accessKey;
  } catch {
    // the gateway reported its own error if it could not write the file
  }
  return `access key ${accessKey}; both keys in ${file}`;
}

/** What `npm run start:distributed` prints once up: every endpoint, the data directory, where the keys are. */
export function summary(cluster) {
  const out = [];
  for (const s of cluster.services) {
    if (s.fake) {
      const note =
        s.name === 'fake-seaweedfs'
          ? `masters ${s.endpoint}  !! TEST FAKE of SeaweedFS: plain files, not a storage engine !!`
          : `PD ${s.endpoint}  !! TEST FAKE of TiKV: not durable, not a database !!`;
      out.push(`  ${s.name.padEnd(9)} ${note}  pid ${s.pid}`);
      continue;
    }
    out.push(`  ${s.name.padEnd(9)} ${s.endpoint.padEnd(28)} admin ${s.admin || '(on the S3 port under /-/)'}  pid ${s.pid}`);
  }
  const ours = cluster.services.filter((s) => !s.fake);
  const ops = (s) => s.admin || `${s.endpoint}/-`;
  out.push(`  metrics   ${ours.map((s) => `${ops(s)}/metrics`).join('  ')}`);
  out.push(`  health    ${ours.map((s) => `${ops(s)}/health/ready`).join('  ')}  (and /health/live; grpc.health.v1 on metadata and blob)`);
  out.push(`  data      ${cluster.dataDir}`);
  out.push(`  keys      ${cluster.credentials}`);
  if (cluster.website) out.push(`  website   ${cluster.website}  (static websites: <bucket>.<MASSIVE_WEBSITE_DOMAINS>, or a host named like its bucket)`);
  if (cluster.serviceTokenFile) {
    out.push(`  token     service token in ${cluster.serviceTokenFile} (gRPC: grpcurl -H "authorization: Bearer $(cat ${cluster.serviceTokenFile})" ...)`);
  }
  // The same line local mode prints: scripts and test harnesses wait for it.
  out.push(`Massive Storage (distributed mode) listening on ${cluster.endpoint}${cluster.website ? ` (website ${cluster.website})` : ''}`);
  return `${out.join('\n')}\n`;
}

const FLAGS = ['no-build', 'metadata-backend', 'blob-backend', 'pd-endpoints', 'pd', 'seaweed-masters'];

async function main() {
  const args = process.argv.slice(2);
  try {
    for (let i = 0; i < args.length; i++) {
      const name = /^--([^=]+)/.exec(args[i])?.[1];
      if (!name || !FLAGS.includes(name)) throw new Error(`unknown argument ${args[i]} (flags: ${FLAGS.map((f) => `--${f}`).join(' ')})`);
      if (name !== 'no-build' && !args[i].includes('=')) i++;
    }
    resolveBackends(args); // refuse bad backend settings before building anything
  } catch (e) {
    process.stderr.write(`start-distributed: ${e.message}\n`);
    process.exit(2);
  }
  if (!args.includes('--no-build')) {
    const built = spawnSync(process.execPath, [join(ROOT, 'tools/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  let cluster;
  try {
    cluster = await startDistributed({ args });
  } catch (e) {
    process.stderr.write(`start-distributed: ${e.message}\n`);
    process.exit(1);
  }
  process.stdout.write(summary(cluster));

  let exiting = false;
  const shutdown = async (code) => {
    if (exiting) return;
    exiting = true;
    await cluster.stop();
    process.exit(code);
  };
  cluster.onDeath((entry, code, signal) => {
    process.stderr.write(`start-distributed: ${entry.name} exited (${signal ?? code}); stopping the others\n`);
    void shutdown(1);
  });
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
