import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rm, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { assertReplicaId, ServiceError, type SpaceReserve } from '@massive/contracts';
import { assertIntentId, formatChunkId, parseChunkId, type ParsedChunkId } from './chunk-id';
import {
  assertBlockSize,
  corrupt,
  decodeFooter,
  DEFAULT_BLOCK_SIZE,
  FOOTER_SIZE,
  verifyBlocks,
  verifyTrailer,
  type ChunkLayout,
} from './chunk-format';
import { assertChunkRange, type ChunkRange, type ChunkReader, type ChunkStore, type ChunkWrite } from './chunk-store';
import { ChunkFileWrite, type ChunkFileEnv } from './chunk-file-write';
import { DIRECT_ALIGN, isDirectIoRefused, O_DIRECT, readDirect, sharedStagingPool } from './direct-io';
import { sharedReadBuffers } from './read-buffers';
import { DirSyncer, KeptDirs } from './dir-sync';
import { HandleCache } from './handle-cache';
import { errnoCode, fsyncDir, readFully } from './fs-io';

export interface LocalDiskStoreOptions {
  /** Checksum block size of new chunk files (default 64 KiB). Files record their own block size. */
  readonly blockSize?: number;
  /**
   * Distributed mode: the blob replica owning this disk (see replica-identity.ts). New ids are minted
   * `@<replicaId>/<intentId>.<seq>`; ids of another replica are refused with `Unavailable` (a misrouted
   * call must never read, or report missing, a chunk that lives elsewhere). Plain `<intentId>.<seq>` ids
   * (local mode, or written before replica ids) name the same files and keep working.
   */
  readonly replicaId?: string;
  /**
   * Chunk data bypasses the page cache (O_DIRECT; see direct-io.ts). Default: on where the platform
   * has O_DIRECT (Linux). A filesystem that refuses it (EINVAL or EOPNOTSUPP from the probe at first
   * use, or from opening a chunk) turns it off for the store, which then reads and writes through the
   * page cache; `directIo` tells which.
   */
  readonly directIo?: boolean;
  /** Told once when the filesystem refuses direct I/O and the store falls back to buffered I/O. */
  readonly onDirectIoRefused?: (err: unknown) => void;
  /**
   * Chunk files kept open between reads (see handle-cache.ts), least recently used closed first
   * (default 256; 0 opens and closes the file on every read).
   */
  readonly openFiles?: number;
  /** A kept chunk file unused this long is closed (default 10 s). */
  readonly openFileIdleMs?: number;
  /**
   * The free space kept for deletes (observability's DiskSpaceReserve over this directory): while it
   * is low, `put` and `openWrite` refuse with InsufficientStorage before writing anything.
   */
  readonly spaceReserve?: SpaceReserve;
}

/** A chunk file open for reads: its size (chunk files never change), and its checksums once a range read needed them. */
interface OpenChunk {
  readonly fh: FileHandle;
  readonly size: number;
  checks?: Promise<ChunkChecks>;
}

interface ChunkChecks {
  readonly layout: ChunkLayout;
  readonly trailer: Buffer;
}

/** Chunk files in a fan directory: `<intentId>.<seq>`; temp files start with a dot. */
const FLAT_NAME = /^([A-Za-z0-9_-]{1,128})\.(0|[1-9][0-9]{0,9})$/;
const FLAT_TEMP_NAME = /^\.[A-Za-z0-9_-]{1,128}\.(0|[1-9][0-9]{0,9})\.([0-9a-f]{12})\.([0-9]+)\.tmp$/;
/** Legacy layout, inside `<fan>/<intentId>/`: the bare sequence number, and its temp files. */
const LEGACY_NAME = /^(0|[1-9][0-9]{0,9})$/;
const LEGACY_TEMP_NAME = /^\.(0|[1-9][0-9]{0,9})\.([0-9a-f]{12})\.([0-9]+)\.tmp$/;
/** The scratch file of the direct-I/O probe, in the chunks directory. */
const PROBE_NAME = /^\.direct-io-probe\.([0-9a-f]{12})$/;
/** Intent ids have no dot, so a fan directory entry without one is a legacy intent directory. */
const INTENT_DIR_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const FAN_COUNT = 256;
/** One read of the file's tail usually fetches footer and trailer together. */
const TAIL_READ = 4096;

/**
 * Chunks as files: `<dir>/chunks/<fan>/<intentId>.<seq>`, where `<fan>` is two hex digits of
 * CRC-32(intentId), so no directory grows huge. Ids are `<intentId>.<seq>`, or
 * `@<replicaId>/<intentId>.<seq>` on a replica in distributed mode (see chunk-id.ts), and are validated
 * before any path is built. File format: chunk-format.ts.
 *
 * A write (`openWrite`, or `put` of a whole chunk) writes `.<intentId>.<seq>.<instance>.<n>.tmp` in
 * the fan directory, whole MiB as they arrive, the rest at the end (chunk-file-write.ts); then it
 * fdatasyncs it, hard-links it to its final name (which fails if the chunk exists: chunks are
 * write-once), unlinks the temp name and fsyncs the fan directory. A crash leaves at most a temp file,
 * never a partial chunk under a final name; call `sweepTemp()` at startup to remove them. One process
 * per data directory.
 *
 * Sync budget per chunk: one fdatasync of its file, and one fsync of its fan directory shared with
 * every chunk linked into that directory meanwhile (DirSyncer), through a descriptor kept open
 * (KeptDirs: opening and closing it were two more of a chunk write's thread-pool calls, twelve in all).
 * The 256 fan directories are created, durably, by the first write, so later writes never create a
 * directory. (Before 2026-12 each intent had a directory `<fan>/<intentId>/<seq>`: a new directory
 * per write and one more fsync, of its parent. Such chunks are still read, listed, swept and deleted.)
 */
export class LocalDiskStore implements ChunkStore {
  private readonly root: string;
  private readonly blockSize: number;
  private readonly replicaId: string | undefined;
  /** Marks this instance's temp files so `sweepTemp` never removes a write in progress. */
  private readonly instance = randomBytes(6).toString('hex');
  private tempCounter = 0;
  /** The fan directories' descriptors, kept open for their fsyncs. */
  private readonly fanDirs = new KeptDirs();
  private readonly dirSync = new DirSyncer(this.fanDirs.fsync);
  /** The fan directories, created (durably) by the first write. */
  private fans?: Promise<void>;
  private direct: boolean;
  /** Whether the filesystem takes direct I/O, found out once (before the first direct open). */
  private directProbe?: Promise<void>;
  /** Reads have waited for the probe once (whatever its outcome: a failed one is retried by writes only). */
  private readsProbed = false;
  private readonly staging = sharedStagingPool();
  /** Where reads land; the consumer hands pieces back (release) once its socket has them. */
  private readonly readBuffers = sharedReadBuffers();
  /** Handles opened with O_DIRECT (read through staging buffers). */
  private readonly directHandles = new WeakSet<FileHandle>();
  private readonly onDirectIoRefused?: (err: unknown) => void;
  /** Chunk files open for reads, by `<intentId>.<seq>`; evicted before a chunk is deleted. */
  private readonly handles: HandleCache<OpenChunk>;
  private readonly reserve?: SpaceReserve;
  /** What chunk file writes need from this store. */
  private readonly writeEnv: ChunkFileEnv;

  constructor(dir: string, options: LocalDiskStoreOptions = {}) {
    this.root = join(dir, 'chunks');
    this.reserve = options.spaceReserve;
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    assertBlockSize(this.blockSize);
    this.writeEnv = {
      staging: this.staging,
      blockSize: this.blockSize,
      ready: async () => {
        await this.ensureFans();
        if (this.direct) await this.probeDirect();
        return this.direct;
      },
      syncDir: (dir) => this.dirSync.sync(dir),
      failure: (id, e) => this.noRoom(id, e),
    };
    if (options.replicaId !== undefined) assertReplicaId(options.replicaId);
    this.replicaId = options.replicaId;
    this.direct = (options.directIo ?? true) && O_DIRECT !== undefined;
    this.onDirectIoRefused = options.onDirectIoRefused;
    this.handles = new HandleCache<OpenChunk>({
      capacity: options.openFiles ?? 256,
      idleMs: options.openFileIdleMs ?? 10_000,
      close: (f) => f.fh.close(),
    });
  }

  /** Chunk files kept open for reads now, and reads that found theirs open (`blob_chunk_files_open`, `blob_chunk_file_reuses_total`). */
  get openFiles(): { readonly open: number; readonly reused: number } {
    return { open: this.handles.size, reused: this.handles.hits };
  }

  /** Closes the chunk files and fan directories kept open (reads in flight finish first). */
  close(): void {
    this.handles.clear();
    this.fanDirs.close();
  }

  /** Whether chunk data bypasses the page cache (false if turned off, or refused by the filesystem). */
  get directIo(): boolean {
    return this.direct;
  }

  async allocate(intentId: string, seq: number): Promise<string> {
    return formatChunkId(intentId, seq, this.replicaId);
  }

  async put(id: string, data: readonly Buffer[]): Promise<void> {
    const w = this.openWrite(id);
    for (const d of data) w.append(d);
    await w.finish();
  }

  openWrite(id: string): ChunkWrite {
    const { intentId, seq } = this.parse(id);
    if (this.reserve?.low()) throw new ServiceError('InsufficientStorage', `chunk ${id} refused: ${this.reserve.describe()}`);
    // Nothing should be open under a name not yet written; a stale entry (the intent was reclaimed and
    // its writer went on) must not outlive the new file.
    this.handles.evict(`${intentId}.${seq}`);
    const dir = this.fanDir(intentId);
    return new ChunkFileWrite(this.writeEnv, {
      id,
      dir,
      final: join(dir, `${intentId}.${seq}`),
      temp: join(dir, `.${intentId}.${seq}.${this.instance}.${this.tempCounter++}.tmp`),
    });
  }



  /** ENOSPC or EDQUOT (the disk filled since the reserve was last measured) → InsufficientStorage. */
  private noRoom(id: string, e: unknown): unknown {
    const code = errnoCode(e);
    if (code !== 'ENOSPC' && code !== 'EDQUOT') return e;
    this.reserve?.noteFull();
    return new ServiceError('InsufficientStorage', `chunk ${id} not written: the disk holding ${this.root} is full (${code})`);
  }

  private refuseDirect(err: unknown): void {
    if (!this.direct) return;
    this.direct = false;
    this.onDirectIoRefused?.(err);
  }

  /**
   * Once: a 4 KiB direct write and read of a scratch file in the store's root. A filesystem that
   * refuses either (EINVAL, EOPNOTSUPP) turns direct I/O off for the store; any other failure is
   * retried by the next caller.
   */
  private probeDirect(): Promise<void> {
    this.directProbe ??= (async () => {
      await this.ensureFans();
      const path = join(this.root, `.direct-io-probe.${this.instance}`);
      const slot = await this.staging.acquire();
      let fh: FileHandle | undefined;
      try {
        slot.fill(0x5a, 0, DIRECT_ALIGN);
        fh = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | (O_DIRECT as number), 0o600);
        await fh.write(slot, 0, DIRECT_ALIGN, 0);
        await fh.read(slot, 0, DIRECT_ALIGN, 0);
      } catch (e) {
        if (!isDirectIoRefused(e)) throw e;
        this.refuseDirect(e);
      } finally {
        this.staging.release(slot);
        await fh?.close().catch(() => undefined);
        await unlink(path).catch(() => undefined);
      }
    })().catch((e: unknown) => {
      this.directProbe = undefined;
      throw e;
    });
    return this.directProbe;
  }

  async read(id: string, range?: ChunkRange): Promise<Buffer> {
    const { intentId, seq } = this.parse(id);
    if (range) assertChunkRange(range);
    const key = `${intentId}.${seq}`;
    const lease = await this.handles.acquire(key, () => this.openChunkFile(id, intentId, seq));
    try {
      const f = lease.value;
      return range ? await this.readBlocks(id, f.fh, await this.checksOf(id, f), range) : await this.readWhole(id, f.fh, f.size);
    } catch (e) {
      // Whatever went wrong, the next read starts from a fresh open.
      this.handles.evict(key);
      throw e;
    } finally {
      lease.release();
    }
  }

  release(buf: Buffer): void {
    this.readBuffers.release(buf);
  }

  async openChunk(id: string): Promise<ChunkReader> {
    const { intentId, seq } = this.parse(id);
    const key = `${intentId}.${seq}`;
    const lease = await this.handles.acquire(key, () => this.openChunkFile(id, intentId, seq));
    const f = lease.value;
    try {
      const checks = await this.checksOf(id, f);
      return {
        read: async (range) => {
          assertChunkRange(range);
          return this.readBlocks(id, f.fh, checks, range);
        },
        close: async () => lease.release(),
      };
    } catch (e) {
      this.handles.evict(key);
      lease.release();
      throw e;
    }
  }

  async delete(id: string): Promise<void> {
    const { intentId, seq } = this.parse(id);
    const key = `${intentId}.${seq}`;
    // Evicted before the unlink, so no read after the delete finds the file through a kept descriptor,
    // and after it, so a read that opened the file meanwhile does not keep it open.
    this.handles.evict(key);
    try {
      await this.unlinkChunk(intentId, seq);
    } finally {
      this.handles.evict(key);
    }
  }

  private async unlinkChunk(intentId: string, seq: number): Promise<void> {
    const fan = this.fanDir(intentId);
    if (await unlinkIfExists(this.flatPath(intentId, seq))) {
      await this.dirSync.sync(fan);
      return;
    }
    const dir = this.legacyDir(intentId);
    if (!(await unlinkIfExists(join(dir, String(seq))))) return;
    // Drop a legacy intent directory once its last chunk is gone, so GC'd intents leave nothing behind.
    // A concurrent delete of the intent's last other chunk may remove the directory first: its
    // fsync of the parent then makes our unlink durable too.
    if (await rmdir(dir).then(() => true, () => false)) await this.dirSync.sync(fan);
    else await fsyncDir(dir).catch(ignoreMissing);
  }

  async deleteIntent(intentId: string): Promise<void> {
    assertIntentId(intentId);
    const prefix = `${intentId}.`;
    const evict = () => this.handles.evictWhere((key) => key.startsWith(prefix));
    evict(); // before and after the removal, as in delete
    try {
      const fan = this.fanDir(intentId);
      await rm(this.legacyDir(intentId), { recursive: true, force: true });
      // Its chunk and temp files: one listing of the fan directory (the janitor's path, not a hot one).
      for (const n of await readdirOrEmpty(fan)) {
        if (n.startsWith(`${intentId}.`) || n.startsWith(`.${intentId}.`)) await unlinkIfExists(join(fan, n));
      }
      await this.dirSync.sync(fan).catch(ignoreMissing);
    } finally {
      evict();
    }
  }

  async listIntentChunks(intentId: string): Promise<string[]> {
    assertIntentId(intentId);
    const seqs = new Set<number>();
    for (const n of await readdirOrEmpty(this.fanDir(intentId))) {
      const m = FLAT_NAME.exec(n);
      if (m && m[1] === intentId) seqs.add(Number(m[2]));
    }
    for (const n of await readdirOrEmpty(this.legacyDir(intentId))) if (LEGACY_NAME.test(n)) seqs.add(Number(n));
    return [...seqs].sort((a, b) => a - b).map((seq) => formatChunkId(intentId, seq, this.replicaId));
  }

  async *listChunks(): AsyncIterable<string> {
    for await (const e of this.walk()) {
      if (e.kind === 'chunk') yield formatChunkId(e.intentId, e.seq, this.replicaId);
    }
  }

  /**
   * Removes temp files left by crashed writers (any instance but this one) and returns how many.
   * Run it at startup; it is safe while this instance writes.
   */
  async sweepTemp(): Promise<number> {
    let removed = 0;
    for await (const e of this.walk()) {
      if (e.kind === 'temp' && e.instance !== this.instance && (await unlinkIfExists(e.path))) removed++;
    }
    // A direct-I/O probe of a process that died within it (see probeDirect).
    for (const n of await readdirOrEmpty(this.root)) {
      const probe = PROBE_NAME.exec(n);
      if (probe && probe[1] !== this.instance && (await unlinkIfExists(join(this.root, n)))) removed++;
    }
    return removed;
  }

  /** The file a chunk is written to (for operators and damage-injection tests). Validates the id. */
  pathOf(id: string): string {
    const { intentId, seq } = this.parse(id);
    return this.flatPath(intentId, seq);
  }

  /** Opens a chunk's file for reads, with its size. */
  private async openChunkFile(id: string, intentId: string, seq: number): Promise<OpenChunk> {
    const fh = await this.openStored(id, intentId, seq);
    try {
      const { size } = await fh.stat();
      return { fh, size };
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
  }

  /** The chunk's checksums, read (and verified) once per open file. */
  private checksOf(id: string, f: OpenChunk): Promise<ChunkChecks> {
    let checks = f.checks;
    if (!checks) {
      const p = this.readTrailer(id, f.fh, f.size);
      f.checks = checks = p;
      p.catch(() => {
        if (f.checks === p) f.checks = undefined;
      });
    }
    return checks;
  }

  /** The chunk's file, in either layout; missing is DataCorrupted (a chunk is only read because metadata references it). */
  private async openStored(id: string, intentId: string, seq: number): Promise<FileHandle> {
    const fh = (await this.openForRead(this.flatPath(intentId, seq))) ?? (await this.openForRead(this.legacyPath(intentId, seq)));
    if (!fh) throw new ServiceError('DataCorrupted', `chunk ${id} is missing: referenced data was lost`);
    return fh;
  }

  private async openForRead(path: string): Promise<FileHandle | undefined> {
    // The probe writes: on a disk that takes no writes (read-only mount, full) it fails, and reads
    // must go on, without trying it again on every read. The open itself then tells whether the
    // filesystem takes O_DIRECT.
    if (this.direct && !this.readsProbed) {
      await this.probeDirect().catch(() => undefined);
      this.readsProbed = true;
    }
    if (this.direct) {
      try {
        const fh = await openIfExists(path, constants.O_RDONLY | (O_DIRECT as number));
        if (fh) this.directHandles.add(fh);
        return fh;
      } catch (e) {
        if (!isDirectIoRefused(e)) throw e;
        this.refuseDirect(e);
      }
    }
    return openIfExists(path, 'r');
  }

  /** Positional read of the whole of `buf` (short only at EOF), through staging buffers on a direct handle. */
  private readAt(fh: FileHandle, buf: Buffer, position: number): Promise<number> {
    return this.directHandles.has(fh) ? readDirect(fh, buf, position, this.staging, this.readBuffers.directRoom(buf)) : readFully(fh, buf, position);
  }

  /** Parses an id and refuses one owned by another replica (or any owned id when this disk has no owner). */
  private parse(id: string): ParsedChunkId {
    const parsed = parseChunkId(id);
    if (parsed.replicaId !== undefined && parsed.replicaId !== this.replicaId) {
      const me = this.replicaId === undefined ? 'a store without a replica id (local mode)' : `blob replica ${this.replicaId}`;
      throw new ServiceError('Unavailable', `chunk ${id} belongs to blob replica ${parsed.replicaId}, not to ${me}: the call reached the wrong replica`);
    }
    return parsed;
  }

  private fanDir(intentId: string): string {
    return join(this.root, (crc32(intentId) & 0xff).toString(16).padStart(2, '0'));
  }

  private flatPath(intentId: string, seq: number): string {
    return join(this.fanDir(intentId), `${intentId}.${seq}`);
  }

  /** Where an intent's chunks were written before the flat layout. */
  private legacyDir(intentId: string): string {
    return join(this.fanDir(intentId), intentId);
  }

  private legacyPath(intentId: string, seq: number): string {
    return join(this.legacyDir(intentId), String(seq));
  }

  /** Creates every fan directory once (the first write waits for it; a failure is retried by the next). */
  private ensureFans(): Promise<void> {
    this.fans ??= this.createFans().catch((e: unknown) => {
      this.fans = undefined;
      throw e;
    });
    return this.fans;
  }

  /** mkdir of every fan directory, then one fsync of each parent that gained entries. */
  private async createFans(): Promise<void> {
    const created = await mkdir(this.root, { recursive: true });
    let added = false;
    for (let i = 0; i < FAN_COUNT; i++) {
      const made = await mkdir(join(this.root, i.toString(16).padStart(2, '0'))).then(
        () => true,
        (e: unknown) => {
          if (errnoCode(e) !== 'EEXIST') throw e;
          return false;
        },
      );
      added ||= made;
    }
    if (added) await fsyncDir(this.root);
    // Each directory mkdir -p made must itself be a durable entry of its parent.
    if (created !== undefined) for (let d = this.root; d.length >= created.length; d = dirname(d)) await fsyncDir(dirname(d));
  }

  private async readWhole(id: string, fh: FileHandle, size: number): Promise<Buffer> {
    // The whole file in one read: data, trailer, padding and footer.
    const file = this.readBuffers.acquire(size);
    const got = await this.readAt(fh, file, 0);
    if (got !== size) throw corrupt(id, `short read (${got} of ${size} bytes)`);
    const footer = file.subarray(Math.max(0, size - FOOTER_SIZE));
    const layout = decodeFooter(id, footer, size);
    const trailer = file.subarray(layout.dataLength, layout.dataLength + 4 * layout.blockCount);
    verifyTrailer(id, trailer, footer);
    const data = file.subarray(0, layout.dataLength);
    verifyBlocks(id, layout, trailer, 0, data);
    return this.readBuffers.adopt(data);
  }

  /** `range` of the data, read in whole checksum blocks and verified against the trailer. */
  private async readBlocks(id: string, fh: FileHandle, { layout, trailer }: ChunkChecks, range: ChunkRange): Promise<Buffer> {
    const { offset, length } = range;
    if (offset + length > layout.dataLength) {
      throw corrupt(id, `range ${offset}+${length} is past its end (${layout.dataLength} bytes)`);
    }
    if (length === 0) return Buffer.alloc(0);
    const { blockSize } = layout;
    const first = Math.floor(offset / blockSize);
    const last = Math.floor((offset + length - 1) / blockSize);
    const start = first * blockSize;
    const end = Math.min((last + 1) * blockSize, layout.dataLength);
    const blocks = this.readBuffers.acquire(end - start);
    const got = await this.readAt(fh, blocks, start);
    if (got !== blocks.length) throw corrupt(id, 'short read');
    verifyBlocks(id, layout, trailer, first, blocks);
    return this.readBuffers.adopt(blocks.subarray(offset - start, offset - start + length));
  }

  private async readTrailer(id: string, fh: FileHandle, size: number): Promise<ChunkChecks> {
    const tail = Buffer.allocUnsafe(Math.min(size, TAIL_READ));
    if ((await this.readAt(fh, tail, size - tail.length)) !== tail.length) throw corrupt(id, 'short read');
    const footer = tail.subarray(Math.max(0, tail.length - FOOTER_SIZE));
    const layout = decodeFooter(id, footer, size);
    const trailerLength = 4 * layout.blockCount;
    // Where the trailer starts in `tail` (it sits right after the data, before any padding).
    const at = layout.dataLength - (size - tail.length);
    let trailer: Buffer;
    if (at >= 0) {
      trailer = tail.subarray(at, at + trailerLength);
    } else {
      trailer = Buffer.allocUnsafe(trailerLength);
      if ((await this.readAt(fh, trailer, layout.dataLength)) !== trailerLength) throw corrupt(id, 'short read');
    }
    verifyTrailer(id, trailer, footer);
    return { layout, trailer };
  }

  /** Every chunk and temp file, in both layouts. */
  private async *walk(): AsyncIterable<WalkEntry> {
    for (const fan of await readdirOrEmpty(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(fan)) continue;
      const fanDir = join(this.root, fan);
      for (const n of await readdirOrEmpty(fanDir)) {
        const flat = FLAT_NAME.exec(n);
        const temp = flat ? null : FLAT_TEMP_NAME.exec(n);
        if (flat) yield { kind: 'chunk', intentId: flat[1], seq: Number(flat[2]) };
        else if (temp) yield { kind: 'temp', path: join(fanDir, n), instance: temp[2] };
        else if (INTENT_DIR_NAME.test(n)) yield* legacyEntries(join(fanDir, n), n);
      }
    }
  }
}

type WalkEntry =
  | { readonly kind: 'chunk'; readonly intentId: string; readonly seq: number }
  | { readonly kind: 'temp'; readonly path: string; readonly instance: string };

async function* legacyEntries(dir: string, intentId: string): AsyncIterable<WalkEntry> {
  for (const n of await readdirOrEmpty(dir)) {
    const temp = LEGACY_TEMP_NAME.exec(n);
    if (LEGACY_NAME.test(n)) yield { kind: 'chunk', intentId, seq: Number(n) };
    else if (temp) yield { kind: 'temp', path: join(dir, n), instance: temp[2] };
  }
}

function ignoreMissing(e: unknown): void {
  if (errnoCode(e) !== 'ENOENT') throw e;
}

async function openIfExists(path: string, flags: string | number): Promise<FileHandle | undefined> {
  try {
    return await open(path, flags);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** Unlinks `path`; false if it was not there. */
async function unlinkIfExists(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return false;
    throw e;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return [];
    throw e;
  }
}
