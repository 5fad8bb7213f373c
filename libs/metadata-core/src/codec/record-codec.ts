import { ServiceError } from '@massive/contracts';

/**
 * Value layout (every record):
 *
 *   [0]      format version (VERSION_MARKER, Garage-style)
 *   [1]      record tag (the key family letter, a guard against reading one record as another)
 *   [2..6)   u32 BE length n of the JSON header
 *   [6..6+n) JSON header (UTF-8)
 *   [6+n..)  raw byte section (inline object bytes; never base64'd)
 *
 * JSON.parse of a short header is the fastest decoder V8 offers; the raw section is a zero-parse slice.
 * Older versions are upgraded on read by `migrations[v]` (v → v+1); writes always use the current version.
 */
const HEADER = 6;

export interface Decoded<T> {
  readonly value: T;
  /** The raw byte section (empty when the record has none). */
  readonly raw: Buffer;
}

export interface RecordCodecSpec {
  readonly tag: string;
  readonly version: number;
  /** migrations[v] turns a version-v JSON header into a version-(v+1) one. */
  readonly migrations?: Readonly<Record<number, (old: Record<string, unknown>) => Record<string, unknown>>>;
}

export class RecordCodec<T extends object> {
  private readonly tag: number;

  constructor(private readonly spec: RecordCodecSpec) {
    this.tag = spec.tag.charCodeAt(0);
  }

  /** One allocation, the JSON written straight into it (a 4 KiB PUT's record was three buffers and two copies of it). */
  encode(value: T, raw?: Buffer): Buffer {
    const json = JSON.stringify(value);
    const n = Buffer.byteLength(json, 'utf8');
    const out = Buffer.allocUnsafe(HEADER + n + (raw?.length ?? 0));
    out[0] = this.spec.version;
    out[1] = this.tag;
    out.writeUInt32BE(n, 2);
    out.write(json, HEADER, n, 'utf8');
    if (raw && raw.length > 0) raw.copy(out, HEADER + n);
    return out;
  }

  decode(buf: Buffer): Decoded<T> {
    const { value, end } = this.parse(buf);
    // A view, not a copy: every KV read returns a buffer its caller owns (the KV contract checks that
    // no adapter reuses or keeps one), so the raw section is the caller's too. A GET of a 4 KiB inline
    // object copied its bytes a second time here.
    const raw = buf.length > end ? buf.subarray(end) : EMPTY;
    return { value, raw };
  }

  /** The JSON header alone: the raw section is neither copied nor returned. */
  decodeValue(buf: Buffer): T {
    return this.parse(buf).value;
  }

  private parse(buf: Buffer): { value: T; end: number } {
    if (buf.length < HEADER || buf[1] !== this.tag) {
      throw new ServiceError('Internal', `corrupt ${this.spec.tag} record`);
    }
    const version = buf[0];
    if (version > this.spec.version || version === 0) {
      throw new ServiceError('Internal', `${this.spec.tag} record has unknown format version ${version}`);
    }
    const n = buf.readUInt32BE(2);
    let value = JSON.parse(buf.toString('utf8', HEADER, HEADER + n)) as Record<string, unknown>;
    for (let v = version; v < this.spec.version; v++) {
      const migrate = this.spec.migrations?.[v];
      if (!migrate) throw new ServiceError('Internal', `no migration for ${this.spec.tag} v${v}`);
      value = migrate(value);
    }
    return { value: value as T, end: HEADER + n };
  }
}

const EMPTY = Buffer.alloc(0);
