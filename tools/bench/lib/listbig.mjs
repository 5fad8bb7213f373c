// `listbig`: ListObjectsV2 on a 10M-key bucket next to a 1k-key bucket (issue 11's aim: the first page of
// the big one within 2x of the small one). Both buckets live in one local-mode data dir built straight
// through the KV by dist/tools/big-bucket.js (apps/gateway/test/bench), cached between runs under
// --big-store (stamped with the builder's format, the key count and the access key; rebuilt when the
// stamp does not match). A second gateway process serves that dir for this workload only; the store is
// only read (a sample of GET/HEAD checks the built objects), so the cache stays valid.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { expectStatus, MismatchError, parseListPage, S3Http } from './client.mjs';
import { interleaved } from './load.mjs';
import { LocalGateway } from './server.mjs';

export const BIG_TOOL = resolve(import.meta.dirname, '../../../dist/tools/big-bucket.js');
const STAMP = 'big-store.json';
const SMALL = { name: 'listbig-1k', keys: 1000 };
const BIG_NAME = 'listbig-big';
const PAGE = 1000;

/** The builder's key layout (libs/metadata-core/src/testing/big-bucket.ts `bigBucketLayout`); the
 * stamp's firstKey/lastKey are checked against it, so a drift rebuilds instead of mis-verifying. */
export function bigLayout(keys) {
  const dirs = Math.min(1000, keys);
  const perDir = Math.ceil(keys / dirs);
  const width = Math.max(5, String(perDir - 1).length);
  return {
    keys,
    dirs: Math.ceil(keys / perDir),
    key: (i) => `dir-${String(Math.floor(i / perDir)).padStart(4, '0')}/obj-${String(i % perDir).padStart(width, '0')}`,
    dir: (d) => `dir-${String(d).padStart(4, '0')}/`,
  };
}

const human = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n));

/** Builds the store unless `dir` holds a matching one. Returns { built, buildSeconds, stamp }. */
export async function ensureBigStore({ dir, keys, accessKey, log }) {
  if (!existsSync(BIG_TOOL)) throw new Error(`${BIG_TOOL} is missing: run \`node tools/build.mjs\` (npm run bench does)`);
  const format = Number(execFileSync(process.execPath, [BIG_TOOL, '--format'], { encoding: 'utf8' }).trim());
  const want = [SMALL, { name: BIG_NAME, keys }];
  const matches = (s) =>
    s?.format === format &&
    s.accessKey === accessKey &&
    want.every((w) => {
      const b = s.buckets?.find((x) => x.name === w.name);
      const l = bigLayout(w.keys);
      return b && b.keys === w.keys && b.objects === w.keys && b.firstKey === l.key(0) && b.lastKey === l.key(w.keys - 1);
    });
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(resolve(dir, STAMP), 'utf8'));
  } catch {
    stamp = undefined;
  }
  if (matches(stamp)) {
    log(`  (big store: ${dir}, built ${stamp.builtAt} in ${stamp.buildSeconds} s: reused)`);
    return { built: false, buildSeconds: stamp.buildSeconds, stamp };
  }
  log(`  (big store: building ${human(keys)} keys into ${dir}${stamp ? ' (the cached one does not match)' : ''}: a few minutes ...)`);
  rmSync(dir, { recursive: true, force: true });
  const args = [BIG_TOOL, '--data-dir', dir, '--access-key', accessKey, ...want.flatMap((w) => ['--bucket', `${w.name}:${w.keys}`])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((r) => child.once('exit', (c, sig) => r(c ?? sig)));
  if (code !== 0) throw new Error(`big-bucket builder failed (${code})`);
  stamp = JSON.parse(out.trim().split('\n').pop());
  if (!matches(stamp)) throw new Error(`big-bucket builder wrote an unexpected store: ${out}`);
  log(`  (big store: built in ${stamp.buildSeconds} s, ${Math.round(keys / stamp.buildSeconds)} keys/s)`);
  return { built: true, buildSeconds: stamp.buildSeconds, stamp };
}

function expectPage(what, got, want) {
  const same = (a, b) => a.length === b.length && (a.length === 0 || (a[0] === b[0] && a[a.length - 1] === b[b.length - 1]));
  if (!same(got.keys, want.keys) || !same(got.prefixes, want.prefixes) || got.truncated !== want.truncated) {
    const d = (p) => `${p.keys.length} keys [${p.keys[0]}..${p.keys.at(-1)}], ${p.prefixes.length} prefixes [${p.prefixes[0]}..${p.prefixes.at(-1)}], truncated ${p.truncated}`;
    throw new MismatchError(`${what}: ${d(got)}; expected ${d(want)}`);
  }
}

/** The three page kinds, each checked against the layout. Returns { keys on the page } per call. */
function pageOps(s3, agent, bucket, keys) {
  const l = bigLayout(keys);
  const range = (from, n) => Array.from({ length: n }, (_, i) => l.key(from + i));
  const list = async (what, params) => {
    const r = await s3.listV2(agent, bucket, { 'max-keys': PAGE, ...params });
    expectStatus(r, 200, what);
    return { page: parseListPage(r.body.toString()), bytes: r.bytes };
  };
  return {
    first: async () => {
      const { page, bytes } = await list(`ListObjectsV2 ${bucket} first page`, {});
      const n = Math.min(PAGE, keys);
      expectPage(`ListObjectsV2 ${bucket} first page`, page, { keys: range(0, n), prefixes: [], truncated: keys > PAGE });
      return { bytes, entries: n };
    },
    mid: async () => {
      const after = Math.floor(Math.random() * (keys - 1));
      const { page, bytes } = await list(`ListObjectsV2 ${bucket} start-after ${l.key(after)}`, { 'start-after': l.key(after) });
      const n = Math.min(PAGE, keys - after - 1);
      expectPage(`ListObjectsV2 ${bucket} start-after ${l.key(after)}`, page, { keys: range(after + 1, n), prefixes: [], truncated: after + 1 + n < keys });
      return { bytes, entries: n };
    },
    delim: async () => {
      const { page, bytes } = await list(`ListObjectsV2 ${bucket} delimiter /`, { delimiter: '/' });
      const n = Math.min(PAGE, l.dirs);
      expectPage(`ListObjectsV2 ${bucket} delimiter /`, page, { keys: [], prefixes: Array.from({ length: n }, (_, d) => l.dir(d)), truncated: l.dirs > PAGE });
      return { bytes, entries: n };
    },
  };
}

/** GET and HEAD of sampled keys of `bucket`: body = the key's bytes, ETag = its MD5. */
async function checkSample(s3, agent, bucket, keys, count) {
  const l = bigLayout(keys);
  for (let j = 0; j < count; j++) {
    const key = l.key(j === 0 ? keys - 1 : Math.floor(Math.random() * keys));
    const etag = `"${createHash('md5').update(key).digest('hex')}"`;
    const path = S3Http.objectPath(bucket, key);
    const g = await s3.request({ agent, method: 'GET', path });
    expectStatus(g, 200, `GET ${bucket}/${key}`);
    if (g.body.toString() !== key || g.headers.etag !== etag) throw new MismatchError(`GET ${bucket}/${key}: body ${g.body} ETag ${g.headers.etag}, expected the key and ${etag}`);
    const h = await s3.request({ agent, method: 'HEAD', path });
    expectStatus(h, 200, `HEAD ${bucket}/${key}`);
    if (h.headers['content-length'] !== String(Buffer.byteLength(key)) || h.headers.etag !== etag) throw new MismatchError(`HEAD ${bucket}/${key}: length ${h.headers['content-length']} ETag ${h.headers.etag}`);
  }
}

/** Each side's measured time is split in ROUNDS slices, run alternately (ABBA...), so a box whose other
 * load changes during the run slows both sides alike instead of whichever ran at the worse moment. */
const ROUNDS = 4;

/**
 * The workload. Returns { rows: { name: result row }, aims: [...] }: rows `listbig <size> <page>` for
 * size 1k and the big bucket, page first / mid (start-after a random key) / delim (delimiter `/` at the
 * top level: 1,000 common prefixes); the aim compares each big row with its 1k counterpart (mid with
 * the 1k first page: both are full 1,000-key pages, while a 1k bucket's mid page is a partial one).
 */
export async function listbig(ctx) {
  const o = ctx.opts.big;
  if (!o) throw new Error('listbig needs the bench to start the server in local mode (no --endpoint, --mode local)');
  const store = await ensureBigStore({ dir: o.storeDir, keys: o.keys, accessKey: o.accessKey, log: ctx.log });
  const server = new LocalGateway({ accessKey: o.accessKey, secretKey: o.secretKey, nodeArgs: o.nodeArgs, dataDir: o.storeDir });
  const endpoint = await server.start();
  ctx.log(`  (listbig gateway pid ${server.pid} at ${endpoint} on ${o.storeDir})`);
  const s3 = new S3Http({ endpoint, signer: ctx.s3.signer });
  const conc = ctx.opts.concurrency('listbig');
  const agent = s3.agent(conc);
  const rows = {};
  try {
    await checkSample(s3, agent, BIG_NAME, o.keys, 20);
    await checkSample(s3, agent, SMALL.name, SMALL.keys, 5);
    const small = pageOps(s3, agent, SMALL.name, SMALL.keys);
    const big = pageOps(s3, agent, BIG_NAME, o.keys);
    const bigLabel = human(o.keys);
    for (const kind of ['first', 'mid', 'delim']) {
      const sides = [['1k', small, SMALL.keys], [bigLabel, big, o.keys]].map(([label, ops, keys]) => {
        const side = { label, keys, entries: 0, calls: 0 };
        side.op = async () => {
          const r = await ops[kind]();
          side.entries += r.entries;
          side.calls++;
          return r.bytes;
        };
        return side;
      });
      const results = await interleaved({ sides, rounds: ROUNDS, concurrency: conc, durationMs: ctx.opts.durationS * 1000, warmupMs: ctx.opts.warmupS * 1000, serverPid: server.pid });
      sides.forEach((side, i) => {
        const res = results[i];
        const name = `listbig ${side.label} ${kind}`;
        const perPage = Math.round(side.entries / Math.max(1, side.calls)); // warm-up pages included: a mean
        rows[name] = { ...res, bucketKeys: side.keys, page: kind, entriesPerPage: perPage, note: `${kind === 'delim' ? 'prefixes' : 'keys'}/page ~${perPage} over ${side.keys} keys` };
        ctx.log(`  ${name}: ${res.opsPerSec} pages/s, p50 ${res.p50Ms} ms, p99 ${res.p99Ms} ms, server ${res.serverCpuUsPerOp} µs/page`);
      });
    }
    const aims = ['first', 'mid', 'delim'].map((kind) => {
      const base = rows[`listbig 1k ${kind === 'mid' ? 'first' : kind}`];
      const row = rows[`listbig ${bigLabel} ${kind}`];
      const ratio = Math.round((base.opsPerSec / row.opsPerSec) * 100) / 100;
      const cpuRatio = base.serverCpuUsPerOp && row.serverCpuUsPerOp ? Math.round((row.serverCpuUsPerOp / base.serverCpuUsPerOp) * 100) / 100 : undefined;
      return { label: `LIST ${bigLabel} ${kind} vs 1k${kind === 'mid' ? ' first' : ''}`, workload: `listbig ${bigLabel} ${kind}`, metric: 'slowdown', value: ratio, cpuRatio, target: 2, met: ratio <= 2 };
    });
    return { rows, aims, store: { dir: o.storeDir, keys: o.keys, built: store.built, buildSeconds: store.buildSeconds } };
  } finally {
    agent.destroy();
    await server.stop();
    if (server.stderr.trim()) ctx.log(`listbig gateway stderr (tail):\n${server.stderr.slice(-2000)}`);
  }
}
