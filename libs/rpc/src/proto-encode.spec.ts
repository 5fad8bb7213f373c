import { isAbsolute, join } from 'node:path';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { Enum, parse, Root, Type, type Field } from 'protobufjs';
import { compileEncoder } from './proto-encode';
import { BLOB_SERVICE, findProtoDir, loadProtos, METADATA_SERVICE, PROTO_FILES, PROTO_LOADER_OPTIONS } from './proto';

const protoDir = findProtoDir();
const root = new Root();
root.resolvePath = (_o, target) => (isAbsolute(target) ? target : join(protoDir, target));
root.loadSync([...PROTO_FILES], { keepCase: false });
root.resolveAll();

/** proto-loader's own serializers, for comparison (loadSync directly: loadProtos installs ours). */
const original = loadSync([...PROTO_FILES], { ...PROTO_LOADER_OPTIONS, includeDirs: [protoDir] });

function allTypes(ns: { nestedArray: unknown[] }, out: Type[] = []): Type[] {
  for (const n of ns.nestedArray) {
    if (n instanceof Type) out.push(n);
    if ((n as { nestedArray?: unknown[] }).nestedArray) allTypes(n as { nestedArray: unknown[] }, out);
  }
  return out;
}

/** An encoder for any type through proto-loader (a method's serializer when one exists, else protobufjs directly as proto-loader does). */
function reference(t: Type): (v: unknown) => Buffer {
  return (v) => Buffer.from(t.encode(t.fromObject(v as Record<string, unknown>)).finish());
}

/** A deterministic PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = ['', 'a', 'bucket-1', 'ключ', 'ü with spaces', '日本語のキー', '😀 emoji', 'nul\u0000inside', 'x'.repeat(39), 'y'.repeat(40), 'é'.repeat(200), 'k'.repeat(1500)];

function gen(t: Type, r: () => number, depth: number): Record<string, unknown> {
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

const types = allTypes(root).filter((t) => t.fullName.startsWith('.massive.'));

describe('proto-encode', () => {
  it('compiles an encoder for every message type of our protos', () => {
    expect(types.length).toBeGreaterThan(50);
    for (const t of types) expect([t.fullName, typeof compileEncoder(t)]).toEqual([t.fullName, 'function']);
  });

  it.each(types.map((t) => [t.fullName, t] as const))('%s: the same bytes as proto-loader for 300 random values', (_n, t) => {
    const enc = compileEncoder(t)!;
    const ref = reference(t);
    const r = rng(t.fullName.length * 7919 + t.fieldsArray.length);
    for (let i = 0; i < 300; i++) {
      const v = gen(t, r, 0);
      const ours = enc(v);
      const theirs = ref(v);
      if (!ours.equals(theirs)) throw new Error(`${t.fullName} #${i}: ${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))}\n ours   ${ours.toString('hex')}\n theirs ${theirs.toString('hex')}`);
    }
  });

  it('matches proto-loader on every method of both services, and loadProtos installs it', () => {
    const ours = loadProtos();
    for (const [svc, def] of [
      [METADATA_SERVICE, ours.metadata],
      [BLOB_SERVICE, ours.blob],
    ] as const) {
      const theirs = original[svc] as unknown as Record<string, MethodDefinition<unknown, unknown>>;
      for (const [name, m] of Object.entries(def as unknown as Record<string, MethodDefinition<unknown, unknown>>)) {
        expect(m.requestSerialize).not.toBe(theirs[name].requestSerialize);
        expect(m.responseSerialize).not.toBe(theirs[name].responseSerialize);
      }
    }
    const get = ours.metadata.GetObject;
    const version = {
      bucket: 'b',
      key: 'k/ü',
      versionId: 'v1',
      size: 4096,
      etag: '"abc"',
      lastModified: 1733400000000,
      headers: { contentType: 'text/plain', userMetadata: { a: '1', ü: 'ß' }, tags: [{ key: 't', value: 'v' }] },
      hasParts: false,
      parts: [],
      data: { inline: Buffer.alloc(4096, 7) },
      s3VersionId: 'null',
    };
    const bytes = get.responseSerialize(version);
    expect(bytes.equals((original[METADATA_SERVICE] as unknown as Record<string, MethodDefinition<unknown, unknown>>)['GetObject'].responseSerialize(version))).toBe(true);
    const back = get.responseDeserialize(bytes) as unknown as Record<string, unknown>;
    expect(back).toMatchObject({ key: 'k/ü', size: 4096, lastModified: 1733400000000, data: { inline: Buffer.alloc(4096, 7) }, s3VersionId: 'null' });
    expect((back['headers'] as Record<string, unknown>)['userMetadata']).toEqual({ a: '1', ü: 'ß' });
  });

  it('refuses what fromObject refuses', () => {
    const t = root.lookupType('massive.metadata.v1.ObjectVersion');
    const enc = compileEncoder(t)!;
    expect(() => enc({ headers: 'not an object' })).toThrow(TypeError);
    expect(() => enc({ parts: 'not an array' })).toThrow(TypeError);
    expect(() => enc({ parts: [1] })).toThrow(TypeError);
    expect(() => enc('a string')).toThrow(TypeError);
  });

  it('writes 64-bit values past 2^53 exactly (as bigints and decimal strings)', () => {
    const t = root.lookupType('massive.metadata.v1.ObjectVersion');
    const enc = compileEncoder(t)!;
    for (const size of ['18446744073709551615', 2n ** 63n + 5n, '9007199254740993']) {
      expect(enc({ size }).equals(reference(t)({ size }))).toBe(true);
    }
  });

  it('covers what our protos do not use yet: repeated enums, maps of messages, fixed and float types', () => {
    const synthetic = parse(
      `syntax = "proto3";
       package t;
       enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }
       message Inner { string name = 1; repeated int32 values = 2; }
       message Outer {
         repeated Color colors = 1;
         map<string, Inner> inners = 2;
         fixed32 f32 = 3; sfixed32 sf32 = 4; fixed64 f64 = 5; sfixed64 sf64 = 6;
         double d = 7; float f = 8; sint32 s32 = 9; int64 i64 = 10;
         repeated uint64 sizes = 11;
         repeated string names = 12;
         oneof choice { Inner inner = 13; string label = 14; }
       }`,
      { keepCase: false },
    ).root;
    synthetic.resolveAll();
    const t = synthetic.lookupType('t.Outer');
    const enc = compileEncoder(t)!;
    const cases: Record<string, unknown>[] = [
      { colors: ['RED', 'NOPE', 2, 9] },
      { inners: { a: { name: 'x', values: [1, -1, 300] }, b: {} } },
      { f32: 4294967295, sf32: -5, f64: '18446744073709551615', sf64: -3, d: 1.5, f: -0.25, s32: -7, i64: -1 },
      { sizes: [0, 2 ** 40, '12345678901234567890'], names: ['', 'ü'] },
      { inner: { name: 'both' }, label: 'set' },
      { choice: 'label', label: '' },
    ];
    for (const c of cases) expect([c, enc(c).toString('hex')]).toEqual([c, reference(t)(c).toString('hex')]);
  });

  it('takes a recursion limit rather than the stack', () => {
    const r = parse('syntax = "proto3"; message Node { Node next = 1; }').root;
    r.resolveAll();
    const enc = compileEncoder(r.lookupType('Node'))!;
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) deep = { next: deep };
    expect(() => enc(deep)).toThrow(/max depth/);
    let ok: Record<string, unknown> = {};
    for (let i = 0; i < 20; i++) ok = { next: ok };
    expect(enc(ok).equals(reference(r.lookupType('Node'))(ok))).toBe(true);
  });
});
