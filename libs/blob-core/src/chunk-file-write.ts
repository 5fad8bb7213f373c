import { constants } from 'node:fs';
import { link, open, unlink, type FileHandle } from 'node:fs/promises';
import { ServiceError } from '@massive/contracts';
import { TrailerBuilder } from './chunk-format';
import type { ChunkWrite } from './chunk-store';
import { O_DIRECT, PieceCursor, writeDirect, type StagingPool } from './direct-io';
import { errnoCode, writeAll } from './fs-io';

/**
 * Data is written out in whole units of this many bytes while the chunk is still arriving, aligned for
 * O_DIRECT. A unit goes once more than a unit is pending, so the last (up to a whole unit) waits for
 * `finish` and leaves with the trailer in one write: it fits one staging buffer (direct-io.ts
 * STAGING_SIZE), and a 1 MiB chunk is one write in all.
 */
export const FLUSH_UNIT = 1024 * 1024;

/** What a chunk file write needs from its store (LocalDiskStore). */
export interface ChunkFileEnv {
  readonly staging: StagingPool;
  readonly blockSize: number;
  /** Readies the directories; resolves to whether this write goes through O_DIRECT (asked once). */
  ready(): Promise<boolean>;
  /** Makes an entry created in `dir` durable (an fsync of `dir`, shared with concurrent writes). */
  syncDir(dir: string): Promise<void>;
  /** The error a failure becomes (a full disk: InsufficientStorage). */
  failure(id: string, e: unknown): unknown;
}

export interface ChunkFilePaths {
  readonly id: string;
  /** The directory holding both names (fsynced once the final name exists). */
  readonly dir: string;
  readonly final: string;
  /** Unique to this write; a crash leaves at most this name behind (LocalDiskStore.sweepTemp). */
  readonly temp: string;
}

type State = 'open' | 'finishing' | 'done' | 'failed' | 'aborted';

/**
 * One chunk file written as its data arrives: appended bytes go out to the temp file in FLUSH_UNIT
 * writes, one at a time and in order, while the caller receives the rest. `finish` writes what is
 * left and the trailer (chunk-format.ts), fdatasyncs, links the temp file to its final name (which
 * fails if the chunk exists: write-once), unlinks the temp name and fsyncs the directory. Until the
 * link, nothing exists under the final name, so a crash or a failure leaves no partial chunk.
 *
 * Only the write in flight holds a staging buffer (for its copy and syscall), never a write waiting
 * for data, so slow senders cannot starve the pool. Appended buffers are referenced until written.
 */
export class ChunkFileWrite implements ChunkWrite {
  private state: State = 'open';
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of the temp file written so far (a multiple of FLUSH_UNIT until `finish`). */
  private written = 0;
  private readonly trailer: TrailerBuilder;
  private direct = false;
  private opening?: Promise<FileHandle>;
  /** The background flush loop, while it runs. */
  private flushing?: Promise<void>;
  /** The first failure of a background flush; `finish` throws it. */
  private error?: { readonly cause: unknown };
  /** The temp file may exist (its open was tried) and has not been unlinked. */
  private tempMade = false;

  constructor(
    private readonly env: ChunkFileEnv,
    private readonly paths: ChunkFilePaths,
  ) {
    this.trailer = new TrailerBuilder(env.blockSize);
  }

  append(data: Buffer): void {
    this.assertOpen('append');
    if (data.length === 0) return;
    // The temp file is created at the first byte, not at the first write out: its open (an inode
    // allocated, a turn through the thread pool and back through the event loop: 2-5 ms of a 1 MiB
    // PUT under load here) then overlaps with the data still arriving. A failed open surfaces where the
    // handle is awaited (a flush, or finish); the catch only keeps it from being reported unhandled.
    // A descriptor is then held for each chunk being received (as it was already for one past a unit):
    // the gateway's body budget bounds those (256 MiB of chunked bodies over 128 KiB: 2,048 at most).
    if (!this.opening) this.handle().catch(() => undefined);
    this.trailer.update(data);
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes > FLUSH_UNIT && !this.flushing && !this.error) {
      // Cleared by a callback, which always runs after this assignment (a flush with nothing to do
      // settles at once: clearing in flush() itself would run first, and leave a flush set forever).
      const run: Promise<void> = this.flush().finally(() => {
        if (this.flushing === run) this.flushing = undefined;
      });
      this.flushing = run;
    }
  }

  async finish(): Promise<void> {
    this.assertOpen('finish');
    this.state = 'finishing';
    const { temp, final, dir, id } = this.paths;
    try {
      while (this.flushing) await this.flushing;
      if (this.error) throw this.error.cause;
      const rest = this.pending;
      this.pending = [];
      rest.push(this.trailer.finish());
      let total = 0;
      for (const p of rest) total += p.length;
      // The file is whole 4 KiB blocks (chunk format 2: FILE_ALIGN), so all of it goes direct.
      const fh = await this.writeOut(rest, total);
      await fh.datasync();
      this.opening = undefined;
      // The data is durable: the descriptor has nothing left to do, so it closes alongside the link, and
      // the temp name goes alongside the directory's fsync (which need only cover the final name: a temp
      // name a crash keeps is swept at startup). Each await here is a turn through the thread pool and the
      // event loop, 1.5-2 ms under 8 concurrent 1 MiB PUTs here; these two were 3 of a chunk's ~17 ms from
      // its last byte to durable. A close error after the fdatasync loses nothing, so it fails nothing.
      const closing = fh.close().catch(() => undefined);
      try {
        await link(temp, final);
      } catch (e) {
        await closing;
        if (errnoCode(e) === 'EEXIST') throw new ServiceError('Internal', `chunk ${id} already exists; chunks are write-once (one write per intent)`);
        throw e; // the temp file is removed by discard(), below
      }
      this.tempMade = false;
      await Promise.all([this.env.syncDir(dir), unlink(temp).catch(() => undefined), closing]);
      this.state = 'done';
    } catch (e) {
      this.state = 'failed';
      await this.discard();
      throw this.env.failure(id, e);
    }
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return; // finished, finishing (finish owns the outcome) or aborted
    this.state = 'aborted';
    this.pending = [];
    this.pendingBytes = 0;
    while (this.flushing) await this.flushing;
    await this.discard();
  }

  /** Writes whole units while there are some (and the write is not aborted); records a failure. */
  private async flush(): Promise<void> {
    try {
      while (this.pendingBytes > FLUSH_UNIT && this.state !== 'aborted') {
        await this.writeOut(this.take(FLUSH_UNIT), FLUSH_UNIT);
        this.written += FLUSH_UNIT;
      }
    } catch (e) {
      this.error = { cause: e };
      this.pending = [];
      this.pendingBytes = 0;
    }
  }

  private assertOpen(op: 'append' | 'finish'): void {
    if (this.state !== 'open') throw new Error(`chunk ${this.paths.id}: ${op} after the write ${this.state === 'finishing' ? 'was finished' : `is ${this.state}`}`);
  }

  /** Writes `length` bytes of `pieces` at `written` (direct: a whole number of blocks); the temp file's handle. */
  private async writeOut(pieces: Buffer[], length: number): Promise<FileHandle> {
    const fh = await this.handle();
    if (this.direct) await writeDirect(fh, new PieceCursor(pieces), length, this.env.staging, this.written);
    else await writeAll(fh, pieces, this.written);
    return fh;
  }

  /** The first `n` pending bytes as slices (no copy), removed from `pending`. */
  private take(n: number): Buffer[] {
    const out: Buffer[] = [];
    let need = n;
    while (need > 0) {
      const p = this.pending[0];
      if (p.length <= need) {
        out.push(p);
        this.pending.shift();
        need -= p.length;
      } else {
        out.push(p.subarray(0, need));
        this.pending[0] = p.subarray(need);
        need = 0;
      }
    }
    this.pendingBytes -= n;
    return out;
  }

  /** The temp file, created on first use (direct or buffered, as the store says then). */
  private handle(): Promise<FileHandle> {
    this.opening ??= (async () => {
      this.tempMade = true;
      this.direct = (await this.env.ready()) && O_DIRECT !== undefined;
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (this.direct ? (O_DIRECT as number) : 0);
      return open(this.paths.temp, flags, 0o666);
    })();
    return this.opening;
  }

  /** Closes what is open and removes the temp file (also when its open failed: Linux creates the file before it checks O_DIRECT). */
  private async discard(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    await opening?.then((fh) => fh.close()).catch(() => undefined);
    if (this.tempMade) {
      this.tempMade = false;
      await unlink(this.paths.temp).catch(() => undefined);
    }
  }
}
