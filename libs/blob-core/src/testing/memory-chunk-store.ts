import { crc32 } from 'node:zlib';
import { ServiceError } from '@massive/contracts';
import { assertIntentId, formatChunkId, parseChunkId } from '../chunk-id';
import { assertChunkRange, type ChunkRange, type ChunkStore, type ChunkWrite } from '../chunk-store';

export type ChunkStoreOp = 'allocate' | 'put' | 'openWrite' | 'read' | 'delete' | 'deleteIntent';

interface StoredChunk {
  data: Buffer;
  readonly crc: number;
}

/**
 * An in-memory ChunkStore for fast tests, with the local stores' id scheme and real checks: puts are
 * write-once, reads verify a CRC-32 and throw DataCorrupted, and tests can damage chunks and inject
 * faults. Stored data is copied, so callers may reuse their buffers.
 */
export class MemoryChunkStore implements ChunkStore {
  private readonly intents = new Map<string, Map<number, StoredChunk>>();
  private readonly faults: { op: ChunkStoreOp; error: Error }[] = [];
  /**
   * Offered with `{ streamedWrites: true }` (as LocalDiskStore does): a write keeps copies of what is
   * appended and stores them at `finish`, which takes the `put` faults; `openWrite` faults throw at once.
   */
  readonly openWrite?: (id: string) => ChunkWrite;

  constructor(options: { readonly streamedWrites?: boolean } = {}) {
    if (options.streamedWrites) this.openWrite = (id) => this.startWrite(id);
  }

  private startWrite(id: string): ChunkWrite {
    parseChunkId(id);
    this.takeFault('openWrite');
    let parts: Buffer[] | undefined = [];
    let ended = false;
    return {
      append: (data) => {
        if (ended) throw new Error(`chunk ${id}: append after the write ended`);
        parts!.push(Buffer.from(data));
      },
      finish: async () => {
        if (ended) throw new Error(`chunk ${id}: finish after the write ended`);
        ended = true;
        const data = parts!;
        parts = undefined;
        await this.put(id, data);
      },
      abort: async () => {
        ended = true;
        parts = undefined;
      },
    };
  }

  async allocate(intentId: string, seq: number): Promise<string> {
    this.takeFault('allocate');
    return formatChunkId(intentId, seq);
  }

  async put(id: string, data: readonly Buffer[]): Promise<void> {
    const { intentId, seq } = parseChunkId(id);
    const bytes = Buffer.concat(data);
    await Promise.resolve();
    this.takeFault('put');
    let chunks = this.intents.get(intentId);
    if (!chunks) this.intents.set(intentId, (chunks = new Map()));
    if (chunks.has(seq)) {
      throw new ServiceError('Internal', `chunk ${id} already exists; chunks are write-once (one write per intent)`);
    }
    chunks.set(seq, { data: bytes, crc: crc32(bytes) });
  }

  async read(id: string, range?: ChunkRange): Promise<Buffer> {
    const { intentId, seq } = parseChunkId(id);
    if (range) assertChunkRange(range);
    await Promise.resolve();
    this.takeFault('read');
    const chunk = this.intents.get(intentId)?.get(seq);
    if (!chunk) throw new ServiceError('DataCorrupted', `chunk ${id} is missing: referenced data was lost`);
    if (crc32(chunk.data) !== chunk.crc) throw new ServiceError('DataCorrupted', `chunk ${id} is corrupt: checksum mismatch`);
    const { offset, length } = range ?? { offset: 0, length: chunk.data.length };
    if (offset + length > chunk.data.length) {
      throw new ServiceError('DataCorrupted', `chunk ${id} is corrupt: range ${offset}+${length} is past its end`);
    }
    return Buffer.from(chunk.data.subarray(offset, offset + length));
  }

  async delete(id: string): Promise<void> {
    const { intentId, seq } = parseChunkId(id);
    this.takeFault('delete');
    const chunks = this.intents.get(intentId);
    chunks?.delete(seq);
    if (chunks?.size === 0) this.intents.delete(intentId);
  }

  async deleteIntent(intentId: string): Promise<void> {
    assertIntentId(intentId);
    this.takeFault('deleteIntent');
    this.intents.delete(intentId);
  }

  async listIntentChunks(intentId: string): Promise<string[]> {
    assertIntentId(intentId);
    const seqs = [...(this.intents.get(intentId)?.keys() ?? [])].sort((a, b) => a - b);
    return seqs.map((seq) => formatChunkId(intentId, seq));
  }

  async *listChunks(): AsyncIterable<string> {
    for (const [intentId, chunks] of [...this.intents]) {
      for (const seq of [...chunks.keys()]) yield formatChunkId(intentId, seq);
    }
  }

  /** Number of chunks stored. */
  get size(): number {
    let n = 0;
    for (const chunks of this.intents.values()) n += chunks.size;
    return n;
  }

  /** Test hook: flips the byte at `at` (bit rot), or drops the tail (a torn write). */
  corrupt(id: string, damage: { kind: 'flip'; at: number } | { kind: 'truncate' }): void {
    const { intentId, seq } = parseChunkId(id);
    const chunk = this.intents.get(intentId)?.get(seq);
    if (!chunk) throw new Error(`no chunk ${id}`);
    if (damage.kind === 'flip') {
      chunk.data = Buffer.from(chunk.data);
      chunk.data[damage.at] ^= 0x40;
    } else {
      chunk.data = chunk.data.subarray(0, Math.max(0, chunk.data.length - 1));
    }
  }

  /** Test hook: the next call of `op` fails with `error` (queued, one fault per call). */
  failNext(op: ChunkStoreOp, error: Error = new ServiceError('Unavailable', `injected ${op} fault`)): void {
    this.faults.push({ op, error });
  }

  private takeFault(op: ChunkStoreOp): void {
    const i = this.faults.findIndex((f) => f.op === op);
    if (i >= 0) throw this.faults.splice(i, 1)[0].error;
  }
}
