/**
 * Buffers that chunk reads land in, handed back by the consumer once nothing refers to them any more
 * (the socket write of the piece completed) and reused for the next read. Each 1 MiB GET allocated a
 * fresh 1 MiB buffer otherwise: outside V8's heap, but counted against it, so every 64 MiB read started
 * a full mark-compact: a quarter of the CPU of 1 MiB GETs went to GC.
 *
 * Reuse is only ever by explicit hand-back (`release`), never guessed: a piece that is not handed back
 * is garbage-collected as any buffer. A hand-back counts only for the very Buffer object `acquire`
 * returned (not a slice of it, not a stale one from an earlier lending), so a consumer that hands back
 * twice, or late, cannot give away memory another read is using.
 */
export class ReadBufferPool {
  private readonly free: Buffer[] = [];
  /** Lent buffers by their memory: the whole buffer and the view handed out. */
  private readonly lent = new WeakMap<ArrayBufferLike, { whole: Buffer; view: Buffer }>();
  /** Reads that landed in a handed-back buffer instead of a new one (`blob_read_buffers_reused_total`). */
  reused = 0;

  /**
   * `capacity`: the size of each pooled buffer (larger reads get a buffer of their own); `maxFree`:
   * how many idle ones are kept (the rest are left to the GC).
   */
  constructor(
    readonly capacity: number,
    private readonly maxFree: number,
  ) {}

  /** A buffer of exactly `size` bytes, contents undefined. */
  acquire(size: number): Buffer {
    if (size > this.capacity || size === 0) return Buffer.allocUnsafeSlow(size);
    let whole = this.free.pop();
    if (whole) this.reused++;
    else whole = Buffer.allocUnsafeSlow(this.capacity);
    const view = whole.subarray(0, size);
    this.lent.set(whole.buffer, { whole, view });
    return view;
  }

  /**
   * Hands back `buf` (a buffer `acquire` returned, or a view of one: see `adopt`) for reuse: the caller
   * must not touch it again. Anything else is ignored.
   */
  release(buf: Buffer): void {
    const l = this.lent.get(buf.buffer);
    if (!l || l.view !== buf) return;
    this.lent.delete(buf.buffer);
    if (this.free.length < this.maxFree) this.free.push(l.whole);
  }

  /**
   * `part`, a view into a lent buffer that its reader returns instead of the buffer itself (the data
   * without its checksum trailer), becomes the view a hand-back must name.
   */
  adopt(part: Buffer): Buffer {
    const l = this.lent.get(part.buffer);
    if (l) l.view = part;
    return part;
  }

  /** Idle buffers kept (`blob_read_buffers_idle`). */
  get idle(): number {
    return this.free.length;
  }
}

/** 1 MiB pieces and whole 1 MiB chunk files (data, CRC trailer, footer). */
export const READ_BUFFER_SIZE = 1024 * 1024 + 64 * 1024;
/** Enough for 8 GETs with 3 pieces read ahead each, and their piece in the socket. */
const MAX_IDLE_READ_BUFFERS = 32;

let shared: ReadBufferPool | undefined;

/** The process's pool: every store and consumer in one process shares it. */
export function sharedReadBuffers(): ReadBufferPool {
  shared ??= new ReadBufferPool(READ_BUFFER_SIZE, MAX_IDLE_READ_BUFFERS);
  return shared;
}
