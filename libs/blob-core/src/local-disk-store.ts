import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, rm, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { assertReplicaId, ServiceError } from '@massive/contracts';
import { assertIntentId, formatChunkId, parseChunkId, type ParsedChunkId } from './chunk-id';
import {
  assertBlockSize,
  corrupt,
  decodeFooter,
  DEFAULT_BLOCK_SIZE,
  encodeTrailer,
  FOOTER_SIZE,
  verifyBlocks,
  verifyTrailer,
  type ChunkLayout,
} from './chunk-format';
import { assertChunkRange, type ChunkRange, type ChunkStore } from './chunk-store';
import { errnoCode, fsyncDir, readFully, writeAll } from './fs-io';

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
}

/** Final chunk file names are the bare sequence number; temp files start with a dot. */
const FINAL_NAME = /^(0|[1-9][0-9]{0,9})$/;
const TEMP_NAME = /^\.(0|[1-9][0-9]{0,9})\.([0-9a-f]{12})\.([0-9]+)\.tmp$/;
/** One read of the file's tail usually fetches footer and trailer together. */
const TAIL_READ = 4096;

/**
 * Chunks as files: `<dir>/chunks/<fan>/<intentId>/<seq>`, where `<fan>` is two hex digits of
 * CRC-32(intentId), so no directory grows huge and an intent is one directory (`deleteIntent` is one
 * recursive removal). Ids are `<intentId>.<seq>`, or `@<replicaId>/<intentId>.<seq>` on a replica in
 * distributed mode (see chunk-id.ts), and are validated before any path is built. File format: chunk-format.ts.
 *
 * A put writes `.<seq>.<instance>.<n>.tmp` in the intent directory, fdatasyncs it, hard-links it to its
 * final name (which fails if the chunk exists: chunks are write-once), unlinks the temp name and fsyncs
 * the directory. A crash leaves at most a temp file, never a partial chunk under a final name; call
 * `sweepTemp()` at startup to remove them. One process per data directory.
 */
export class LocalDiskStore implements ChunkStore {
  private readonly root: string;
  private readonly blockSize: number;
  private readonly replicaId: string | undefined;
  /** Marks this instance's temp files so `sweepTemp` never removes a write in progress. */
  private readonly instance = randomBytes(6).toString('hex');
  private tempCounter = 0;

  constructor(dir: string, options: LocalDiskStoreOptions = {}) {
    this.root = join(dir, 'chunks');
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    assertBlockSize(this.blockSize);
    if (options.replicaId !== undefined) assertReplicaId(options.replicaId);
    this.replicaId = options.replicaId;
  }

  async allocate(intentId: string, seq: number): Promise<string> {
    return formatChunkId(intentId, seq, this.replicaId);
  }

  async put(id: string, data: readonly Buffer[]): Promise<void> {
    const { intentId, seq } = this.parse(id);
    const dir = this.intentDir(intentId);
    const trailer = encodeTrailer(data, this.blockSize);
    const temp = join(dir, `.${seq}.${this.instance}.${this.tempCounter++}.tmp`);
    const fh = await this.createTemp(dir, temp);
    try {
      await writeAll(fh, [...data, trailer]);
      await fh.datasync();
    } catch (e) {
      await fh.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw e;
    }
    await fh.close();
    try {
      await link(temp, join(dir, String(seq)));
    } catch (e) {
      if (errnoCode(e) === 'EEXIST') {
        throw new ServiceError('Internal', `chunk ${id} already exists; chunks are write-once (one write per intent)`);
      }
      throw e;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    await fsyncDir(dir);
  }

  async read(id: string, range?: ChunkRange): Promise<Buffer> {
    const { intentId, seq } = this.parse(id);
    if (range) assertChunkRange(range);
    let fh: FileHandle;
    try {
      fh = await open(join(this.intentDir(intentId), String(seq)), 'r');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') {
        throw new ServiceError('DataCorrupted', `chunk ${id} is missing: referenced data was lost`);
      }
      throw e;
    }
    try {
      const { size } = await fh.stat();
      return range ? await this.readRange(id, fh, size, range) : await this.readWhole(id, fh, size);
    } finally {
      await fh.close();
    }
  }

  async delete(id: string): Promise<void> {
    const { intentId, seq } = this.parse(id);
    const dir = this.intentDir(intentId);
    try {
      await unlink(join(dir, String(seq)));
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return;
      throw e;
    }
    // Drop the intent directory once its last chunk is gone, so GC'd intents leave nothing behind.
    // A concurrent delete of the intent's last other chunk may remove the directory first: its
    // fsync of the parent then makes our unlink durable too.
    if (await rmdir(dir).then(() => true, () => false)) await fsyncDir(this.fanDir(intentId));
    else await fsyncDir(dir).catch(ignoreMissing);
  }

  async deleteIntent(intentId: string): Promise<void> {
    assertIntentId(intentId);
    await rm(this.intentDir(intentId), { recursive: true, force: true });
    await fsyncDir(this.fanDir(intentId)).catch((e) => {
      if (errnoCode(e) !== 'ENOENT') throw e;
    });
  }

  async listIntentChunks(intentId: string): Promise<string[]> {
    assertIntentId(intentId);
    const names = await readdirOrEmpty(this.intentDir(intentId));
    return names
      .filter((n) => FINAL_NAME.test(n))
      .map(Number)
      .sort((a, b) => a - b)
      .map((seq) => formatChunkId(intentId, seq, this.replicaId));
  }

  async *listChunks(): AsyncIterable<string> {
    for await (const { intentId, names } of this.walkIntents()) {
      for (const n of names) if (FINAL_NAME.test(n)) yield formatChunkId(intentId, Number(n), this.replicaId);
    }
  }

  /**
   * Removes temp files left by crashed writers (any instance but this one) and returns how many.
   * Run it at startup; it is safe while this instance writes.
   */
  async sweepTemp(): Promise<number> {
    let removed = 0;
    for await (const { dir, names } of this.walkIntents()) {
      for (const n of names) {
        const m = TEMP_NAME.exec(n);
        if (!m || m[2] === this.instance) continue;
        await unlink(join(dir, n)).then(
          () => removed++,
          (e) => {
            if (errnoCode(e) !== 'ENOENT') throw e;
          },
        );
      }
    }
    return removed;
  }

  /** The file a chunk lives in (for operators and damage-injection tests). Validates the id. */
  pathOf(id: string): string {
    const { intentId, seq } = this.parse(id);
    return join(this.intentDir(intentId), String(seq));
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

  private intentDir(intentId: string): string {
    return join(this.fanDir(intentId), intentId);
  }

  /** Opens a new temp file, creating (and fsyncing into its parents) the intent directory if needed. */
  private async createTemp(dir: string, temp: string): Promise<FileHandle> {
    for (let attempt = 0; ; attempt++) {
      const created = await mkdir(dir, { recursive: true });
      if (created !== undefined) {
        // Each new directory must itself be a durable entry of its parent.
        for (let d = dir; d.length >= created.length; d = dirname(d)) await fsyncDir(dirname(d));
      }
      try {
        return await open(temp, 'wx');
      } catch (e) {
        // A concurrent delete() may remove the emptied intent directory between mkdir and open.
        if (errnoCode(e) !== 'ENOENT' || attempt >= 3) throw e;
      }
    }
  }

  private async readWhole(id: string, fh: FileHandle, size: number): Promise<Buffer> {
    // The whole file in one read: data, trailer and footer.
    const file = Buffer.allocUnsafe(size);
    const got = await readFully(fh, file, 0);
    if (got !== size) throw corrupt(id, `short read (${got} of ${size} bytes)`);
    const footer = file.subarray(Math.max(0, size - FOOTER_SIZE));
    const layout = decodeFooter(id, footer, size);
    const trailer = file.subarray(layout.dataLength, size - FOOTER_SIZE);
    verifyTrailer(id, trailer, footer);
    const data = file.subarray(0, layout.dataLength);
    verifyBlocks(id, layout, trailer, 0, data);
    return data;
  }

  private async readRange(id: string, fh: FileHandle, size: number, range: ChunkRange): Promise<Buffer> {
    const { layout, trailer } = await this.readTrailer(id, fh, size);
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
    const blocks = Buffer.allocUnsafe(end - start);
    const got = await readFully(fh, blocks, start);
    if (got !== blocks.length) throw corrupt(id, 'short read');
    verifyBlocks(id, layout, trailer, first, blocks);
    return blocks.subarray(offset - start, offset - start + length);
  }

  private async readTrailer(id: string, fh: FileHandle, size: number): Promise<{ layout: ChunkLayout; trailer: Buffer }> {
    const tail = Buffer.allocUnsafe(Math.min(size, TAIL_READ));
    if ((await readFully(fh, tail, size - tail.length)) !== tail.length) throw corrupt(id, 'short read');
    const footer = tail.subarray(Math.max(0, tail.length - FOOTER_SIZE));
    const layout = decodeFooter(id, footer, size);
    const trailerLength = 4 * layout.blockCount;
    let trailer: Buffer;
    if (trailerLength + FOOTER_SIZE <= tail.length) {
      trailer = tail.subarray(tail.length - FOOTER_SIZE - trailerLength, tail.length - FOOTER_SIZE);
    } else {
      trailer = Buffer.allocUnsafe(trailerLength);
      if ((await readFully(fh, trailer, layout.dataLength)) !== trailerLength) throw corrupt(id, 'short read');
    }
    verifyTrailer(id, trailer, footer);
    return { layout, trailer };
  }

  private async *walkIntents(): AsyncIterable<{ intentId: string; dir: string; names: string[] }> {
    for (const fan of await readdirOrEmpty(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(fan)) continue;
      for (const intentId of await readdirOrEmpty(join(this.root, fan))) {
        if (!/^[A-Za-z0-9_-]{1,128}$/.test(intentId)) continue;
        const dir = join(this.root, fan, intentId);
        yield { intentId, dir, names: await readdirOrEmpty(dir) };
      }
    }
  }
}

function ignoreMissing(e: unknown): void {
  if (errnoCode(e) !== 'ENOENT') throw e;
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return [];
    throw e;
  }
}
