/**
 * The memory the blob data client's sockets read into (read-client.ts). Each socket read lands in a
 * whole pooled buffer; body bytes of that read are lent to the consumer as views of it, and the
 * buffer goes back to the pool once the socket has moved on to another buffer and every view was
 * handed back (`release`, after the consumer's own socket write of the piece completed). Node's
 * http client allocates a new 64 KiB buffer per socket read instead: on distributed 1 MiB GETs the
 * gateway's V8 started a full mark-compact every few dozen MiB received.
 *
 * Reuse is only ever by explicit hand-back, never guessed: a view that is never handed back keeps its
 * buffer out of the pool (the GC takes it with the last view), and a hand-back counts only for the
 * very view object lent, once.
 */
export class ReceiveBuffers {
  private readonly free: Buffer[] = [];
  private readonly lent = new WeakMap<ArrayBufferLike, Lending>();
  /** Reads that landed in a handed-back buffer instead of a new one. */
  reused = 0;

  /**
   * `size`: each buffer (the most one socket read returns); `maxFree`: idle buffers kept (the rest
   * are left to the GC).
   */
  constructor(
    readonly size: number,
    private readonly maxFree: number,
  ) {}

  /** A buffer for a socket to read into, until `doneReading`. */
  forReading(): Buffer {
    let whole = this.free.pop();
    if (whole) this.reused++;
    else whole = Buffer.allocUnsafeSlow(this.size);
    this.lent.set(whole.buffer, { whole, views: new Set(), reading: true });
    return whole;
  }

  /** Whether views of `whole` are still out (the socket must not read into it again). */
  inUse(whole: Buffer): boolean {
    return (this.lent.get(whole.buffer)?.views.size ?? 0) > 0;
  }

  /** The socket reads into `whole` no more (it moved on to another buffer, or closed). */
  doneReading(whole: Buffer): void {
    const l = this.lent.get(whole.buffer);
    if (!l || !l.reading) return;
    l.reading = false;
    if (l.views.size === 0) this.recycle(l);
  }

  /** `whole[start, end)` as a view the consumer hands back with `release`. */
  lend(whole: Buffer, start: number, end: number): Buffer {
    const view = whole.subarray(start, end);
    this.lent.get(whole.buffer)?.views.add(view);
    return view;
  }

  /** Hands back a lent view (the caller must not touch it again). Anything else is ignored. */
  release(view: Buffer): void {
    const l = this.lent.get(view.buffer);
    if (!l || !l.views.delete(view)) return;
    if (l.views.size === 0 && !l.reading) this.recycle(l);
  }

  /** Idle buffers kept. */
  get idle(): number {
    return this.free.length;
  }

  private recycle(l: Lending): void {
    this.lent.delete(l.whole.buffer);
    if (this.free.length < this.maxFree) this.free.push(l.whole);
  }
}

interface Lending {
  readonly whole: Buffer;
  readonly views: Set<Buffer>;
  /** A socket still reads into it. */
  reading: boolean;
}
