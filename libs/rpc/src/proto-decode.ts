import { Enum, Type } from 'protobufjs';
import { planTypes } from './proto-types';

/**
 * Protobuf decoding into the plain objects proto-loader's `deserialize` returns (protobufjs `decode`,
 * then `toObject` with our PROTO_LOADER_OPTIONS: longs as numbers, enums as names, defaults filled,
 * oneofs named), in one pass: protobufjs first builds a message object per message, then copies each
 * into a plain one. One generated function per message type (as protobufjs generates its own).
 *
 * What comes out, as proto-loader gives it: every field without presence holds its default when absent
 * ('' / 0 / false / the enum's zero name / an empty Buffer / null for messages / [] / {}); a field
 * with presence (a oneof member, a proto3 `optional`) appears only when present, and its oneof's
 * name holds the member's name; enums by name (an unknown number stays a number); 64-bit integers as
 * numbers (inexact past 2^53, as protobufjs' toNumber; codec.ts `num()` refuses those); bytes as views
 * of the input (not copies). Keys come in proto-loader's order. Malformed input throws a RangeError or
 * an Error (where protobufjs clips an over-long string, this throws). Types using what we do not
 * (proto-types.ts `coveredTypes`) keep protobufjs: `compileDecoder` returns undefined.
 */
export type Decode = (buf: Buffer) => unknown;

const MAX_DEPTH = 100;

/** The input and the read position. */
interface Reader {
  buf: Buffer;
  pos: number;
}

export interface Plan {
  readonly name: string;
  /** Decodes the message in [r.pos, end) into a new object. */
  decode: (r: Reader, end: number, depth: number) => Record<string, unknown>;
}

/** Generated per-type functions, shared by every decoder compiled with the same cache. */
export type DecoderCache = Map<string, Plan>;

/**
 * A decoder for `type`, or undefined when it (or a type it holds) uses features this does not cover.
 * Decoders compiled with one `cache` share the functions of the message types they have in common.
 */
export function compileDecoder(type: Type, cache: DecoderCache = new Map()): Decode | undefined {
  const plan = planTypes(type, cache, (t) => ({ name: t.fullName, decode: unset }), (t, p) => generate(cache, t, p));
  if (!plan) return undefined;
  return (input: Buffer) => {
    const buf = Buffer.isBuffer(input) ? input : Buffer.from((input as Uint8Array).buffer, (input as Uint8Array).byteOffset, (input as Uint8Array).byteLength);
    return plan.decode({ buf, pos: 0 }, buf.length, 0);
  };
}

function unset(): never {
  throw new Error('decoder not generated');
}

/** Types proto3 may pack (what protobufjs accepts packed whatever the field says). */
const PACKABLE = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'fixed64', 'sfixed64', 'bool']);

const HELPERS = { u32, i32, u64, i64, str, bytes, len, skip, f32, f64, fixed32, sfixed32, fixed64, sfixed64, EMPTY: () => Buffer.alloc(0), setKey };

function generate(plans: Map<string, Plan>, type: Type, plan: Plan): void {
  const fields = type.fieldsArray.slice().sort((a, b) => a.id - b.id);
  const consts: unknown[] = [];
  const c = (v: unknown) => {
    consts.push(v);
    return `C[${consts.length - 1}]`;
  };
  // toObject's defaults, in its order: repeated, then maps, then the rest (fields with presence get none).
  const defaults: string[] = [];
  for (const f of fields) if (!f.partOf && f.repeated) defaults.push(`${JSON.stringify(f.name)}: []`);
  for (const f of fields) if (!f.partOf && f.map) defaults.push(`${JSON.stringify(f.name)}: {}`);
  for (const f of fields) {
    if (f.partOf || f.repeated || f.map) continue;
    const rt = f.resolvedType;
    let v: string;
    if (rt instanceof Enum) v = JSON.stringify(rt.valuesById[f.typeDefault as number]);
    else if (rt instanceof Type) v = 'null';
    else if (f.type === 'string') v = "''";
    else if (f.type === 'bool') v = 'false';
    else if (f.type === 'bytes') v = 'EMPTY()';
    else v = '0';
    defaults.push(`${JSON.stringify(f.name)}: ${v}`);
  }
  const cases: string[] = [];
  for (const f of fields) {
    const key = JSON.stringify(f.name);
    const rt = f.resolvedType;
    // An expression reading one value of the field's type at r.pos.
    let read: string;
    if (rt instanceof Enum) {
      const names = c(rt.valuesById);
      read = `(e = i32(r), ${names}[e] === undefined ? e : ${names}[e])`;
    } else if (rt instanceof Type) read = `${c(plans.get(rt.fullName))}.decode(r, len(r), d + 1)`;
    else {
      read = (
        {
          double: 'f64(r)',
          float: 'f32(r)',
          int32: 'i32(r)',
          uint32: 'u32(r)',
          sint32: '(e = u32(r), (e >>> 1) ^ -(e & 1))',
          fixed32: 'fixed32(r)',
          sfixed32: 'sfixed32(r)',
          int64: 'i64(r)',
          uint64: 'u64(r)',
          fixed64: 'fixed64(r)',
          sfixed64: 'sfixed64(r)',
          bool: 'u32(r) !== 0',
          string: 'str(r)',
          bytes: 'bytes(r)',
        } as Record<string, string>
      )[f.type];
    }
    if (f.map) {
      const valueDefault = rt instanceof Type ? 'null' : f.type === 'string' ? "''" : f.type === 'bool' ? 'false' : f.type === 'bytes' ? 'EMPTY()' : '0';
      cases.push(
        `case ${f.id}: { e2 = len(r); k = ''; v = ${valueDefault};`,
        `  while (r.pos < e2) { t2 = u32(r); if (t2 >>> 3 === 1) k = str(r); else if (t2 >>> 3 === 2) v = ${read}; else skip(r, t2 & 7, d); }`,
        `  if (r.pos !== e2) throw new RangeError('index out of range');`,
        // Entries add to the object the defaults made (protobufjs keeps one object per message).
        `  setKey(o[${key}], k, v); break; }`,
      );
    } else if (f.repeated) {
      const packable = !(rt instanceof Type) && (rt instanceof Enum || PACKABLE.has(f.type));
      cases.push(
        `case ${f.id}: { a = o[${key}];`,
        packable ? `  if ((t & 7) === 2) { e2 = len(r); while (r.pos < e2) a.push(${read}); if (r.pos !== e2) throw new RangeError('index out of range'); } else` : '',
        `  a.push(${read}); break; }`,
      );
    } else {
      const oneof = f.partOf ? ` o[${JSON.stringify(f.partOf.name)}] = ${key};` : '';
      cases.push(`case ${f.id}: o[${key}] = ${read};${oneof} break;`);
    }
  }
  // Fields with presence (oneof members, proto3 optional) have no default: they and their oneof's name
  // are appended as they arrive, which is toObject's order for bytes written in field order (ours).
  const src =
    `const { ${Object.keys(HELPERS).join(', ')} } = H;\n` +
    `return function ${type.fullName.replace(/[^A-Za-z0-9_]/g, '_')}$decode(r, end, d) {\n` +
    `  if (d > ${MAX_DEPTH}) throw new Error('max depth exceeded');\n` +
    `  if (end > r.buf.length) throw new RangeError('index out of range');\n` +
    `  const o = { ${defaults.join(', ')} };\n` +
    `  let t, t2, e, e2, k, v, a;\n` +
    `  while (r.pos < end) {\n` +
    `    t = u32(r);\n` +
    `    switch (t >>> 3) {\n${cases.join('\n')}\n      default: skip(r, t & 7, d);\n    }\n` +
    `  }\n` +
    `  if (r.pos !== end) throw new RangeError('index out of range');\n` +
    `  return o;\n` +
    `};`;
  // Generated from our own descriptors (names go through JSON.stringify), as protobufjs generates its coders.
  plan.decode = new Function('H', 'C', src)(HELPERS, consts) as Plan['decode'];
}

function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function need(r: Reader, n: number): void {
  if (r.pos + n > r.buf.length) throw new RangeError(`index out of range: ${r.pos} + ${n} > ${r.buf.length}`);
}

/** A varint's low 32 bits, unsigned (protobufjs' uint32: up to ten bytes read). */
function u32(r: Reader): number {
  const b = r.buf;
  let p = r.pos;
  let x = 0;
  for (let shift = 0; shift < 70; shift += 7) {
    if (p >= b.length) throw new RangeError('index out of range');
    const byte = b[p++];
    if (shift < 32) x |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      r.pos = p;
      return x >>> 0;
    }
  }
  throw new Error('invalid varint encoding');
}

function i32(r: Reader): number {
  return u32(r) | 0;
}

/** A varint as (lo, hi) 32-bit halves. */
function varint64(r: Reader): [number, number] {
  const b = r.buf;
  let p = r.pos;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i++) {
    if (p >= b.length) throw new RangeError('index out of range');
    const byte = b[p++];
    if (i < 4) lo |= (byte & 0x7f) << (i * 7);
    else if (i === 4) {
      lo |= (byte & 0x0f) << 28;
      hi |= (byte & 0x7f) >> 4;
    } else hi |= (byte & 0x7f) << (i * 7 - 32);
    if (byte < 0x80) {
      r.pos = p;
      return [lo >>> 0, hi >>> 0];
    }
  }
  throw new Error('invalid varint encoding');
}

/** uint64 as protobufjs' LongBits.toNumber(true): exact up to 2^53. A small one takes the short path. */
function u64(r: Reader): number {
  const b = r.buf;
  const p = r.pos;
  if (p < b.length && b[p] < 0x80) {
    r.pos = p + 1;
    return b[p];
  }
  const [lo, hi] = varint64(r);
  return lo + hi * 4294967296;
}

/** int64 as LongBits.toNumber(false): negative when the top bit is set. */
function i64(r: Reader): number {
  const [lo, hi] = varint64(r);
  if (hi >>> 31) {
    const nlo = (~lo + 1) >>> 0;
    let nhi = ~hi >>> 0;
    if (!nlo) nhi = (nhi + 1) >>> 0;
    return -(nlo + nhi * 4294967296);
  }
  return lo + hi * 4294967296;
}

/** A length prefix; returns where the bytes end (checked against the input). */
function len(r: Reader): number {
  const n = u32(r);
  const end = r.pos + n;
  if (end > r.buf.length) throw new RangeError(`index out of range: ${r.pos} + ${n} > ${r.buf.length}`);
  return end;
}

function str(r: Reader): string {
  const end = len(r);
  const s = (r.buf as Buffer & { utf8Slice(start: number, end: number): string }).utf8Slice(r.pos, end);
  r.pos = end;
  return s;
}

function bytes(r: Reader): Buffer {
  const end = len(r);
  const start = r.pos;
  r.pos = end;
  return start === end ? Buffer.alloc(0) : r.buf.subarray(start, end);
}

function f32(r: Reader): number {
  need(r, 4);
  const v = r.buf.readFloatLE(r.pos);
  r.pos += 4;
  return v;
}

function f64(r: Reader): number {
  need(r, 8);
  const v = r.buf.readDoubleLE(r.pos);
  r.pos += 8;
  return v;
}

function fixed32(r: Reader): number {
  need(r, 4);
  const v = r.buf.readUInt32LE(r.pos);
  r.pos += 4;
  return v;
}

function sfixed32(r: Reader): number {
  need(r, 4);
  const v = r.buf.readInt32LE(r.pos);
  r.pos += 4;
  return v;
}

function fixed64(r: Reader): number {
  need(r, 8);
  const v = r.buf.readUInt32LE(r.pos) + r.buf.readUInt32LE(r.pos + 4) * 4294967296;
  r.pos += 8;
  return v;
}

function sfixed64(r: Reader): number {
  need(r, 8);
  const lo = r.buf.readUInt32LE(r.pos);
  const hi = r.buf.readInt32LE(r.pos + 4);
  r.pos += 8;
  return hi * 4294967296 + lo;
}

/** Skips an unknown field's value (protobufjs' skipType). */
function skip(r: Reader, wire: number, depth: number): void {
  if (depth > MAX_DEPTH) throw new Error('maximum nesting depth exceeded');
  switch (wire) {
    case 0:
      u32(r);
      return;
    case 1:
      need(r, 8);
      r.pos += 8;
      return;
    case 2:
      r.pos = len(r);
      return;
    case 3:
      for (let w = u32(r) & 7; w !== 4; w = u32(r) & 7) skip(r, w, depth + 1);
      return;
    case 5:
      need(r, 4);
      r.pos += 4;
      return;
    default:
      throw new Error(`invalid wire type ${wire} at offset ${r.pos}`);
  }
}
