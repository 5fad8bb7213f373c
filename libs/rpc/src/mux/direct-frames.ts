import type { Socket } from 'node:net';

/**
 * Frames of a Mux stream's direct connection (proto/massive/rpc/v1/mux.proto, "Direct connection"):
 * a u32 big-endian length, then that many bytes: a type byte and the frame's payload.
 */
export const FrameType = {
  /** Client → server, first frame: the ticket the stream's response headers carried (ASCII). */
  Hello: 1,
  /** Server → client, after a valid Hello: from now on the stream's replies come on this connection. */
  Accept: 2,
  /** Client → server: a MuxRequest. */
  Request: 3,
  /** Server → client: a MuxResponse. */
  Response: 4,
  /** Server → client, last frame: the stream ended cleanly, every reply it owed is before this frame. */
  End: 5,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/**
 * The response header that offers a stream's direct connection (`<port> <ticket>`), and the trailer of
 * a stream that ended OK after its replies went on it (DIRECT_USED).
 */
export const DIRECT_HEADER = 'massive-mux-direct';
export const DIRECT_USED = 'used';

/** Largest frame taken (gRPC's message limit, MAX_MESSAGE_BYTES); a larger length is a protocol error. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** Writes one frame: header and payload leave in one writev, the payload not copied. */
export function writeFrame(socket: Socket, type: FrameType, payload?: Uint8Array): boolean {
  const head = Buffer.allocUnsafe(5);
  head.writeUInt32BE(1 + (payload?.length ?? 0), 0);
  head[4] = type;
  if (!payload || payload.length === 0) return socket.write(head);
  socket.cork();
  socket.write(head);
  const ok = socket.write(payload);
  socket.uncork();
  return ok;
}

/**
 * Splits a byte stream into frames, handing each to `onFrame` (type, payload: a view of the bytes
 * read, or of one copy when a frame spans reads). `push` throws on a frame of length 0 or over `max`:
 * the peer is not speaking this protocol, and the connection must be closed.
 */
export class FrameReader {
  private parts: Buffer[] = [];
  private held = 0;
  /** Where the frame being read ends, once its length is known (0: not known yet). */
  private need = 0;

  constructor(
    private onFrame: (type: number, payload: Buffer) => void,
    private max = MAX_FRAME_BYTES,
  ) {}

  /**
   * Frames read from now on go to `onFrame`, up to `max` bytes each (a connection handed from its
   * listener, which takes only a small Hello, to its stream).
   */
  handTo(onFrame: (type: number, payload: Buffer) => void, max = this.max): void {
    this.onFrame = onFrame;
    this.max = max;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.parts.push(chunk);
    this.held += chunk.length;
    for (;;) {
      if (this.need === 0) {
        if (this.held < 4) return;
        const n = this.peekLength();
        if (n < 1 || n > this.max) throw new Error(`a direct Mux frame of ${n} bytes (1..${this.max} allowed)`);
        this.need = 4 + n;
      }
      if (this.held < this.need) return;
      const frame = this.take(this.need);
      this.need = 0;
      this.onFrame(frame[4], frame.subarray(5));
    }
  }

  private peekLength(): number {
    const first = this.parts[0];
    if (first.length >= 4) return first.readUInt32BE(0);
    const b = Buffer.concat(this.parts, 4);
    return b.readUInt32BE(0);
  }

  /** The first `n` held bytes, as a view when they lie in one read, else copied into one buffer. */
  private take(n: number): Buffer {
    const first = this.parts[0];
    this.held -= n;
    if (first.length >= n) {
      if (first.length === n) this.parts.shift();
      else this.parts[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const p = this.parts[0];
      const k = Math.min(p.length, n - at);
      p.copy(out, at, 0, k);
      at += k;
      if (k === p.length) this.parts.shift();
      else this.parts[0] = p.subarray(k);
    }
    return out;
  }
}
