import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { parse, Service, Type } from 'protobufjs';
import { gen, ourMessageTypes, rng } from './testing/proto-values';
import { compileEncoder } from './proto-encode';
import { loadProtoRoot } from './proto-types';
import { BLOB_SERVICE, findProtoDir, loadProtos, METADATA_SERVICE, PROTO_FILES, PROTO_LOADER_OPTIONS } from './proto';

const protoDir = findProtoDir();
const root = loadProtoRoot(protoDir, PROTO_FILES);

/** proto-loader's own serializers, for comparison (loadSync directly: loadProtos installs ours). */
const original = loadSync([...PROTO_FILES], { ...PROTO_LOADER_OPTIONS, includeDirs: [protoDir] });

/** What proto-loader's serialize does for any type: protobufjs fromObject, then encode. */
function reference(t: Type): (v: unknown) => Buffer {
  return (v) => Buffer.from(t.encode(t.fromObject(v as Record<string, unknown>)).finish());
}

const types = ourMessageTypes(root);

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
        expect([name, m.requestSerialize.name, m.responseSerialize.name]).toEqual([name, expect.stringMatching(/^massive-encode:\.massive\./), expect.stringMatching(/^massive-encode:\.massive\./)]);
        // Installed encoders share their generated functions (one cache): still proto-loader's bytes.
        const rpc = (root.lookup(svc) as Service).methods[name];
        const r = rng(name.length * 31 + 7);
        for (const [t, enc] of [
          [rpc.resolvedRequestType!, m.requestSerialize],
          [rpc.resolvedResponseType!, m.responseSerialize],
        ] as const) {
          for (let i = 0; i < 20; i++) {
            const v = gen(t, r, 0);
            expect([name, t.fullName, enc(v).toString('hex')]).toEqual([name, t.fullName, reference(t)(v).toString('hex')]);
          }
        }
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
