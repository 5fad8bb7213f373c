import { randomBytes } from 'node:crypto';
import { loadProtos } from '../proto';
import { coalesce, decodeBytesField, encodeBytesField, HEADROOM, withDataCodecs } from './data-codec';

const KiB = 1024;
const generated = loadProtos().blob;
const fast = withDataCodecs(generated);
const SIZES = [0, 1, 127, 128, 16_383, 16_384, 256 * KiB, 2_097_151, 2_097_152];

async function* from(bufs: Buffer[]): AsyncIterable<Buffer> {
  yield* bufs;
}
/** Byte equality (jest's toEqual walks a large Buffer element by element: minutes for a few MiB). */
const same = (a: Buffer | undefined, b: Buffer) => a !== undefined && a.equals(b);
async function collect(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('blob data codecs', () => {
  it.each(SIZES)('a %i-byte write piece is the same bytes as protobufjs writes, and each side reads the other', (n) => {
    const data = randomBytes(n);
    const ours = fast.Write.requestSerialize({ data });
    expect(same(ours, generated.Write.requestSerialize({ data }))).toBe(true);
    expect(same(generated.Write.requestDeserialize(ours).data, data)).toBe(true);
    const decoded = fast.Write.requestDeserialize(generated.Write.requestSerialize({ data }));
    expect(decoded.message).toBe('data');
    expect(same(decoded.data, data)).toBe(true);
  });

  it.each(SIZES)('a %i-byte read piece is the same bytes as protobufjs writes, and each side reads the other', (n) => {
    const data = randomBytes(n);
    const ours = fast.Read.responseSerialize({ data });
    expect(same(ours, generated.Read.responseSerialize({ data }))).toBe(true);
    expect(same(generated.Read.responseDeserialize(ours).data, data)).toBe(true);
    expect(same(fast.Read.responseDeserialize(generated.Read.responseSerialize({ data })).data, data)).toBe(true);
  });

  it('a write header goes through the generated codec', () => {
    const bytes = fast.Write.requestSerialize({ header: { intentId: 'intent-1' } });
    expect(bytes).toEqual(generated.Write.requestSerialize({ header: { intentId: 'intent-1' } }));
    expect(fast.Write.requestDeserialize(bytes)).toMatchObject({ message: 'header', header: { intentId: 'intent-1' } });
  });

  it('a message that is not exactly one data field falls back to the generated decoder', () => {
    const data = Buffer.from('abc');
    // data field then an unknown varint field 9: still the data, as protobufjs reads it
    const withUnknown = Buffer.concat([generated.Read.responseSerialize({ data }), Buffer.from([9 << 3, 1])]);
    expect(decodeBytesField(0x0a, withUnknown)).toBeUndefined();
    expect(fast.Read.responseDeserialize(withUnknown).data).toEqual(data);
    // an empty message (proto3 omits an empty bytes field)
    expect(fast.Read.responseDeserialize(Buffer.alloc(0)).data).toEqual(Buffer.alloc(0));
    // a non-minimal varint length is still read
    expect(decodeBytesField(0x0a, Buffer.from([0x0a, 0x83, 0x00, 1, 2, 3]))).toEqual(Buffer.from([1, 2, 3]));
    // a length that overruns the message is not
    expect(decodeBytesField(0x0a, Buffer.from([0x0a, 4, 1, 2, 3]))).toBeUndefined();
  });

  it('frames a coalesced piece in place, and never writes in front of any other buffer', async () => {
    const [piece] = await collect(coalesce(from([Buffer.from('hello')]), 64));
    const framed = encodeBytesField(0x12, piece);
    expect(framed.buffer).toBe(piece.buffer);
    expect(framed.byteOffset).toBe(piece.byteOffset - 2);
    expect(generated.Write.requestDeserialize(framed).data).toEqual(Buffer.from('hello'));

    const backing = Buffer.alloc(16, 0xee);
    const view = backing.subarray(8, 12);
    const copy = encodeBytesField(0x12, view);
    expect(copy.buffer).not.toBe(backing.buffer);
    expect(backing).toEqual(Buffer.alloc(16, 0xee));
    // a view of a coalesced piece is not one: copied too (in place would overwrite the 'h')
    const tail = encodeBytesField(0x12, piece.subarray(1));
    expect(generated.Write.requestDeserialize(tail).data?.toString()).toBe('ello');
    expect(generated.Write.requestDeserialize(framed).data?.toString()).toBe('hello');
  });

  it('coalesce joins and cuts a body into pieces of exactly the size, the last shorter, bytes in order', async () => {
    const body = [randomBytes(10 * KiB), randomBytes(1000), randomBytes(70 * KiB), Buffer.alloc(0), randomBytes(3)];
    const pieces = await collect(coalesce(from(body), 32 * KiB));
    expect(pieces.map((p) => p.length)).toEqual([32 * KiB, 32 * KiB, 80 * KiB + 1003 - 64 * KiB]);
    expect(same(Buffer.concat(pieces), Buffer.concat(body))).toBe(true);
    for (const p of pieces) expect(p.byteOffset).toBeGreaterThanOrEqual(HEADROOM);
    expect(await collect(coalesce(from([]), 32))).toEqual([]);
    expect((await collect(coalesce(from([randomBytes(64)]), 32))).map((p) => p.length)).toEqual([32, 32]);
  });

  it('coalesce does not keep a reference to the caller buffers (they may be reused)', async () => {
    const reused = Buffer.alloc(4, 1);
    async function* body() {
      yield reused;
      reused.fill(2);
      yield reused;
    }
    const [piece] = await collect(coalesce(body(), 64));
    expect(piece).toEqual(Buffer.from([1, 1, 1, 1, 2, 2, 2, 2]));
  });
});
