import { isServiceError } from '@massive/contracts';
import { RecordCodec } from './record-codec';

interface V2 {
  name: string;
  size: number;
}

describe('RecordCodec', () => {
  it('round-trips the header and keeps the raw section as raw bytes', () => {
    const c = new RecordCodec<V2>({ tag: 'X', version: 1 });
    const raw = Buffer.from([0, 1, 2, 255]);
    const buf = c.encode({ name: 'a', size: 4 }, raw);
    expect(buf[0]).toBe(1);
    expect(buf.subarray(buf.length - 4)).toEqual(raw);
    expect(buf.toString('latin1')).not.toContain(raw.toString('base64'));
    expect(c.decode(buf)).toEqual({ value: { name: 'a', size: 4 }, raw });
  });

  it('lays the record out byte for byte: version, tag, JSON length, UTF-8 JSON, raw bytes (copied)', () => {
    const c = new RecordCodec<V2>({ tag: 'V', version: 3 });
    const value = { name: 'héllo 日本 😀 "q" \\', size: 7 };
    const raw = Buffer.from('raw\u0000bytes');
    const json = Buffer.from(JSON.stringify(value), 'utf8');
    const head = Buffer.from([3, 'V'.charCodeAt(0), 0, 0, 0, 0]);
    head.writeUInt32BE(json.length, 2);
    const buf = c.encode(value, raw);
    expect(buf).toEqual(Buffer.concat([head, json, raw]));
    raw.fill(0);
    expect(c.decode(buf)).toEqual({ value, raw: Buffer.from('raw\u0000bytes') });
    expect(c.encode(value)).toEqual(Buffer.concat([head, json]));
    expect(c.encode(value, Buffer.alloc(0))).toEqual(Buffer.concat([head, json]));
    expect(c.decode(c.encode(value)).raw.length).toBe(0);
  });

  it('migrates older versions on read', () => {
    const v1 = new RecordCodec<{ name: string }>({ tag: 'X', version: 1 });
    const v2 = new RecordCodec<V2>({ tag: 'X', version: 2, migrations: { 1: (o) => ({ ...o, size: 0 }) } });
    expect(v2.decodeValue(v1.encode({ name: 'old' }))).toEqual({ name: 'old', size: 0 });
  });

  it('refuses newer versions and foreign records', () => {
    const v1 = new RecordCodec<V2>({ tag: 'X', version: 1 });
    const v2 = new RecordCodec<V2>({ tag: 'X', version: 2, migrations: { 1: (o) => o } });
    const other = new RecordCodec<V2>({ tag: 'Y', version: 1 });
    expect(() => v1.decode(v2.encode({ name: 'n', size: 1 }))).toThrow(/format version/);
    try {
      other.decode(v1.encode({ name: 'n', size: 1 }));
      throw new Error('unreachable');
    } catch (e) {
      expect(isServiceError(e, 'Internal')).toBe(true);
    }
  });
});
