import type { BlobDefinition } from '../generated/massive/blob/v1/Blob';
import type { ReadResponse, ReadResponse__Output } from '../generated/massive/blob/v1/ReadResponse';
import type { WriteRequest, WriteRequest__Output } from '../generated/massive/blob/v1/WriteRequest';

/**
 * Hand-written wire codecs for the two messages that carry body bytes, `WriteRequest.data` (field 2)
 * and `ReadResponse.data` (field 1): each is one length-delimited field, so encoding is a tag, a
 * varint length and the bytes, and decoding a view into the received buffer. protobufjs through
 * proto-loader does the same bytes with a generic writer, an object conversion each way and, for
 * every message, a fresh buffer; these codecs do at most one copy and, for a write piece built by
 * `coalesce` (which leaves room in front of its bytes), none. Anything else (a write header, unknown
 * fields, a non-Buffer value) goes through the generated codec unchanged, so the wire format is
 * exactly the .proto's and any protobuf peer interoperates.
 */

/** The largest body piece in one gRPC message, both ways (see blob-client.ts). */
export const MAX_PIECE_BYTES = 256 * 1024;
/** Room a coalesced piece keeps in front of its bytes: a tag byte and a varint of up to 5 bytes. */
export const HEADROOM = 6;
const READ_DATA_TAG = (1 << 3) | 2; // field 1, length-delimited
const WRITE_DATA_TAG = (2 << 3) | 2; // field 2, length-delimited

/** Pieces `coalesce` built, whose HEADROOM bytes in front belong to them (never a caller's buffer). */
const withHeadroom = new WeakSet<Buffer>();

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(buf: Buffer, at: number, n: number): void {
  while (n >= 0x80) {
    buf[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[at] = n;
}

/**
 * One length-delimited field: in place when `data` has our headroom, else one copy, into `scratch`
 * when it is given and large enough (see `withDataCodecs`), else into a new buffer.
 */
export function encodeBytesField(tag: number, data: Buffer, scratch?: Buffer): Buffer {
  const head = 1 + varintLength(data.length);
  if (withHeadroom.has(data) && data.byteOffset >= head) {
    const out = Buffer.from(data.buffer, data.byteOffset - head, head + data.length);
    out[0] = tag;
    writeVarint(out, 1, data.length);
    return out;
  }
  const out = scratch && scratch.length >= head + data.length ? scratch.subarray(0, head + data.length) : Buffer.allocUnsafe(head + data.length);
  out[0] = tag;
  writeVarint(out, 1, data.length);
  data.copy(out, head);
  return out;
}

/** The bytes of a message that is exactly one `tag` field (minimal or not), or undefined. */
export function decodeBytesField(tag: number, msg: Buffer): Buffer | undefined {
  if (msg.length < 2 || msg[0] !== tag) return undefined;
  let len = 0;
  let mul = 1;
  let at = 1;
  for (;;) {
    if (at >= msg.length || at > 5) return undefined;
    const b = msg[at++];
    len += (b & 0x7f) * mul;
    mul *= 128;
    if (b < 0x80) break;
  }
  return at + len === msg.length ? msg.subarray(at) : undefined;
}

/**
 * Cuts and joins a body into pieces of exactly `size` bytes (the last one shorter), each a fresh
 * buffer with HEADROOM in front so the write codec frames it without a copy. Socket reads of a few
 * KiB become a few large gRPC messages: the per-message cost, not the bytes, dominates the hop.
 */
export async function* coalesce(body: AsyncIterable<Buffer>, size: number): AsyncIterable<Buffer> {
  let cur: Buffer | undefined;
  let fill = 0;
  const take = () => {
    const piece = (cur as Buffer).subarray(HEADROOM, HEADROOM + fill);
    withHeadroom.add(piece);
    cur = undefined;
    fill = 0;
    return piece;
  };
  for await (const buf of body) {
    let at = 0;
    while (at < buf.length) {
      cur ??= Buffer.allocUnsafe(HEADROOM + size);
      const n = Math.min(size - fill, buf.length - at);
      buf.copy(cur, HEADROOM + fill, at, at + n);
      fill += n;
      at += n;
      if (fill === size) yield take();
    }
  }
  if (fill > 0) yield take();
}

/**
 * `definition` with the fast codecs on Write's requests and Read's responses (both sides).
 *
 * A server's Read responses are encoded into one scratch buffer reused for every message: grpc-js's
 * server copies a serialized message into its framed buffer (5-byte gRPC prefix) synchronously, in
 * the same call that serializes it (`serializeMessage` in server-interceptors), so the scratch is free
 * again before the next message. That saves the blob service one 256 KiB allocation per message, and
 * the garbage collections that allocation rate triggers. `blob-streaming.spec.ts` reads concurrent
 * streams byte for byte, so a grpc-js that kept the serialized buffer would fail it.
 */
export function withDataCodecs(definition: BlobDefinition): BlobDefinition {
  const write = definition.Write;
  const read = definition.Read;
  let scratch: Buffer | undefined; // allocated on a server's first read response (clients never need it)
  return {
    ...definition,
    Write: {
      ...definition.Write,
      requestSerialize: (m: WriteRequest) => (Buffer.isBuffer(m.data) && !m.header ? encodeBytesField(WRITE_DATA_TAG, m.data) : write.requestSerialize(m)),
      requestDeserialize: (b: Buffer): WriteRequest__Output => {
        const data = decodeBytesField(WRITE_DATA_TAG, b);
        return data ? { data, message: 'data' } : write.requestDeserialize(b);
      },
    },
    Read: {
      ...definition.Read,
      responseSerialize: (m: ReadResponse) => (Buffer.isBuffer(m.data) ? encodeBytesField(READ_DATA_TAG, m.data, (scratch ??= Buffer.allocUnsafe(HEADROOM + MAX_PIECE_BYTES))) : read.responseSerialize(m)),
      responseDeserialize: (b: Buffer): ReadResponse__Output => {
        const data = decodeBytesField(READ_DATA_TAG, b);
        return data ? { data } : read.responseDeserialize(b);
      },
    },
  };
}
