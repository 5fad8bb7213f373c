#!/usr/bin/env node
// Summarises a V8 .cpuprofile of the gateway (node --cpu-prof): self and inclusive time per function,
// mapped through the bundle's source map back to apps/ and libs/ sources, plus a breakdown by origin
// (our code, each npm package, node internals, GC, idle).
//
//   node tools/bench/profile-summary.mjs <file.cpuprofile> [--top N]
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, relative, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
const B64 = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));

/** Decodes a v3 source map into per-generated-line segment arrays [genCol, src, line, col]. */
function loadSourceMap(jsPath) {
  const mapPath = `${jsPath}.map`;
  if (!existsSync(mapPath)) return undefined;
  const map = JSON.parse(readFileSync(mapPath, 'utf8'));
  const base = dirname(mapPath);
  const sources = map.sources.map((s) => relative(REPO, resolve(base, map.sourceRoot ?? '', s)));
  const lines = [];
  let src = 0;
  let line = 0;
  let col = 0;
  for (const text of map.mappings.split(';')) {
    const segs = [];
    let gen = 0;
    for (const seg of text.split(',')) {
      if (!seg) continue;
      const v = [];
      let shift = 0;
      let value = 0;
      for (const ch of seg) {
        const d = B64.get(ch);
        value += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          v.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      gen += v[0];
      if (v.length >= 4) {
        src += v[1];
        line += v[2];
        col += v[3];
        segs.push([gen, src, line, col]);
      }
    }
    lines.push(segs);
  }
  return {
    lookup(genLine, genCol) {
      const segs = lines[genLine];
      if (!segs || segs.length === 0) return undefined;
      let lo = 0;
      let hi = segs.length - 1;
      let best = segs[0];
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (segs[mid][0] <= genCol) {
          best = segs[mid];
          lo = mid + 1;
        } else hi = mid - 1;
      }
      return { source: sources[best[1]], line: best[2] + 1 };
    },
  };
}

function origin(url, source) {
  const file = source ?? url;
  if (!file) return 'native';
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + 13).split('/');
    return `npm:${rest[0].startsWith('@') ? rest[0] + '/' + rest[1] : rest[0]}`;
  }
  if (file.startsWith('node:') || !file.includes('/')) return 'node';
  if (/(^|\/)(libs|apps)\//.test(file)) return 'ours';
  return 'other';
}

export function summarizeProfile(file, { top = 25 } = {}) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const maps = new Map();
  const mapFor = (url) => {
    if (!url.startsWith('file://') && !url.startsWith('/')) return undefined;
    if (!maps.has(url)) maps.set(url, loadSourceMap(url.startsWith('file://') ? fileURLToPath(url) : url));
    return maps.get(url);
  };
  const byId = new Map();
  for (const n of prof.nodes) byId.set(n.id, n);
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = new Map();
  const fn = new Map();
  for (const n of prof.nodes) {
    const cf = n.callFrame;
    let where;
    let org;
    const special = /^\((idle|program|garbage collector|root)\)$/.exec(cf.functionName);
    if (special) {
      where = cf.functionName;
      org = special[1] === 'garbage collector' ? 'gc' : special[1] === 'root' ? 'root' : special[1];
    } else {
      const sm = cf.url ? mapFor(cf.url) : undefined;
      const pos = sm?.lookup(cf.lineNumber, cf.columnNumber);
      const path = pos ? pos.source : cf.url.replace(/^file:\/\//, '').replace(REPO + '/', '');
      const line = pos ? pos.line : cf.lineNumber + 1;
      org = origin(cf.url, pos?.source);
      where = `${path || '(native)'}:${line} ${cf.functionName || '(anonymous)'}`;
    }
    keyOf.set(n.id, where);
    if (!fn.has(where)) fn.set(where, { where, origin: org, selfMs: 0, totalMs: 0 });
  }
  const byOrigin = new Map();
  let totalMs = 0;
  let idleMs = 0;
  const { samples, timeDeltas } = prof;
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0) / 1000;
    if (dt <= 0) continue;
    const id = samples[i];
    const f = fn.get(keyOf.get(id));
    totalMs += dt;
    if (f.origin === 'idle') idleMs += dt;
    f.selfMs += dt;
    byOrigin.set(f.origin, (byOrigin.get(f.origin) ?? 0) + dt);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const k = keyOf.get(at);
      if (seen.has(k)) continue;
      seen.add(k);
      fn.get(k).totalMs += dt;
    }
  }
  const busyMs = totalMs - idleMs;
  const pct = (ms) => Math.round((ms / busyMs) * 1000) / 10;
  const row = (f) => ({ where: f.where, origin: f.origin, selfMs: Math.round(f.selfMs), selfPct: pct(f.selfMs), totalPct: pct(f.totalMs) });
  const all = [...fn.values()].filter((f) => f.origin !== 'idle' && f.origin !== 'root');
  return {
    file,
    totalMs: Math.round(totalMs),
    busyMs: Math.round(busyMs),
    byOrigin: [...byOrigin.entries()].sort((a, b) => b[1] - a[1]).map(([o, ms]) => ({ origin: o, ms: Math.round(ms), pct: o === 'idle' ? null : pct(ms) })),
    topSelf: all.sort((a, b) => b.selfMs - a.selfMs).slice(0, top).map(row),
    ours: all.filter((f) => f.origin === 'ours').sort((a, b) => b.selfMs - a.selfMs).slice(0, top).map(row),
    oursInclusive: all.filter((f) => f.origin === 'ours').sort((a, b) => b.totalMs - a.totalMs).slice(0, top).map(row),
  };
}

export function formatProfileSummary(s) {
  const out = [];
  out.push(`  main thread: ${s.totalMs} ms sampled, ${s.busyMs} ms busy (percentages below are of busy time)`);
  out.push('  by origin: ' + s.byOrigin.map((o) => `${o.origin} ${o.pct ?? '-'}%${o.pct === null ? ` (${o.ms} ms)` : ''}`).join(', '));
  const table = (title, rows) => {
    out.push(`  ${title}`);
    out.push(`    ${'self%'.padStart(6)} ${'total%'.padStart(6)}  function`);
    for (const r of rows) out.push(`    ${r.selfPct.toFixed(1).padStart(6)} ${r.totalPct.toFixed(1).padStart(6)}  ${r.where}${r.origin === 'ours' ? '' : `  [${r.origin}]`}`);
  };
  table('hottest functions overall (self time):', s.topSelf);
  table('our code (apps/, libs/) by self time:', s.ours);
  table('our code by inclusive time:', s.oursInclusive);
  return out.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node tools/bench/profile-summary.mjs <file.cpuprofile> [--top N] [--json]\n');
    process.exit(2);
  }
  const t = process.argv.indexOf('--top');
  const s = summarizeProfile(file, { top: t > 0 ? Number(process.argv[t + 1]) : 25 });
  process.stdout.write((process.argv.includes('--json') ? JSON.stringify(s, null, 2) : formatProfileSummary(s)) + '\n');
}
