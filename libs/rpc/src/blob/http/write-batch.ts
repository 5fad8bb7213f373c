import type { Writable } from 'node:stream';

/** A batch is written as soon as it holds this much. */
export const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * Body pieces written in batches: the pieces that arrive within one turn of the event loop (or until
 * WRITE_BATCH_BYTES) leave in one corked write, one writev, instead of a syscall each. A request body
 * comes in the 64 KiB pieces Node's socket reads return; measured on loopback TCP here (2026-12-07),
 * 64 KiB writes cost the sender 410-550 µs of CPU per MiB, the same bytes corked 16 to a writev
 * 220-270 µs, as 1 MiB writes do. Pieces wait at most until the event loop's check phase (setImmediate),
 * so a body that trickles in is not held back.
 *
 * Backpressure: once a batch's write finds the stream full, `blocked` is set until `drained()`
 * resolves; the caller stops adding meanwhile, so at most one batch waits beyond the stream's buffer.
 */
export class WriteBatch {
  private pieces: Buffer[] = [];
  private bytes = 0;
  private scheduled?: NodeJS.Immediate;
  /** The last batch found the stream full: wait for `drained()` before adding more. */
  blocked = false;

  constructor(
    private readonly out: Writable,
    private readonly maxBytes = WRITE_BATCH_BYTES,
  ) {}

  add(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pieces.push(piece);
    this.bytes += piece.length;
    if (this.bytes >= this.maxBytes) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Writes what is batched now (before the stream is ended, or given up). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const pieces = this.pieces;
    this.pieces = [];
    this.bytes = 0;
    if (pieces.length === 0 || this.out.destroyed) return;
    this.out.cork();
    let ok = true;
    for (const p of pieces) ok = this.out.write(p);
    this.out.uncork();
    if (!ok) this.blocked = true;
  }

  /** Drops what is batched (the request failed). */
  discard(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.pieces = [];
    this.bytes = 0;
  }

  /** Resolves once the stream has room again (or is closed); `blocked` is then cleared. */
  async drained(): Promise<void> {
    if (this.blocked && !this.out.destroyed && this.out.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.out.off('drain', done);
          this.out.off('close', done);
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
      });
    }
    this.blocked = false;
  }
}
