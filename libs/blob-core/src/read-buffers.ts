import { alignedSlots, DIRECT_ALIGN, O_DIRECT } from './direct-io';

export interface ReadBufferPoolOptions {
  /**
   * Pooled buffers are page-aligned memory, so that a direct read (O_DIRECT) lands in them straight
   * from the device instead of in a staging buffer and then a copy (`directRoom`; readDirect). Each is
   * a WebAssembly.Memory of its own (Node has no aligned allocation; V8 reserves address space for
   * each, not memory), at most `maxFree` alive at once: past that, reads get plain buffers (copied
   * into), which are kept and reused too, but lent only when no aligned one is idle or can be made.
   * One never handed back is reclaimed by the GC like any buffer, and the pool makes another in its
   * place.
   */
  readonly aligned?: boolean;
}

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
  /** Idle aligned buffers (all of them, when the pool is not aligned). */
  private readonly free: Buffer[] = [];
  /**
   * Idle plain buffers of an aligned pool: made while every aligned one allowed was out (lent, or lost
   * and not yet collected). Kept, so that such a stretch does not allocate a buffer per read (the GC
   * pressure the pool is for), but lent after the aligned ones, and dropped one by one as aligned ones
   * come back. Both lists together hold at most `maxFree`.
   */
  private readonly plainFree: Buffer[] = [];
  /** Lent buffers by their memory: the whole buffer and the view handed out. */
  private readonly lent = new WeakMap<ArrayBufferLike, { whole: Buffer; view: Buffer }>();
  /** Reads that landed in a handed-back buffer instead of a new one (`blob_read_buffers_reused_total`). */
  reused = 0;
  private aligned: boolean;
  /** The memories of the aligned buffers alive (lent, idle, or lost and not yet collected). */
  private readonly alignedMemory = new WeakSet<ArrayBufferLike>();
  private alignedAlive = 0;
  private readonly alignedCollected = new FinalizationRegistry<undefined>(() => {
    this.alignedAlive--;
  });

  /**
   * `capacity`: the size of each pooled buffer (larger reads get a buffer of their own); `maxFree`:
   * how many idle ones are kept (the rest are left to the GC).
   */
  constructor(
    readonly capacity: number,
    private readonly maxFree: number,
    options: ReadBufferPoolOptions = {},
  ) {
    this.aligned = options.aligned === true && capacity % DIRECT_ALIGN === 0;
  }

  /** A buffer of exactly `size` bytes, contents undefined. */
  acquire(size: number): Buffer {
    if (size > this.capacity || size === 0) return Buffer.allocUnsafeSlow(size);
    let whole = this.free.pop();
    if (whole) this.reused++;
    else if ((whole = this.makeAligned())) this.plainFree.pop(); // one plain idle buffer fewer is needed
    else if ((whole = this.plainFree.pop())) this.reused++;
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
    const whole = l.whole;
    if (!this.aligned || this.alignedMemory.has(whole.buffer)) {
      // An aligned one is kept before a plain one: it takes a plain one's place when full.
      if (this.free.length + this.plainFree.length >= this.maxFree) this.plainFree.pop();
      if (this.free.length < this.maxFree) this.free.push(whole);
    } else if (this.free.length + this.plainFree.length < this.maxFree) this.plainFree.push(whole);
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
    return this.free.length + this.plainFree.length;
  }

  /**
   * How many bytes from `buf`'s start a direct read may write (see readDirect): to the end of its
   * buffer when `buf` is a page-aligned view into an aligned one (what `acquire` lends), else 0.
   */
  directRoom(buf: Buffer): number {
    if (buf.byteOffset % DIRECT_ALIGN !== 0 || !this.alignedMemory.has(buf.buffer)) return 0;
    return Math.min(buf.buffer.byteLength, this.capacity) - buf.byteOffset;
  }

  /** A new aligned buffer, if the pool is aligned and fewer than `maxFree` are alive. */
  private makeAligned(): Buffer | undefined {
    if (!this.aligned || this.alignedAlive >= this.maxFree) return undefined;
    let whole: Buffer;
    try {
      whole = alignedSlots(this.capacity, 1)[0];
    } catch {
      // No address space for another memory (a ulimit -v, say): plain buffers from now on.
      this.aligned = false;
      return undefined;
    }
    this.alignedMemory.add(whole.buffer);
    this.alignedCollected.register(whole.buffer, undefined);
    this.alignedAlive++;
    return whole;
  }
}

/** 1 MiB pieces and whole 1 MiB chunk files (data, CRC trailer, footer). */
export const READ_BUFFER_SIZE = 1024 * 1024 + 64 * 1024;
/** Enough for 8 GETs with 3 pieces read ahead each, and their piece in the socket. */
const MAX_IDLE_READ_BUFFERS = 32;

let shared: ReadBufferPool | undefined;

/** The process's pool: every store and consumer in one process shares it. */
export function sharedReadBuffers(): ReadBufferPool {
  shared ??= new ReadBufferPool(READ_BUFFER_SIZE, MAX_IDLE_READ_BUFFERS, { aligned: O_DIRECT !== undefined });
  return shared;
}
