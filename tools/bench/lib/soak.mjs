// `soak` (opt-in: `npm run bench -- --only soak --soak-minutes 30`): a long mixed workload against an
// exact model of the bucket, watching the server for leaks. 16 workers pick a key out of 2,000 and an
// operation: PUT (empty to 3 MiB), GET (whole or a range), HEAD, DELETE, a two-part multipart upload,
// or a LIST of a ten-key group. Operations on one key, and a LIST with its group's keys, never overlap,
// so every answer is checked against what the model says must be there: bytes, ETag, length, 404s and
// listings exactly. At the end every key is read back and the whole listing compared. Meanwhile the
// server's anonymous memory and open descriptors are sampled; a leak fails the run (LeakError), as does
// any wrong answer (MismatchError) or failed request.
import { readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { expectStatus, MismatchError, parseListPage, S3Http, unquote } from './client.mjs';
import { loop, MiB, round, startMeter, summarize } from './load.mjs';
import { Pattern } from './pattern.mjs';
import { isProcessMap, procMem } from './server.mjs';
import { UNSIGNED_PAYLOAD } from './sigv4.mjs';

const KEYS = 2000;
const GROUP = 10; // keys per LIST group: soak/g0001/k0..k9
const WORKERS = 16;
const PART = 5 * MiB;
const SIZES = [0, 1, 4096, 65_537, 1 * MiB, 3 * MiB + 17];
const SAMPLE_MS = 5000;
/** Anonymous memory may grow this much (and by this factor) from the middle third to the last before it is a leak. */
const LEAK_MIB = 96;
const LEAK_FACTOR = 1.5;
/** Descriptors the server may hold at the end (idle) beyond its idle count a third of the way in. */
const LEAK_FDS = 128;
/** The pause before the last sample. */
const IDLE_MS = 16_000;

export class LeakError extends MismatchError {}

const md5hex = (b) => createHash('md5').update(b).digest('hex');
const keyName = (i) => `soak/g${String(Math.floor(i / GROUP)).padStart(4, '0')}/k${i % GROUP}`;

/** The server's processes as [name, pid]: distributed mode's services by name, a single process unnamed. */
const processesOf = (serverPid) =>
  isProcessMap(serverPid) ? Object.entries(serverPid) : (Array.isArray(serverPid) ? serverPid : serverPid ? [serverPid] : []).map((pid) => [undefined, pid]);

/**
 * The server's anonymous memory and descriptors, summed; in distributed mode also each service's memory
 * (`byService`), so a leak in one service is neither diluted by the others' sum nor hidden by one that
 * shrinks meanwhile.
 */
function sample(serverPid) {
  let anonKiB = 0;
  let fds = 0;
  const byService = {};
  for (const [name, pid] of processesOf(serverPid)) {
    const kib = procMem(pid)?.anonKiB ?? 0;
    anonKiB += kib;
    if (name !== undefined) byService[name] = round(kib / 1024, 1);
    try {
      fds += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // gone, or another user's: counted as none
    }
  }
  return { anonMiB: round(anonKiB / 1024, 1), fds, ...(isProcessMap(serverPid) && { byService }) };
}

export async function soak(ctx) {
  const { s3, opts, log } = ctx;
  const bucket = `${opts.bucketPrefix}-soak`;
  const pattern = new Pattern(64 * 1024);
  const model = new Array(KEYS).fill(undefined); // { offset, size, etag } or undefined (absent)
  const locks = new Array(KEYS).fill(Promise.resolve());
  const agent = s3.agent(WORKERS);
  const counts = {};
  const bodyOf = (offset, size) => Buffer.concat([...pattern.slices(offset, offset + size)], size);
  const count = (op) => (counts[op] = (counts[op] ?? 0) + 1);

  /** Runs `fn` holding the locks of `keys` (taken in order, so two holders never wait on each other). */
  const withKeys = async (keys, fn) => {
    const held = [];
    for (const i of keys) {
      const prev = locks[i];
      let release;
      locks[i] = new Promise((r) => (release = r));
      await prev;
      held.push(release);
    }
    try {
      return await fn();
    } finally {
      for (const r of held) r();
    }
  };

  const put = async (i) => {
    const size = SIZES[Math.floor(Math.random() * SIZES.length)];
    const offset = Math.floor(Math.random() * 4096) * 4096;
    const body = bodyOf(offset, size);
    const r = await s3.request({ agent, method: 'PUT', path: S3Http.objectPath(bucket, keyName(i)), body, payloadHash: size <= opts.signPayloadMax ? createHash('sha256').update(body).digest('hex') : UNSIGNED_PAYLOAD });
    expectStatus(r, 200, `PUT ${keyName(i)}`);
    const etag = md5hex(body);
    if (unquote(r.headers.etag) !== etag) throw new MismatchError(`PUT ${keyName(i)}: ETag ${r.headers.etag}, expected "${etag}"`);
    model[i] = { offset, size, etag };
    return size;
  };

  const multipart = async (i) => {
    const size = PART + Math.floor(Math.random() * MiB);
    const offset = Math.floor(Math.random() * 4096) * 4096;
    const key = keyName(i);
    const id = await s3.createMultipart(agent, bucket, key);
    const parts = [];
    for (const [n, [start, end]] of [[0, PART], [PART, size]].entries()) {
      const body = bodyOf(offset + start, end - start);
      const r = await s3.request({ agent, method: 'PUT', path: S3Http.objectPath(bucket, key), query: `partNumber=${n + 1}&uploadId=${encodeURIComponent(id)}`, body, payloadHash: UNSIGNED_PAYLOAD });
      expectStatus(r, 200, `UploadPart ${key} #${n + 1}`);
      parts.push({ partNumber: n + 1, etag: md5hex(body) });
    }
    const etag = await s3.completeMultipart(agent, bucket, key, id, parts, (xml) => createHash('sha256').update(xml).digest('hex'));
    const expected = `${md5hex(Buffer.from(parts.map((p) => p.etag).join(''), 'hex'))}-2`;
    if (etag !== expected) throw new MismatchError(`CompleteMultipartUpload ${key}: ETag ${etag}, expected ${expected}`);
    model[i] = { offset, size, etag };
    return size;
  };

  const get = async (i) => {
    const m = model[i];
    const key = keyName(i);
    const ranged = m !== undefined && m.size > 1 && Math.random() < 0.5;
    const from = ranged ? Math.floor(Math.random() * m.size) : 0;
    const to = ranged ? Math.min(m.size - 1, from + Math.floor(Math.random() * 2 * MiB)) : 0;
    const r = await s3.request({ agent, method: 'GET', path: S3Http.objectPath(bucket, key), headers: ranged ? { range: `bytes=${from}-${to}` } : undefined });
    if (m === undefined) {
      expectStatus(r, 404, `GET ${key} (absent)`);
      if (!/NoSuchKey/.test(r.body.toString())) throw new MismatchError(`GET ${key} (absent): ${r.body.toString().slice(0, 200)}`);
      return 0;
    }
    expectStatus(r, ranged ? 206 : 200, `GET ${key}`);
    const want = ranged ? to - from + 1 : m.size;
    if (r.body.length !== want || !pattern.matches(m.offset + from, r.body)) throw new MismatchError(`GET ${key}${ranged ? ` bytes=${from}-${to}` : ''}: ${r.body.length} bytes${r.body.length === want ? ' that differ from' : ', not'} the ${want} written`);
    if (unquote(r.headers.etag) !== m.etag) throw new MismatchError(`GET ${key}: ETag ${r.headers.etag}, expected "${m.etag}"`);
    return r.body.length;
  };

  const head = async (i) => {
    const m = model[i];
    const r = await s3.request({ agent, method: 'HEAD', path: S3Http.objectPath(bucket, keyName(i)) });
    expectStatus(r, m === undefined ? 404 : 200, `HEAD ${keyName(i)}`);
    if (m && (unquote(r.headers.etag) !== m.etag || r.headers['content-length'] !== String(m.size))) {
      throw new MismatchError(`HEAD ${keyName(i)}: ETag ${r.headers.etag} length ${r.headers['content-length']}, expected "${m.etag}" ${m.size}`);
    }
    return 0;
  };

  const del = async (i) => {
    const r = await s3.request({ agent, method: 'DELETE', path: S3Http.objectPath(bucket, keyName(i)) });
    expectStatus(r, 204, `DELETE ${keyName(i)}`);
    model[i] = undefined;
    return 0;
  };

  /** Every key under `prefix`, all pages. */
  const listAll = async (prefix, maxKeys = 1000) => {
    const keys = [];
    let token;
    for (;;) {
      const r = await s3.listV2(agent, bucket, { prefix, 'max-keys': maxKeys, ...(token && { 'continuation-token': token }) });
      expectStatus(r, 200, `LIST ${prefix}`);
      const page = parseListPage(r.body.toString());
      keys.push(...page.keys);
      if (!page.truncated) return keys;
      if (!page.nextToken) throw new MismatchError(`LIST ${prefix}: truncated without NextContinuationToken`);
      token = page.nextToken;
    }
  };

  const list = async (g) => {
    const keys = await listAll(`soak/g${String(g).padStart(4, '0')}/`, 4);
    const want = [];
    for (let i = g * GROUP; i < (g + 1) * GROUP; i++) if (model[i]) want.push(keyName(i));
    if (keys.join(',') !== want.sort().join(',')) throw new MismatchError(`LIST group ${g}: [${keys}], expected [${want}]`);
    return 0;
  };

  // Every kind of operation runs at least once, first (a short soak would otherwise leave out a rare one).
  const first = [0.99, 0.0, 0.9, 0.5, 0.3, 0.6]; // multipart, list, delete, head, get, put
  const op = async () => {
    const p = first.shift() ?? Math.random();
    if (p < 0.08) {
      const g = Math.floor(Math.random() * (KEYS / GROUP));
      count('list');
      return withKeys(Array.from({ length: GROUP }, (_, k) => g * GROUP + k), () => list(g));
    }
    const i = Math.floor(Math.random() * KEYS);
    const [name, fn] = p < 0.45 ? ['get', get] : p < 0.55 ? ['head', head] : p < 0.85 ? ['put', put] : p < 0.97 ? ['delete', del] : ['multipart', multipart];
    count(name);
    return withKeys([i], () => fn(i));
  };

  const minutes = opts.soakMinutes;
  log(`  (soak: ${minutes} min, ${WORKERS} workers over ${KEYS} keys; memory and descriptors every ${SAMPLE_MS / 1000} s)`);
  await s3.createBucket(agent, bucket);
  const samples = [];
  const t0 = performance.now();
  const take = () => samples.push({ ...sample(ctx.serverPid), atS: round((performance.now() - t0) / 1000, 0) });
  take();
  const timer = setInterval(take, SAMPLE_MS);
  const meter = startMeter(ctx.serverPid);
  // A third of the time, an idle pause (the baseline: by then every fan directory and cache the server
  // keeps is open), the rest, the final check and another idle pause: what the server holds at the
  // end must not exceed what it held at the baseline.
  const idle = () => new Promise((r) => setTimeout(r, IDLE_MS));
  let st;
  let baseline;
  try {
    st = await loop({ concurrency: WORKERS, durationMs: (minutes * 60_000) / 3, op, record: true, maxErrors: 10 });
    if (st.fatal) throw st.fatal;
    await idle();
    take();
    baseline = samples.at(-1);
    const rest = await loop({ concurrency: WORKERS, durationMs: (minutes * 60_000 * 2) / 3, op, record: true, maxErrors: 10 - st.errors });
    st = merge(st, rest);
  } finally {
    clearInterval(timer);
  }
  const used = meter.stop();
  if (st.fatal) throw st.fatal;

  // The whole bucket against the model: the listing exactly, and every object read back whole.
  const listed = await listAll('soak/');
  const present = model.flatMap((m, i) => (m ? [keyName(i)] : [])).sort();
  if (listed.join('\n') !== present.join('\n')) throw new MismatchError(`final LIST: ${listed.length} keys, the model has ${present.length}`);
  let next = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      for (let i = next++; i < KEYS; i = next++) {
        if (!model[i]) continue;
        const r = await s3.request({ agent, method: 'GET', path: S3Http.objectPath(bucket, keyName(i)) });
        expectStatus(r, 200, `final GET ${keyName(i)}`);
        if (r.body.length !== model[i].size || !pattern.matches(model[i].offset, r.body)) throw new MismatchError(`final GET ${keyName(i)}: not the bytes written`);
      }
    }),
  );
  // Idle, then the last sample: what the server still holds with nothing in flight (chunk files kept
  // open for reads close after 10 s idle, swept every 5 s: blob-core's HandleCache).
  agent.destroy();
  await idle();
  take();

  const row = { ...summarize(st, WORKERS, used), ops: st.ops, counts, objects: present.length, samples, baselineAtS: baseline.atS };
  const leak = leakIn(samples, baseline);
  row.anonMiB = { first: samples[0].anonMiB, peak: Math.max(...samples.map((s) => s.anonMiB)), last: samples.at(-1).anonMiB };
  row.fds = { first: samples[0].fds, peak: Math.max(...samples.map((s) => s.fds)), last: samples.at(-1).fds };
  const services = Object.keys(samples[0].byService ?? {});
  const range = (of) => `${of(samples[0])} → peak ${Math.max(...samples.map(of))} → ${of(samples.at(-1))}`;
  const byService = services.length ? ` (${services.map((n) => `${n} ${range((s) => s.byService[n])}`).join(', ')})` : '';
  row.note = `${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')}; ${present.length} objects verified at the end; anon MiB ${row.anonMiB.first} → peak ${row.anonMiB.peak} → ${row.anonMiB.last}${byService}; fds when idle ${baseline.fds} (after a third) → ${row.fds.last} (end)`;
  const each = (s) => (s.byService ? ` [${Object.entries(s.byService).map(([n, m]) => `${n} ${m}`).join(', ')}]` : '');
  if (leak) throw new LeakError(`${leak} (samples: ${samples.map((s) => `${s.atS}s ${s.anonMiB} MiB${each(s)} ${s.fds} fds`).join(', ')})`);
  return row;
}

/**
 * A description of the leak the samples show, or undefined. Memory: the peak of the last third of the
 * samples against the middle third's (the first third is the server warming up: V8's heap, malloc's
 * arenas, caches filling), for the sum and, in distributed mode, for each service on its own.
 * Descriptors: the idle count at the end against the idle `baseline` taken a third of the way in (the
 * server keeps some open by design: blob-core's 256 fan directories for their fsyncs, chunk files for
 * reads until 10 s idle).
 */
export function leakIn(samples, baseline) {
  const run = samples.slice(0, -1); // the last one is after the final idle pause
  if (run.length >= 6) {
    const third = Math.floor(run.length / 3);
    const grew = (of, what) => {
      const middle = Math.max(...run.slice(third, 2 * third).map(of));
      const last = Math.max(...run.slice(2 * third).map(of));
      return last > middle * LEAK_FACTOR && last - middle > LEAK_MIB ? `${what} grew from ${middle} MiB (middle third) to ${last} MiB (last third)` : undefined;
    };
    const leak = grew((s) => s.anonMiB, 'anonymous memory');
    if (leak) return leak;
    for (const name of Object.keys(run[0].byService ?? {})) {
      const own = grew((s) => s.byService?.[name] ?? 0, `the ${name}'s anonymous memory`);
      if (own) return own;
    }
  }
  const end = samples.at(-1)?.fds;
  if (baseline !== undefined && end !== undefined && end > baseline.fds + LEAK_FDS) return `open descriptors grew from ${baseline.fds} to ${end}, idle both times`;
  return undefined;
}

/** Two closed-loop runs' figures as one. */
function merge(a, b) {
  for (let i = 0; i < b.lat.n; i++) a.lat.push(b.lat.a[i]);
  return {
    ...a,
    ops: a.ops + b.ops,
    done: a.done + b.done,
    bytes: a.bytes + b.bytes,
    errors: a.errors + b.errors,
    errorSamples: [...a.errorSamples, ...b.errorSamples].slice(0, 5),
    fatal: a.fatal ?? b.fatal,
    elapsedMs: a.elapsedMs + b.elapsedMs,
  };
}
