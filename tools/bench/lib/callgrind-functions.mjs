// Exclusive instructions per function from a callgrind dump, the JIT's functions named through V8's
// perf map (`node --perf-basic-prof` writes /tmp/perf-<pid>.map): callgrind sees JIT code only as
// addresses. Used by `callgrind.mjs --functions N`.
import { readFileSync } from 'node:fs';

/** [{ start, end, name }] sorted by start, from a perf map's `<hex start> <hex size> <name>` lines. */
export function readPerfMap(path) {
  const entries = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m) entries.push({ start: parseInt(m[1], 16), end: parseInt(m[1], 16) + parseInt(m[2], 16), name: m[3] });
  }
  return entries.sort((a, b) => a.start - b.start);
}

function nameAt(entries, addr) {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid].start <= addr) lo = mid + 1;
    else hi = mid - 1;
  }
  const e = entries[hi];
  return e !== undefined && addr < e.end ? e.name : undefined;
}

/**
 * Exclusive cost (the first event, Ir) per function of a callgrind dump, largest first. Cost lines after
 * a `calls=` line are the call's inclusive cost, charged to the callee, and skipped here.
 */
export function exclusiveByFunction(dumpText, perfMap = []) {
  const names = new Map();
  const cost = new Map();
  let current = '?';
  let skipNext = false;
  const define = (spec) => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(spec);
    if (!m) return spec;
    if (m[2] !== undefined) names.set(m[1], m[2]);
    return names.get(m[1]) ?? '?';
  };
  for (const line of dumpText.split('\n')) {
    if (line.startsWith('fn=')) {
      current = define(line.slice(3));
    } else if (line.startsWith('cfn=')) {
      define(line.slice(4));
    } else if (line.startsWith('calls=')) {
      skipNext = true;
    } else if (/^[0-9+*-]/.test(line)) {
      if (skipNext) {
        skipNext = false;
        continue;
      }
      const n = Number(line.split(' ')[1]);
      if (Number.isFinite(n)) cost.set(current, (cost.get(current) ?? 0) + n);
    }
  }
  const named = new Map();
  for (const [name, n] of cost) {
    const hex = /^0x([0-9a-f]+)$/.exec(name);
    const label = (hex && nameAt(perfMap, parseInt(hex[1], 16))) ?? name;
    named.set(label, (named.get(label) ?? 0) + n);
  }
  return [...named].map(([name, instructions]) => ({ name, instructions })).sort((a, b) => b.instructions - a.instructions);
}
