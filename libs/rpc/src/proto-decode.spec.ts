import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { parse, Service, Type } from 'protobufjs';
import { compileDecoder } from './proto-decode';
import { compileEncoder } from './proto-encode';
import { loadProtoRoot } from './proto-types';
import { BLOB_SERVICE, findProtoDir, loadProtos, METADATA_SERVICE, PROTO_FILES, PROTO_LOADER_OPTIONS } from './proto';
import { gen, ourMessageTypes, rng } from './testing/proto-values';

const protoDir = findProtoDir();
const root = loadProtoRoot(protoDir, PROTO_FILES);

const original = loadSync([...PROTO_FILES], { ...PROTO_LOADER_OPTIONS, includeDirs: [protoDir] });

/** proto-loader's deserialize for any type: decode, then toObject with its options. */
function reference(t: Type): (b: Buffer) => unknown {
  const opts = { longs: Number, enums: String, defaults: true, oneofs: true };
  return (b) => t.toObject(t.decode(b), opts);
}

/** Equal values with keys in the same order (toStrictEqual ignores order; callers may serialize these). */
function sameShape(a: unknown, b: unknown, path = '$'): void {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) {
    expect([path, Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b)]).toEqual([path, true]);
    return;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    expect([path, Array.isArray(a) && Array.isArray(b) && a.length === (b as unknown[]).length]).toEqual([path, true]);
    (a as unknown[]).forEach((x, i) => sameShape(x, (b as unknown[])[i], `${path}[${i}]`));
    return;
  }
  if (a !== null && typeof a === 'object') {
    expect([path, b !== null && typeof b === 'object' ? Object.keys(b) : b]).toEqual([path, Object.keys(a)]);
    for (const k of Object.keys(a)) sameShape((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  expect([path, a]).toEqual([path, b]);
}

const types = ourMessageTypes(root);

describe('proto-decode', () => {
  it('compiles a decoder for every message type of our protos', () => {
    expect(types.length).toBeGreaterThan(50);
    for (const t of types) expect([t.fullName, typeof compileDecoder(t)]).toEqual([t.fullName, 'function']);
  });

  it.each(types.map((t) => [t.fullName, t] as const))('%s: the same object as proto-loader, keys in the same order, for 300 random values', (_n, t) => {
    const enc = compileEncoder(t)!;
    const dec = compileDecoder(t)!;
    const ref = reference(t);
    const r = rng(t.fullName.length * 104729 + 3);
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(enc(gen(t, r, 0)));
      sameShape(dec(bytes), ref(bytes));
    }
  });

  it('decodes what other encoders may send: packed and unpacked repeated, fields out of order, repeats, unknown fields', () => {
    const t = parse(
      `syntax = "proto3"; package t;
       enum Color { COLOR_UNSPECIFIED = 0; RED = 1; }
       message Inner { string name = 1; }
       message M {
         repeated uint32 ids = 1;
         string name = 2;
         Inner inner = 3;
         repeated Color colors = 4;
         map<string, Inner> inners = 5;
         int64 signed = 6; uint64 big = 7; fixed64 f64 = 8; sfixed64 sf64 = 9; sint32 s32 = 10;
         float f = 11; double d = 12; fixed32 f32 = 13; sfixed32 sf32 = 14; bytes raw = 15;
         oneof kind { string a = 16; uint32 b = 17; }
         optional string opt = 18;
       }`,
      { keepCase: false },
    ).root.lookupType('t.M');
    t.root.resolveAll();
    const dec = compileDecoder(t)!;
    const ref = reference(t);
    const tag = (f: number, w: number) => varint((f << 3) | w);
    const ld = (f: number, body: number[]) => [...tag(f, 2), ...varint(body.length), ...body];
    const str = (x: string) => [...Buffer.from(x)];
    const le = (n: bigint, bytes: number) => Array.from({ length: bytes }, (_, i) => Number((BigInt.asUintN(bytes * 8, n) >> BigInt(8 * i)) & 0xffn));
    const big = (n: bigint) => {
      const out: number[] = [];
      for (n = BigInt.asUintN(64, n); n >= 0x80n; n >>= 7n) out.push(Number(n & 0x7fn) | 0x80);
      return [...out, Number(n)];
    };
    const inputs = [
      // ids: unpacked twice, then a packed run [3, 300]
      [...tag(1, 0), 1, ...tag(1, 0), 2, ...ld(1, [3, ...varint(300)])],
      // inner before name (out of field order), name twice (the last wins), unknown varint and LEN fields between
      [...ld(3, ld(1, str('x'))), ...ld(2, str('a')), ...tag(99, 0), 5, ...ld(100, str('hi')), ...ld(2, str('b'))],
      // colors: a known value, an unknown number (kept as a number), then packed
      [...tag(4, 0), 1, ...tag(4, 0), 7, ...ld(4, [1, 0])],
      // map entries, the same key twice (the last wins)
      [...ld(5, [...ld(1, str('k')), ...ld(2, ld(1, str('')))]), ...ld(5, [...ld(1, str('k')), ...ld(2, ld(1, str('y')))]), ...ld(5, [...ld(2, ld(1, str('no key'))), ...ld(1, str('j'))])],
      // int64 -1, uint64 2^53 + 1 (inexact, as protobufjs), fixed64 2^40, sfixed64 -2, sint32 -3
      [...tag(6, 0), ...big(-1n), ...tag(7, 0), ...big(2n ** 53n + 1n), ...tag(8, 1), ...le(2n ** 40n, 8), ...tag(9, 1), ...le(-2n, 8), ...tag(10, 0), 5],
      // float 1.5, double 1.5, fixed32, sfixed32 -2, bytes
      [...tag(11, 5), 0, 0, 0xc0, 0x3f, ...tag(12, 1), 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, ...tag(13, 5), 4, 3, 2, 1, ...tag(14, 5), ...le(-2n, 4), ...ld(15, [1, 2, 3])],
      // both members of a oneof (the last one is named), then an optional field set to ''
      [...ld(16, str('a')), ...tag(17, 0), 5, ...ld(18, [])],
      [],
    ].map((a) => Buffer.from(a));
    for (const b of inputs) sameShape(dec(b), ref(b));
  });

  it('throws on malformed input, and on nothing valid', () => {
    const t = root.lookupType('massive.metadata.v1.ObjectVersion');
    const dec = compileDecoder(t)!;
    const good = Buffer.from(compileEncoder(t)!({ bucket: 'b', key: 'k', headers: { userMetadata: { a: 'b' } }, data: { inline: Buffer.alloc(10) } }));
    // Cut anywhere: inside a field this refuses it (protobufjs clips a cut string instead: stricter is
    // fine); at a field's end both read the same shorter message.
    const ref = reference(t);
    let refused = 0;
    for (let cut = 1; cut < good.length; cut++) {
      const part = good.subarray(0, cut);
      let ours: unknown;
      try {
        ours = dec(part);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        refused++;
        continue;
      }
      sameShape(ours, ref(part));
    }
    expect(refused).toBeGreaterThan(good.length / 2);
    expect(() => dec(Buffer.from([0x0a, 0x80]))).toThrow(RangeError); // a length that never ends
    expect(() => dec(Buffer.from([0x9f, 0x06]))).toThrow(/wire type/); // unknown field 99, wire type 7
    // Random bytes: an object or an error, never a hang or a crash.
    const r = rng(42);
    for (let i = 0; i < 2000; i++) {
      const junk = Buffer.from(Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256)));
      try {
        expect(typeof dec(junk)).toBe('object');
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
      }
    }
  });

  it('returns bytes as views of the input, not copies', () => {
    const t = root.lookupType('massive.metadata.v1.ObjectData');
    const b = Buffer.from(compileEncoder(t)!({ inline: Buffer.alloc(4096, 9) }));
    const o = compileDecoder(t)!(b) as { inline: Buffer; kind: string };
    expect(o.kind).toBe('inline');
    expect(o.inline.buffer).toBe(b.buffer);
    expect(o.inline.equals(Buffer.alloc(4096, 9))).toBe(true);
    // A plain Uint8Array (not a Buffer) decodes the same.
    const plain = new Uint8Array(b.buffer, b.byteOffset, b.length);
    sameShape(compileDecoder(t)!(plain as Buffer), o);
  });

  it('loadProtos installs it for every method of both services', () => {
    const ours = loadProtos();
    for (const [svc, def] of [
      [METADATA_SERVICE, ours.metadata],
      [BLOB_SERVICE, ours.blob],
    ] as const) {
      const theirs = original[svc] as unknown as Record<string, MethodDefinition<unknown, unknown>>;
      for (const [name, m] of Object.entries(def as unknown as Record<string, MethodDefinition<unknown, unknown>>)) {
        expect(m.requestDeserialize).not.toBe(theirs[name].requestDeserialize);
        expect([name, m.requestDeserialize.name, m.responseDeserialize.name]).toEqual([name, expect.stringMatching(/^massive-decode:\.massive\./), expect.stringMatching(/^massive-decode:\.massive\./)]);
        // Installed decoders share their generated functions (one cache): still proto-loader's objects.
        const rpc = (root.lookup(svc) as Service).methods[name];
        const r = rng(name.length * 37 + 11);
        for (const [t, dec] of [
          [rpc.resolvedRequestType!, m.requestDeserialize],
          [rpc.resolvedResponseType!, m.responseDeserialize],
        ] as const) {
          for (let i = 0; i < 20; i++) {
            const bytes = Buffer.from(compileEncoder(t)!(gen(t, r, 0)));
            sameShape(dec(bytes), reference(t)(bytes));
          }
        }
      }
    }
  });

  it('takes a recursion limit rather than the stack', () => {
    const r = parse('syntax = "proto3"; message Node { Node next = 1; }').root;
    r.resolveAll();
    const t = r.lookupType('Node');
    const dec = compileDecoder(t)!;
    let b = Buffer.alloc(0);
    for (let i = 0; i < 150; i++) b = Buffer.concat([Buffer.from([0x0a, ...varint(b.length)]), b]);
    expect(() => dec(b)).toThrow(/depth/);
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
