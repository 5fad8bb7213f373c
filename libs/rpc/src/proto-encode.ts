import { Enum, Type } from 'protobufjs';
import { planTypes } from './proto-types';

/**
 * Protobuf encoding of plain objects: the bytes proto-loader's `serialize` produces (its `fromObject`,
 * then protobufjs `encode`), byte for byte, without their intermediate work. protobufjs builds a
 * message object per nested message, then queues an operation object per field and copies every part
 * into the final buffer at `finish()`. Here each message type gets two generated functions (as
 * protobufjs generates its own, with `new Function`): one sizes the message, pushing the length of
 * every string and nested message in visit order; the other writes it into a buffer of exactly that
 * size, taking those lengths back in the same order.
 *
 * Measured in-process (2026-12-05, per message, proto-loader against this): a 4 KiB GetObject reply
 * 4.5 → 0.9 µs, a chunked one 3.0 → 1.0 µs, a GetObject request 0.53 → 0.18 µs, a one-call Mux request
 * 0.8 → 0.2 µs, a 1,000-entry ListObjects reply 1.1 → 0.32 ms.
 *
 * The input is what proto-loader's serialize accepts (`fromObject`'s rules): camelCase field names;
 * null or undefined for absent; enums by name or number (an unknown name leaves a singular field out and
 * makes a repeated element 0; an unknown number passes); 64-bit integers as numbers, decimal strings,
 * bigints or Long-like `{low, high}`; bytes as a Uint8Array or base64 text; maps as plain objects. As
 * protobufjs does, every present field is written, default values included, in field-number order,
 * packed where proto3 packs. Types using what we do not (proto-types.ts `coveredTypes`) keep protobufjs:
 * `compileEncoder` returns undefined.
 */
export type Encode = (value: unknown) => Buffer;

const MAX_DEPTH = 100;

/** Lengths computed in pass 1 (strings' UTF-8 bytes, nested messages, packed runs, map entries), in visit order. */
interface State {
  lens: number[];
  at: number;
}

export interface Plan {
  readonly name: string;
  /** Pass 1: the message's encoded size (without its own tag and length). */
  size: (m: Record<string, unknown>, st: State, depth: number) => number;
  /** Pass 2: writes the message's fields from `pos`; returns the position after them. */
  write: (m: Record<string, unknown>, st: State, buf: Buffer, pos: number) => number;
}

/** Generated per-type functions, shared by every encoder compiled with the same cache. */
export type EncoderCache = Map<string, Plan>;

/**
 * An encoder for `type`, or undefined when it (or a type it holds) uses features this does not cover.
 * Encoders compiled with one `cache` share the functions of the message types they have in common.
 */
export function compileEncoder(type: Type, cache: EncoderCache = new Map()): Encode | undefined {
  const plan = planTypes(type, cache, (t) => ({ name: t.fullName, size: unset, write: unset }), (t, p) => generate(cache, t, p));
  if (!plan) return undefined;
  const full = type.fullName;
  return (value: unknown) => {
    if (!isObject(value)) throw new TypeError(`${full}: object expected`);
    const st: State = { lens: [], at: 0 };
    const n = plan.size(value, st, 0);
    const buf = allocOut(n);
    const end = plan.write(value, st, buf, 0);
    if (end !== n) throw new Error(`${full}: encoded ${end} of ${n} bytes`);
    return buf;
  };
}

function unset(): never {
  throw new Error('encoder not generated');
}

/** Wire types. */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

const WIRE: Record<string, number> = {
  double: I64,
  float: I32,
  int32: VARINT,
  uint32: VARINT,
  sint32: VARINT,
  fixed32: I32,
  sfixed32: I32,
  int64: VARINT,
  uint64: VARINT,
  fixed64: I64,
  sfixed64: I64,
  bool: VARINT,
  string: LEN,
  bytes: LEN,
};

/** What the generated code calls (bound as locals of its factory). */
const HELPERS = {
  varintSize,
  putVarint,
  varintSize64,
  putVarint64,
  int32Size,
  putInt32,
  long64,
  isObject,
  bytesOf,
  strSize,
  strWrite,
  msgSize,
  msgWrite,
  enumOf,
};

/**
 * Generates `plan`'s two functions. Per field, the size side converts the value as fromObject would
 * and adds its bytes; the write side converts it again (cheap: the same checks) and writes it.
 */
function generate(plans: Map<string, Plan>, type: Type, plan: Plan): void {
  const name = type.fullName;
  const fields = type.fieldsArray.slice().sort((a, b) => a.id - b.id);
  const consts: unknown[] = [];
  const c = (v: unknown) => {
    consts.push(v);
    return `C[${consts.length - 1}]`;
  };
  const size: string[] = ['if (d > ' + MAX_DEPTH + ") throw new Error('max depth exceeded');", 'let n = 0, v, a, i, o, ks, k, slot, run, len;'];
  const write: string[] = ['let v, a, i, o, ks, k, len;'];
  for (const f of fields) {
    const prop = `m[${JSON.stringify(f.name)}]`;
    const full = JSON.stringify(f.fullName);
    const rt = f.resolvedType;
    const kind = rt instanceof Enum ? 'enum' : rt instanceof Type ? 'message' : f.type;
    const wire = kind === 'enum' ? VARINT : kind === 'message' ? LEN : WIRE[kind];
    const sub = rt instanceof Type ? c(plans.get(rt.fullName)) : '';
    const en = rt instanceof Enum ? c(new Map(Object.entries(rt.values))) : '';
    // `conv(x, repeated)`: fromObject's conversion of x into v (undefined: leave out).
    const conv = (x: string, repeated: boolean): string => {
      switch (kind) {
        case 'enum':
          return `v = enumOf(${en}, ${x}, ${repeated});`;
        case 'message':
          return `v = ${x}; if (!isObject(v)) throw new TypeError(${full} + ': object expected');`;
        case 'string':
          return `v = typeof ${x} === 'string' ? ${x} : String(${x});`;
        case 'bool':
          return `v = Boolean(${x});`;
        case 'int32':
        case 'sfixed32':
          return `v = ${x} | 0;`;
        case 'uint32':
        case 'fixed32':
          return `v = ${x} >>> 0;`;
        case 'sint32':
          return `v = ((${x} | 0) << 1 ^ (${x} | 0) >> 31) >>> 0;`;
        case 'double':
        case 'float':
          return `v = Number(${x});`;
        case 'bytes':
          return `v = bytesOf(${x});`;
        default: // 64-bit
          return `v = long64(${x});`;
      }
    };
    // Bytes of v (converted, present); the size side may push lengths.
    const vsize = (): string => {
      switch (kind) {
        case 'enum':
        case 'int32':
          return 'int32Size(v)';
        case 'message':
          return `msgSize(${sub}, v, st, d)`;
        case 'string':
          return 'strSize(v, st)';
        case 'bool':
          return '1';
        case 'uint32':
        case 'sint32':
          return 'varintSize(v)';
        case 'fixed32':
        case 'sfixed32':
        case 'float':
          return '4';
        case 'double':
        case 'fixed64':
        case 'sfixed64':
          return '8';
        case 'bytes':
          return 'varintSize(v.length) + v.length';
        default:
          return "(typeof v === 'number' ? varintSize(v) : varintSize64(v))";
      }
    };
    const vwrite = (): string => {
      switch (kind) {
        case 'enum':
        case 'int32':
          return 'pos = putInt32(buf, pos, v);';
        case 'message':
          return `pos = msgWrite(${sub}, v, st, buf, pos);`;
        case 'string':
          return 'pos = strWrite(buf, pos, v, st);';
        case 'bool':
          return 'buf[pos++] = v ? 1 : 0;';
        case 'uint32':
        case 'sint32':
          return 'pos = putVarint(buf, pos, v);';
        case 'fixed32':
          return 'pos = buf.writeUInt32LE(v, pos);';
        case 'sfixed32':
          return 'pos = buf.writeInt32LE(v, pos);';
        case 'float':
          return 'pos = buf.writeFloatLE(v, pos);';
        case 'double':
          return 'pos = buf.writeDoubleLE(v, pos);';
        case 'fixed64':
        case 'sfixed64':
          return "pos = buf.writeBigUInt64LE(typeof v === 'number' ? BigInt(v) : v, pos);";
        case 'bytes':
          return 'pos = putVarint(buf, pos, v.length); buf.set(v, pos); pos += v.length;';
        default:
          return "pos = typeof v === 'number' ? putVarint(buf, pos, v) : putVarint64(buf, pos, v);";
      }
    };
    const tagOf = (w: number) => tagBytes(f.id, w);
    const putTag = (t: number[]) => t.map((b) => `buf[pos++] = ${b};`).join(' ');

    if (f.map) {
      const tag = tagOf(LEN);
      const valueTag = (2 << 3) | wire;
      size.push(
        `o = ${prop}; if (o != null) { if (typeof o !== 'object') throw new TypeError(${full} + ': object expected');`,
        `  ks = Object.keys(o); for (i = 0; i < ks.length; i++) { k = ks[i]; ${conv('o[k]', false)}`,
        `    slot = st.lens.length; st.lens.push(0); len = 1 + strSize(k, st) + 1 + ${vsize()}; st.lens[slot] = len; n += ${tag.length} + varintSize(len) + len; } }`,
      );
      write.push(
        `o = ${prop}; if (o != null) { ks = Object.keys(o); for (i = 0; i < ks.length; i++) { k = ks[i]; ${conv('o[k]', false)}`,
        `  ${putTag(tag)} pos = putVarint(buf, pos, st.lens[st.at++]); buf[pos++] = 10; pos = strWrite(buf, pos, k, st); buf[pos++] = ${valueTag}; ${vwrite()} } }`,
      );
    } else if (f.repeated && f.packed && wire !== LEN) {
      const tag = tagOf(LEN);
      size.push(
        `a = ${prop}; if (a != null) { if (!Array.isArray(a)) throw new TypeError(${full} + ': array expected');`,
        `  if (a.length > 0) { run = 0; for (i = 0; i < a.length; i++) { ${conv('a[i]', true)} run += ${vsize()}; } st.lens.push(run); n += ${tag.length} + varintSize(run) + run; } }`,
      );
      // The run's length was pushed after its elements' (which push none: packed values are numbers).
      write.push(`a = ${prop}; if (a != null && a.length > 0) { ${putTag(tag)} pos = putVarint(buf, pos, st.lens[st.at++]); for (i = 0; i < a.length; i++) { ${conv('a[i]', true)} ${vwrite()} } }`);
    } else if (f.repeated) {
      const tag = tagOf(wire);
      size.push(
        `a = ${prop}; if (a != null) { if (!Array.isArray(a)) throw new TypeError(${full} + ': array expected');`,
        `  for (i = 0; i < a.length; i++) { ${conv('a[i]', true)} n += ${tag.length} + ${vsize()}; } }`,
      );
      write.push(`a = ${prop}; if (a != null) { for (i = 0; i < a.length; i++) { ${conv('a[i]', true)} ${putTag(tag)} ${vwrite()} } }`);
    } else {
      const tag = tagOf(wire);
      size.push(`v = ${prop}; if (v != null) { ${conv('v', false)} if (v !== undefined) n += ${tag.length} + ${vsize()}; }`);
      write.push(`v = ${prop}; if (v != null) { ${conv('v', false)} if (v !== undefined) { ${putTag(tag)} ${vwrite()} } }`);
    }
  }
  size.push('return n;');
  write.push('return pos;');
  const locals = Object.keys(HELPERS).join(', ');
  const ident = name.replace(/[^A-Za-z0-9_]/g, '_');
  const src =
    `const { ${locals} } = H;\n` +
    `return {\n` +
    `  size: function ${ident}$size(m, st, d) {\n${size.join('\n')}\n  },\n` +
    `  write: function ${ident}$write(m, st, buf, pos) {\n${write.join('\n')}\n  },\n` +
    `};`;
  // Generated from our own descriptors (field names are identifiers, strings go through JSON.stringify), as protobufjs generates its coders.
  const made = new Function('H', 'C', src)(HELPERS, consts) as Pick<Plan, 'size' | 'write'>;
  plan.size = made.size;
  plan.write = made.write;
}

function enumOf(values: Map<string, number>, v: unknown, repeated: boolean): number | undefined {
  if (typeof v === 'number') return v; // open enums: any number passes, as fromObject lets it
  const n = typeof v === 'string' ? values.get(v) : undefined;
  // fromObject: an unknown name leaves a singular field out and makes an array element the default.
  return n !== undefined ? n : repeated ? 0 : undefined;
}

function bytesOf(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return Buffer.from(v, 'base64');
  const len = (v as { length?: unknown } | null | undefined)?.length;
  return typeof len === 'number' && len >= 0 ? Uint8Array.from(v as ArrayLike<number>) : undefined;
}

function msgSize(p: Plan, v: Record<string, unknown>, st: State, d: number): number {
  const slot = st.lens.length;
  st.lens.push(0);
  const n = p.size(v, st, d + 1);
  st.lens[slot] = n;
  return varintSize(n) + n;
}

function msgWrite(p: Plan, v: Record<string, unknown>, st: State, buf: Buffer, pos: number): number {
  const n = st.lens[st.at++];
  pos = putVarint(buf, pos, n);
  const end = p.write(v, st, buf, pos);
  if (end !== pos + n) throw new Error(`${p.name}: wrote ${end - pos} of ${n} bytes`);
  return end;
}

/** Strings this short are measured and, when ASCII, copied in JS: cheaper than a call into C++. */
const SHORT_STRING = 64;

/** Pushes the UTF-8 length of `s` (as Node writes it: a lone surrogate as U+FFFD, 3 bytes, as protobufjs counts it); returns its bytes with the length prefix. */
function strSize(s: string, st: State): number {
  let n = s.length;
  if (n > SHORT_STRING) n = Buffer.byteLength(s);
  else
    for (let i = 0; i < s.length; i++)
      if (s.charCodeAt(i) >= 0x80) {
        n = Buffer.byteLength(s);
        break;
      }
  st.lens.push(n);
  return varintSize(n) + n;
}

function strWrite(buf: Buffer, pos: number, s: string, st: State): number {
  const n = st.lens[st.at++];
  pos = putVarint(buf, pos, n);
  if (n === s.length && n <= SHORT_STRING) {
    for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i);
    return pos + n;
  }
  return n === 0 ? pos : pos + buf.write(s, pos, n, 'utf8');
}

/**
 * Encoded messages are short-lived (grpc-js copies each into its frame at once; the Mux client and the
 * blob data client keep a request until its call ends, for a resend), so outputs up to SLAB_MAX bytes
 * are cut from shared slabs, as Node's Buffer pool does below 4 KiB: a 4 KiB reply then costs no
 * ArrayBuffer of its own (creating one, and the GC's tracking of it, cost more than encoding the
 * message). A slab is freed once no output cut from it is referenced; an output kept for long would
 * keep its slab (64 KiB at most).
 */
const SLAB_SIZE = 64 * 1024;
const SLAB_MAX = 16 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
let slabAt = 0;

function allocOut(n: number): Buffer {
  if (n > SLAB_MAX) return Buffer.allocUnsafe(n);
  if (slabAt + n > SLAB_SIZE) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    slabAt = 0;
  }
  const out = slab.subarray(slabAt, slabAt + n);
  // The next output starts 8-byte aligned, as in Node's pool.
  slabAt = (slabAt + n + 7) & ~7;
  return out;
}

/** A 64-bit value as fromObject + Long take it: a non-negative safe integer as a number, anything else as an unsigned 64-bit bigint (two's complement). */
function long64(v: unknown): number | bigint {
  let b: bigint;
  if (typeof v === 'number') {
    const t = Math.trunc(v);
    if (!Number.isFinite(t)) return 0;
    if (t >= 0 && t <= Number.MAX_SAFE_INTEGER) return t;
    b = BigInt(t);
  } else if (typeof v === 'bigint') b = v;
  else if (typeof v === 'string') b = BigInt(v.trim() === '' ? '0' : v);
  else if (isObject(v) && typeof v['low'] === 'number' && typeof v['high'] === 'number') b = (BigInt(v['high'] >>> 0) << 32n) | BigInt(v['low'] >>> 0);
  else b = BigInt(Math.trunc(Number(v)) || 0);
  b = BigInt.asUintN(64, b);
  return b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object';
}

function tagBytes(id: number, wire: number): number[] {
  const out: number[] = [];
  let t = ((id << 3) | wire) >>> 0;
  while (t >= 0x80) {
    out.push((t & 0x7f) | 0x80);
    t >>>= 7;
  }
  out.push(t);
  return out;
}

/** Bytes of a non-negative integer (up to 2^53) as a varint. */
function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let s = 4;
  n = Math.floor(n / 0x10000000);
  while (n > 0) {
    s++;
    n = Math.floor(n / 0x80);
  }
  return s;
}

function putVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[pos++] = n;
  return pos;
}

function varintSize64(n: bigint): number {
  let s = 1;
  while (n >= 0x80n) {
    s++;
    n >>= 7n;
  }
  return s;
}

function putVarint64(buf: Buffer, pos: number, n: bigint): number {
  while (n >= 0x80n) {
    buf[pos++] = Number(n & 0x7fn) | 0x80;
    n >>= 7n;
  }
  buf[pos++] = Number(n);
  return pos;
}

/** int32 and enums (protobufjs' Writer.int32): negative, sign-extended to ten bytes; else as uint32. */
function int32Size(n: number): number {
  return n < 0 ? 10 : varintSize(n >>> 0);
}

function putInt32(buf: Buffer, pos: number, n: number): number {
  if (n >= 0) return putVarint(buf, pos, n >>> 0);
  return putVarint64(buf, pos, BigInt.asUintN(64, BigInt(Math.trunc(n))));
}
