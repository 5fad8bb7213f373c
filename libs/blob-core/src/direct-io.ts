import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { errnoCode } from './fs-io';

/**
 * Direct I/O (O_DIRECT) for chunk files: data moves between the device and our own buffers, never
 * through the page cache.
 *
 * Why: a buffered write of a new file allocates a page-cache page for every 4 KiB and copies into
 * it. Measured on the bench box (2026-12-03, ext4 on virtio-blk), writing and fdatasyncing fresh 1 MiB
 * files costs 460-3,460 µs of CPU per MiB buffered and 180-280 µs direct; `perf` put the buffered
 * copy (`copy_folio_from_iter_atomic`) at a third of the gateway's CPU during 1 MiB PUTs. Reading
 * a chunk that is not cached costs 370-480 µs per MiB buffered (page-cache pages again) and 110-150 µs
 * direct. MinIO and Ceph's BlueStore write object data with O_DIRECT for the same reason, and a
 * chunk is written once, then read by GETs that the page cache rarely serves twice.
 *
 * O_DIRECT needs the buffer address, the file offset and the length aligned (to the device's logical
 * block, 512 or 4096: we use 4096, the page size, which satisfies both). Node has no aligned
 * allocation, but a WebAssembly.Memory is page-aligned (V8 reserves it with the OS page allocator), so
 * the staging buffers are slices of such memories: the data is copied into one (a userland memcpy,
 * ~30 µs per MiB here) and written from there. Chunk files are whole 4 KiB blocks (chunk format 2
 * pads them), so no part of one needs a buffered write.
 * Reads skip the copy when they land in a page-aligned read buffer (ReadBufferPool's, WebAssembly
 * memory too) with room for whole blocks: see readDirect.
 */
export const DIRECT_ALIGN = 4096;
/**
 * One staging buffer: the most a single direct read or write moves. 1 MiB and 64 KiB, so a whole
 * 1 MiB chunk file (data, trailer, footer) is read in one request to the device, not two.
 */
export const STAGING_SIZE = 1024 * 1024 + 64 * 1024;
const SLOTS_PER_ARENA = 8;
const WASM_PAGE = 64 * 1024;

export const O_DIRECT: number | undefined = (constants as { O_DIRECT?: number }).O_DIRECT;

/** The WebAssembly global (its value side is not in this project's lib typings). */
const { Memory: WasmMemory } = (globalThis as unknown as {
  WebAssembly: { Memory: new (size: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer } };
}).WebAssembly;

/**
 * Page-aligned staging buffers of STAGING_SIZE, made on demand in arenas of 8 (one WebAssembly.Memory
 * each) up to `maxSlots`; past that, `acquire` waits for a release. Each I/O holds one buffer at a
 * time and releases it when its syscall is done, so waiting cannot deadlock.
 */
export class StagingPool {
  private readonly free: Buffer[] = [];
  private readonly waiters: Array<(b: Buffer) => void> = [];
  private made = 0;

  constructor(private readonly maxSlots = 32) {}

  /** Buffers made so far (each STAGING_SIZE bytes of memory, kept for reuse). */
  get size(): number {
    return this.made;
  }

  acquire(): Promise<Buffer> | Buffer {
    const b = this.free.pop();
    if (b) return b;
    if (this.made < this.maxSlots) {
      const slots = alignedSlots(STAGING_SIZE, SLOTS_PER_ARENA);
      for (let i = slots.length - 1; i >= 1; i--) this.free.push(slots[i]);
      this.made += slots.length;
      return slots[0];
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(b: Buffer): void {
    const next = this.waiters.shift();
    if (next) next(b);
    else this.free.push(b);
  }
}

/**
 * `count` page-aligned buffers of `size` bytes (a multiple of DIRECT_ALIGN), slots of one new
 * WebAssembly.Memory: its memory is page-aligned, and lives as long as any of its slots is referenced.
 * Throws RangeError where the memory cannot be had (V8 reserves address space for each memory).
 */
export function alignedSlots(size: number, count: number): Buffer[] {
  if (size % DIRECT_ALIGN !== 0 || count < 1) throw new RangeError(`aligned slots of ${size} bytes: not a multiple of ${DIRECT_ALIGN}`);
  const pages = Math.ceil((size * count) / WASM_PAGE);
  const arena = Buffer.from(new WasmMemory({ initial: pages, maximum: pages }).buffer);
  return Array.from({ length: count }, (_, i) => arena.subarray(i * size, (i + 1) * size));
}

let shared: StagingPool | undefined;

/**
 * The process's staging pool, shared by every store in it: its size caps the direct I/Os in flight
 * (and their memory, 32 × STAGING_SIZE) whatever the number of stores.
 */
export function sharedStagingPool(): StagingPool {
  shared ??= new StagingPool();
  return shared;
}

/** Copies a list of buffers out in order, as if they were one. */
export class PieceCursor {
  private i = 0;
  private off = 0;

  constructor(private readonly pieces: readonly Buffer[]) {}

  /** Copies the next `n` bytes into `dst` from 0 (the caller knows they are there). */
  copyTo(dst: Buffer, n: number): void {
    for (let at = 0; at < n; ) {
      const p = this.pieces[this.i];
      const take = Math.min(p.length - this.off, n - at);
      p.copy(dst, at, this.off, this.off + take);
      at += take;
      this.off += take;
      if (this.off === p.length) {
        this.i++;
        this.off = 0;
      }
    }
  }

  /** What is left, without copying. */
  rest(): Buffer[] {
    const out: Buffer[] = [];
    for (let i = this.i; i < this.pieces.length; i++) {
      const p = i === this.i ? this.pieces[i].subarray(this.off) : this.pieces[i];
      if (p.length > 0) out.push(p);
    }
    return out;
  }
}

/**
 * Writes `length` bytes of `cursor` at `position` onward through `fh` (opened with O_DIRECT): whole
 * STAGING_SIZE pieces, then what is left; `length` and `position` must be multiples of DIRECT_ALIGN.
 */
export async function writeDirect(fh: FileHandle, cursor: PieceCursor, length: number, pool: StagingPool, position = 0): Promise<void> {
  if (length % DIRECT_ALIGN !== 0) throw new RangeError(`direct write of ${length} bytes: not a multiple of ${DIRECT_ALIGN}`);
  if (position % DIRECT_ALIGN !== 0) throw new RangeError(`direct write at ${position}: not a multiple of ${DIRECT_ALIGN}`);
  if (length === 0) return;
  const slot = await pool.acquire();
  try {
    for (let pos = 0; pos < length; ) {
      const n = Math.min(slot.length, length - pos);
      cursor.copyTo(slot, n);
      for (let done = 0; done < n; ) {
        const { bytesWritten } = await fh.write(slot, done, n - done, position + pos + done);
        // A short direct write ends on a block boundary (or fails): the rest stays aligned.
        if (bytesWritten <= 0 || bytesWritten % DIRECT_ALIGN !== 0) throw new Error(`direct write made ${bytesWritten} bytes of progress`);
        done += bytesWritten;
      }
      pos += n;
    }
  } finally {
    pool.release(slot);
  }
}

/**
 * Fills `dst` with the file's bytes from `position` through `fh` (opened with O_DIRECT); returns how
 * many bytes were read (fewer only at EOF). `room`: bytes from `dst`'s start that are ours to write
 * (dst and what follows it in its buffer), 0 unless dst is page-aligned memory (ReadBufferPool's). When
 * `position` is aligned and the room holds `dst` rounded up to a block, the device writes straight
 * into it; otherwise aligned spans are read into a staging buffer and copied out.
 */
export async function readDirect(fh: FileHandle, dst: Buffer, position: number, pool: StagingPool, room = 0): Promise<number> {
  if (dst.length === 0) return 0;
  const whole = roundUp(dst.length);
  if (position % DIRECT_ALIGN === 0 && room >= whole) {
    const into = new Uint8Array(dst.buffer, dst.byteOffset, whole);
    let done = 0;
    while (done < dst.length) {
      const { bytesRead } = await fh.read(into, done, whole - done, position + done);
      done += bytesRead;
      // Short: the end of the file (a direct read otherwise moves whole blocks, so `done` stays aligned).
      if (bytesRead <= 0 || bytesRead % DIRECT_ALIGN !== 0) break;
    }
    return Math.min(done, dst.length);
  }
  const slot = await pool.acquire();
  try {
    let done = 0;
    while (done < dst.length) {
      const pos = position + done;
      const start = pos - (pos % DIRECT_ALIGN);
      const skip = pos - start;
      const want = Math.min(slot.length, roundUp(skip + dst.length - done));
      const { bytesRead } = await fh.read(slot, 0, want, start);
      if (bytesRead <= skip) break;
      const n = Math.min(bytesRead - skip, dst.length - done);
      slot.copy(dst, done, skip, skip + n);
      done += n;
      if (bytesRead < want) break;
    }
    return done;
  } finally {
    pool.release(slot);
  }
}

/** The filesystem or device refuses direct I/O (tmpfs before Linux 6.6, some FUSE and network filesystems). */
export function isDirectIoRefused(e: unknown): boolean {
  return errnoCode(e) === 'EINVAL' || errnoCode(e) === 'EOPNOTSUPP';
}

function roundUp(n: number): number {
  return Math.ceil(n / DIRECT_ALIGN) * DIRECT_ALIGN;
}
