// `npm run start:distributed`: the three services as separate processes on loopback — blob, then
// metadata, then the gateway in distributed mode — the way a new user tries the distributed shape on
// one machine. The gateway honours the same settings as local mode (MASSIVE_PORT, MASSIVE_HOST,
// MASSIVE_DATA_DIR, MASSIVE_ACCESS_KEY/SECRET_KEY, ...); the services keep their data under
// <data dir>/metadata-svc and <data dir>/blob-svc.
//
// Ports: gRPC metadata 7070, blob 7071; admin HTTP gateway 9100, metadata 9101, blob 9102
// (override with MASSIVE_METADATA_GRPC_PORT, MASSIVE_BLOB_GRPC_PORT, MASSIVE_GATEWAY_ADMIN_PORT,
// MASSIVE_METADATA_ADMIN_PORT, MASSIVE_BLOB_ADMIN_PORT). With MASSIVE_PORT=0 every port is picked
// free, so test harnesses can run several side by side.
//
// Once all three answer it prints the endpoints, then the same line local mode prints:
//   Massive Storage (distributed mode) listening on http://127.0.0.1:<port>
// Ctrl-C / SIGTERM stops all three (gateway first); if any service dies the others are stopped and
// this exits non-zero. Flags: --no-build (use the existing dist/ bundles).
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const READY = /listening on ((?:grpc|http):\/\/[^\s]+)(?: \(admin (http:\/\/[^\s)]+)\))?/;

/** Starts blob, metadata and gateway; resolves once the gateway listens. */
export async function startDistributed({ env = process.env, log = (line) => process.stdout.write(line + '\n') } = {}) {
  const dataDir = resolve(env.MASSIVE_DATA_DIR ?? './data');
  const ephemeral = env.MASSIVE_PORT === '0';
  const port = (name, def) => env[name] ?? (ephemeral ? '0' : def);
  const children = [];
  let stopping = false;
  let onDeath = () => undefined;

  // Every service reads only its own MASSIVE_* settings; these are the ones we decide here.
  const base = { ...env, MASSIVE_EXIT_ON_STDIN_CLOSE: '1' };
  delete base.MASSIVE_GRPC_PORT;
  delete base.MASSIVE_ADMIN_PORT;

  const start = (name, extraEnv) =>
    new Promise((resolveReady, rejectReady) => {
      const child = spawn(process.execPath, [join(ROOT, 'dist/apps', name, 'main.js')], {
        env: { ...base, ...extraEnv },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const entry = { name, child, endpoint: '', admin: '' };
      children.push(entry);
      let ready = false;
      createInterface({ input: child.stdout }).on('line', (line) => {
        const m = !ready && READY.exec(line);
        if (m) {
          ready = true;
          entry.endpoint = m[1];
          entry.admin = m[2] ?? '';
          resolveReady(entry);
        } else log(`[${name}] ${line}`);
      });
      createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`[${name}] ${line}\n`));
      child.once('exit', (code, signal) => {
        entry.exited = true;
        if (!ready) rejectReady(new Error(`${name} exited (${signal ?? code}) before it was ready`));
        else if (!stopping) onDeath(entry, code, signal);
      });
    });

  const stop = async () => {
    stopping = true;
    // Gateway first (it drains S3 requests), then metadata (its GC talks to blob), then blob.
    for (const e of [...children].reverse()) {
      if (e.exited) continue;
      const gone = new Promise((r) => e.child.once('exit', r));
      e.child.kill('SIGTERM');
      const t = setTimeout(() => e.child.kill('SIGKILL'), 30_000);
      await gone;
      clearTimeout(t);
    }
  };

  try {
    const loopback = { MASSIVE_HOST: '127.0.0.1' };
    const blob = await start('blob', {
      ...loopback,
      MASSIVE_GRPC_PORT: port('MASSIVE_BLOB_GRPC_PORT', '7071'),
      MASSIVE_ADMIN_PORT: port('MASSIVE_BLOB_ADMIN_PORT', '9102'),
      MASSIVE_DATA_DIR: join(dataDir, 'blob-svc'),
    });
    const blobTarget = blob.endpoint.replace('grpc://', '');
    const metadata = await start('metadata', {
      ...loopback,
      MASSIVE_GRPC_PORT: port('MASSIVE_METADATA_GRPC_PORT', '7070'),
      MASSIVE_ADMIN_PORT: port('MASSIVE_METADATA_ADMIN_PORT', '9101'),
      MASSIVE_DATA_DIR: join(dataDir, 'metadata-svc'),
      MASSIVE_BLOB_ENDPOINTS: blobTarget,
    });
    const gateway = await start('gateway', {
      MASSIVE_MODE: 'distributed',
      MASSIVE_DATA_DIR: dataDir,
      MASSIVE_ADMIN_PORT: port('MASSIVE_GATEWAY_ADMIN_PORT', '9100'),
      MASSIVE_METADATA_ENDPOINTS: metadata.endpoint.replace('grpc://', ''),
      MASSIVE_BLOB_ENDPOINTS: blobTarget,
    });
    return {
      endpoint: gateway.endpoint,
      services: children.map(({ name, endpoint, admin, child }) => ({ name, endpoint, admin, pid: child.pid })),
      onDeath: (fn) => (onDeath = fn),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function main() {
  if (!process.argv.includes('--no-build')) {
    const built = spawnSync(process.execPath, [join(ROOT, 'tools/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  let cluster;
  try {
    cluster = await startDistributed();
  } catch (e) {
    process.stderr.write(`start-distributed: ${e.message}\n`);
    process.exit(1);
  }
  for (const s of cluster.services) {
    process.stdout.write(`  ${s.name.padEnd(9)} ${s.endpoint.padEnd(28)} admin ${s.admin || '(on the S3 port under /-/)'}  pid ${s.pid}\n`);
  }
  // The same line local mode prints: scripts and test harnesses wait for it.
  process.stdout.write(`Massive Storage (distributed mode) listening on ${cluster.endpoint}\n`);

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
