import { Enum, Type, type Field, type Root } from 'protobufjs';

/** Random plain objects of any message type, as callers hand them to proto-loader (for the codec specs). */

/** A deterministic PRNG (mulberry32) so a failure reproduces. */
export { prng as rng } from '@massive/contracts/testing';

const STRINGS = ['', 'a', 'bucket-1', 'ключ', 'ü with spaces', '日本語のキー', '😀 emoji', 'nul\u0000inside', 'x'.repeat(39), 'y'.repeat(40), 'é'.repeat(200), 'k'.repeat(1500)];

export function gen(t: Type, r: () => number, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of t.fieldsArray) {
    const roll = r();
    if (roll < 0.2) continue; // absent
    if (roll < 0.25) {
      o[f.name] = r() < 0.5 ? null : undefined;
      continue;
    }
    if (f.map) {
      const m: Record<string, unknown> = {};
      const n = Math.floor(r() * 4);
      for (let i = 0; i < n; i++) m[pick(STRINGS, r) + i] = value(f, r, depth);
      o[f.name] = m;
    } else if (f.repeated) {
      const n = Math.floor(r() * 4);
      o[f.name] = Array.from({ length: n }, () => value(f, r, depth));
    } else {
      o[f.name] = value(f, r, depth);
    }
  }
  return o;
}

function pick<T>(a: readonly T[], r: () => number): T {
  return a[Math.floor(r() * a.length)];
}

function value(f: Field, r: () => number, depth: number): unknown {
  const rt = f.resolvedType;
  if (rt instanceof Enum) {
    const names = Object.keys(rt.values);
    const x = r();
    if (x < 0.6) return pick(names, r);
    if (x < 0.9) return rt.values[pick(names, r)];
    return r() < 0.5 ? 'NOT_A_VALUE' : 7; // unknown name (left out / 0 in arrays), unknown number (kept)
  }
  if (rt instanceof Type) return depth > 3 ? {} : gen(rt, r, depth + 1);
  switch (f.type) {
    case 'string':
      return pick(STRINGS, r);
    case 'bool':
      return r() < 0.5;
    case 'bytes': {
      const b = Buffer.alloc(Math.floor(r() * 300), Math.floor(r() * 256));
      return r() < 0.8 ? b : b.toString('base64');
    }
    case 'int32':
      return pick([0, 1, -1, 127, 128, 2 ** 31 - 1, -(2 ** 31), 300, -300], r);
    case 'uint32':
      return pick([0, 1, 127, 128, 16383, 16384, 2 ** 32 - 1, 2 ** 31], r);
    case 'uint64':
    case 'int64': {
      const n = pick([0, 1, 127, 128, 2 ** 28, 2 ** 35 + 3, 1733400000000, Number.MAX_SAFE_INTEGER], r);
      const x = r();
      return x < 0.7 ? n : x < 0.85 ? String(n) : BigInt(n);
    }
    default:
      throw new Error(`no generator for ${f.type} (${f.fullName})`);
  }
}


/** Every message type of our protos (package massive.*) in `root`. */
export function ourMessageTypes(root: Root): Type[] {
  const out: Type[] = [];
  const walk = (ns: { nestedArray: unknown[] }) => {
    for (const n of ns.nestedArray) {
      if (n instanceof Type) out.push(n);
      if ((n as { nestedArray?: unknown[] }).nestedArray) walk(n as { nestedArray: unknown[] });
    }
  };
  walk(root);
  return out.filter((t) => t.fullName.startsWith('.massive.'));
}
