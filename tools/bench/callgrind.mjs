#!/usr/bin/env node
// Instructions per request, counted by valgrind's callgrind: a measure of the server's per-request work
// that does not move with the box. `npm run bench`'s op/s and CPU per op swing by 20% or more from run
// to run on these shared machines; on an otherwise idle box the same build's count repeated within 0.1%
// for HEAD and 2-4% for GET (its 4 KiB bodies move the GC's timing), so a change of a few percent shows.
// Timing still matters (when the GC and the compiler threads run): with tests running beside it, one
// HEAD count moved 9%. Run it on a quiet box, twice for a row that matters. Kernel time (the
// socket syscalls) is not counted: only the process's own instructions, every thread of it (V8's GC and
// compiler threads, libuv's pool, LMDB's writer), serialised by valgrind.
//
//   node tools/bench/callgrind.mjs [--only get4k,head4k,put4k] [--ops 2000] [--warmup 10000]
//                                  [--concurrency 1] [--dist DIR] [--mode local|distributed]
//                                  [--service gateway|metadata] [--keep] [--functions N]
//
// --functions N also prints, per workload, the N functions with the most instructions of their own per
// request, the JIT's JavaScript named (the counted node runs with --perf-basic-prof, whose map
// /tmp/perf-<pid>.map names the addresses callgrind cannot; the map is removed after).
//
// --mode distributed counts one service of distributed mode. Blob and metadata run as `npm run
// start:distributed` starts them (from dist/, not under valgrind, with a gateway of their own left
// idle). With --service gateway (the default) a second gateway, DIR's, runs under valgrind against
// them: its count is the gateway's side of each request (SigV4, the Mux call and its protobuf, the S3
// response), to set against local mode's, whose gateway also does the metadata lookup itself. With
// --service metadata, DIR's metadata service runs under valgrind on a store of its own, behind a
// gateway of DIR's running natively: its count is the metadata side of each request (the Mux call,
// the protobuf both ways, the lookup).
//
// It starts DIR/apps/gateway/main.js (default: dist) in local mode under
// `valgrind --tool=callgrind --instr-atstart=no` with a fresh temp data dir, writes 64 objects of 4 KiB,
// and per workload: `--warmup` requests with counting off (V8 tiers the hot code up meanwhile: after 6,000
// GETs a window still counted 5% of TurboFan compiling), then counting on for `--ops` requests, a dump,
// and the dump's total over the requests. One client by default: with 8, how many requests one turn of
// the event loop served varied with timing, and the same build's GET count with it, by up to 10%. Needs valgrind (Debian's `valgrind` package);
// about 1-2 minutes per workload (the server runs ~50x slower under valgrind).
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { exclusiveByFunction, readPerfMap } from './lib/callgrind-functions.mjs';
import { S3Http } from './lib/client.mjs';
import { Signer } from './lib/sigv4.mjs';

const WORKLOADS = ['get4k', 'head4k', 'put4k'];
const { values: o } = parseArgs({
  options: {
    only: { type: 'string', default: WORKLOADS.join(',') },
    ops: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '1' },
    dist: { type: 'string', default: resolve(import.meta.dirname, '../../dist') },
    mode: { type: 'string', default: 'local' },
    service: { type: 'string', default: 'gateway' },
    keep: { type: 'boolean', default: false },
    functions: { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  },
});
if (o.help) {
  process.stdout.write(readFileSync(new URL(import.meta.url), 'utf8').split('\nimport ')[0].replace(/^#!.*\n/, '').replace(/^\/\/ ?/gm, '') + '\n');
  process.exit(0);
}
const only = o.only.split(',').map((s) => s.trim()).filter(Boolean);
for (const w of only) if (!WORKLOADS.includes(w)) fail(`unknown workload ${w} (${WORKLOADS.join(', ')})`);
const ops = positive('ops', o.ops);
const warmup = positive('warmup', o.warmup);
const concurrency = positive('concurrency', o.concurrency);
const functions = o.functions === '0' ? 0 : positive('functions', o.functions);
if (o.mode !== 'local' && o.mode !== 'distributed') fail(`--mode must be local or distributed, got ${o.mode}`);
if (o.service !== 'gateway' && o.service !== 'metadata') fail(`--service must be gateway or metadata, got ${o.service}`);
if (o.service === 'metadata' && o.mode !== 'distributed') fail('--service metadata needs --mode distributed');

function positive(name, v) {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) fail(`--${name} must be a positive integer, got ${v}`);
  return n;
}
function fail(msg) {
  process.stderr.write(`callgrind: ${msg}\n`);
  process.exit(2);
}

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  fail('valgrind is not installed (apt-get install valgrind)');
}

const ACCESS = 'CALLGRINDACCESSKEY01';
const SECRET = 'callgrind-secret-key-0000000000000000000';
const dir = mkdtempSync(join(tmpdir(), 'massive-callgrind-'));
/** Starts a process and resolves with it and the match of `ready` on its stdout. */
function startProc(cmd, args, env, ready) {
  const child = spawn(cmd, args, { env: { ...process.env, MASSIVE_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-8000)));
  return new Promise((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error(`${args.at(-1)}: no "listening on" after 120 s: ${stderr}`)), 120_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        res({ child, match: m[1] });
      }
    });
    child.once('exit', (code) => rej(new Error(`${args.at(-1)} exited (${code}) before listening: ${stderr}`)));
  });
}

const valgrind = (main) => ['valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'callgrind.out')}`, process.execPath, ...(functions ? ['--perf-basic-prof'] : []), main]];
const HTTP_READY = /listening on (http:\/\/\S+)/;
const GRPC_READY = /listening on grpc:\/\/(\S+)/;
const credentials = { MASSIVE_ACCESS_KEY: ACCESS, MASSIVE_SECRET_KEY: SECRET };
// valgrind cannot reserve LMDB's default 64 GiB of address space up front; the store maps more as it grows.
const MAP = { MASSIVE_METADATA_MAP_BYTES: String(2 ** 30) };

/** The process counted (callgrind_control's target) and the S3 endpoint the requests go to. */
let server;
let endpoint;
/** Distributed mode: blob and metadata (and an idle gateway) as `npm run start:distributed` starts them. */
let cluster;
/** Distributed mode, counting metadata: the gateway in front of the counted metadata service. */
let frontGateway;
if (o.mode === 'local') {
  const [cmd, args] = valgrind(join(o.dist, 'apps/gateway/main.js'));
  ({ child: server, match: endpoint } = await startProc(cmd, args, { MASSIVE_PORT: '0', MASSIVE_HOST: '127.0.0.1', MASSIVE_DATA_DIR: join(dir, 'data'), ...credentials, ...MAP }, HTTP_READY));
} else {
  const { startDistributed } = await import('../start-distributed.mjs');
  cluster = await startDistributed({
    env: { ...process.env, MASSIVE_PORT: '0', MASSIVE_DATA_DIR: join(dir, 'data'), ...credentials, MASSIVE_LOG_LEVEL: 'warn' },
    log: () => undefined,
  });
  const endpointOf = (name) => cluster.services.find((s) => s.name === name).endpoint.replace('grpc://', '');
  const trust = cluster.serviceTokenFile ? { MASSIVE_SERVICE_TOKEN_FILE: cluster.serviceTokenFile } : {};
  const gatewayEnv = (metadata) => ({
    MASSIVE_MODE: 'distributed',
    MASSIVE_PORT: '0',
    MASSIVE_HOST: '127.0.0.1',
    MASSIVE_ADMIN_PORT: '0',
    MASSIVE_DATA_DIR: join(dir, 'data'),
    MASSIVE_METADATA_ENDPOINTS: metadata,
    MASSIVE_BLOB_ENDPOINTS: endpointOf('blob'),
    ...credentials,
    ...trust,
  });
  if (o.service === 'gateway') {
    const [cmd, args] = valgrind(join(o.dist, 'apps/gateway/main.js'));
    ({ child: server, match: endpoint } = await startProc(cmd, args, gatewayEnv(endpointOf('metadata')), HTTP_READY));
  } else {
    // A metadata service of its own (its own store) under valgrind, and a native gateway in front of it.
    const [cmd, args] = valgrind(join(o.dist, 'apps/metadata/main.js'));
    const env = { MASSIVE_HOST: '127.0.0.1', MASSIVE_GRPC_PORT: '0', MASSIVE_ADMIN_PORT: '0', MASSIVE_DATA_DIR: join(dir, 'metadata-counted'), MASSIVE_BLOB_ENDPOINTS: endpointOf('blob'), ...MAP, ...trust };
    let target;
    ({ child: server, match: target } = await startProc(cmd, args, env, GRPC_READY));
    let front;
    ({ child: front, match: endpoint } = await startProc(process.execPath, [join(o.dist, 'apps/gateway/main.js')], gatewayEnv(target), HTTP_READY));
    frontGateway = front;
  }
}

const s3 = new S3Http({ endpoint, signer: new Signer({ accessKey: ACCESS, secretKey: SECRET }) });
const agent = s3.agent(concurrency);
const BUCKET = 'callgrind-bench';
const BODY = Buffer.alloc(4096, 0x61);
const BODY_SHA = createHash('sha256').update(BODY).digest('hex');
let putSeq = 0;

async function one(workload, i) {
  const path = `/${BUCKET}/obj-${i % 64}`;
  const r =
    workload === 'put4k'
      ? await s3.request({ agent, method: 'PUT', path: `/${BUCKET}/put-${putSeq++}`, body: BODY, payloadHash: BODY_SHA })
      : await s3.request({ agent, method: workload === 'head4k' ? 'HEAD' : 'GET', path });
  if (r.status !== 200) throw new Error(`${workload}: HTTP ${r.status} ${r.body ?? ''}`);
}

async function run(workload, n) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await one(workload, next++);
  }));
}

/** callgrind_control against the server (valgrind runs node in its own process: same pid). */
const control = (...args) => execFileSync('callgrind_control', [...args, String(server.pid)], { stdio: 'ignore' });

const results = [];
try {
  await s3.createBucket(agent, BUCKET);
  for (let i = 0; i < 64; i++) {
    const r = await s3.request({ agent, method: 'PUT', path: `/${BUCKET}/obj-${i}`, body: BODY, payloadHash: BODY_SHA });
    if (r.status !== 200) throw new Error(`setup PUT: HTTP ${r.status} ${r.body}`);
  }
  for (const w of only) {
    const t0 = Date.now();
    await run(w, warmup);
    control('--zero');
    control('--instr=on');
    await run(w, ops);
    control('--instr=off');
    const before = new Set(readdirSync(dir));
    control('--dump');
    const dumped = readdirSync(dir).filter((f) => f.startsWith('callgrind.out') && !before.has(f));
    if (dumped.length !== 1) throw new Error(`expected one new callgrind dump, found ${dumped.join(', ') || 'none'}`);
    const totals = /^totals: (\d+)/m.exec(readFileSync(join(dir, dumped[0]), 'utf8'));
    if (!totals) throw new Error(`no totals in ${dumped[0]}`);
    results.push({ workload: w, ops, instructionsPerOp: Math.round(Number(totals[1]) / ops), seconds: Math.round((Date.now() - t0) / 1000) });
    process.stderr.write(`${w}: ${results.at(-1).instructionsPerOp.toLocaleString('en')} instructions per request\n`);
    if (functions) printFunctions(w, readFileSync(join(dir, dumped[0]), 'utf8'));
  }
} finally {
  agent.destroy();
  server.kill('SIGKILL');
  await new Promise((r) => server.once('exit', r));
  if (functions) rmSync(perfMapPath(), { force: true });
  frontGateway?.kill('SIGKILL');
  await cluster?.stop();
  if (o.keep) process.stderr.write(`kept the dumps (callgrind_annotate <file>) and the data in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}

let git = '';
try {
  git = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {
  // not a checkout
}
process.stdout.write(`\nworkload  instructions/request  (callgrind, ${o.mode} mode${o.mode === 'distributed' ? `: the ${o.service}` : ''}, ${ops} requests from ${concurrency} clients after ${warmup} of warm-up)\n`);
for (const r of results) process.stdout.write(`${r.workload.padEnd(8)}  ${r.instructionsPerOp.toLocaleString('en').padStart(20)}\n`);
process.stdout.write(`${JSON.stringify({ bench: 'massive-callgrind', version: 1, at: new Date().toISOString(), git, node: process.version, options: { mode: o.mode, ...(o.mode === 'distributed' && { service: o.service }), ops, warmup, concurrency }, results })}\n`);

function perfMapPath() {
  return `/tmp/perf-${server.pid}.map`;
}

function printFunctions(workload, dump) {
  const rows = exclusiveByFunction(dump, readPerfMap(perfMapPath()));
  const total = rows.reduce((sum, r) => sum + r.instructions, 0);
  process.stderr.write(`  ${workload}: the ${functions} functions with the most instructions of their own, per request\n`);
  for (const r of rows.slice(0, functions)) {
    process.stderr.write(`  ${String(Math.round(r.instructions / ops)).padStart(8)}  ${((100 * r.instructions) / total).toFixed(2).padStart(5)}%  ${r.name.slice(0, 130)}\n`);
  }
}

