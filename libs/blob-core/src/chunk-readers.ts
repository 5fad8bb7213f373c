import type { ChunkReader, ChunkStore } from './chunk-store';
import type { ChunkRead } from './read-plan';

/**
 * The reads of one plan, in order: a chunk read in several pieces in a row is opened once
 * (`ChunkStore.openChunk`: one open and one checksum-trailer read instead of one per piece) and closed
 * once every read of it has settled (several may be in flight: read-ahead); single pieces and stores
 * without `openChunk` use plain `read`. At most one chunk is open at a time for new reads, since the
 * plan's pieces of a chunk are consecutive.
 */
export class ChunkReaders {
  private current?: { readonly id: string; readonly end: number; readonly reader: Promise<ChunkReader>; readonly reads: Promise<unknown>[] };

  constructor(
    private readonly store: ChunkStore,
    private readonly plan: readonly ChunkRead[],
  ) {}

  /** Reads `plan[i]`; call in plan order. */
  read(i: number): Promise<Buffer> {
    const r = this.plan[i];
    const whole = r.offset === 0 && r.length === r.chunkSize;
    const range = { offset: r.offset, length: r.length };
    if (whole || !this.store.openChunk) return this.store.read(r.id, whole ? undefined : range);
    let cur = this.current;
    if (!cur || cur.id !== r.id || i > cur.end) {
      let end = i;
      while (end + 1 < this.plan.length && this.plan[end + 1].id === r.id) end++;
      if (end === i) return this.store.read(r.id, range);
      this.close();
      const reader = this.store.openChunk(r.id);
      reader.catch(() => undefined);
      cur = this.current = { id: r.id, end, reader, reads: [] };
    }
    const got = cur.reader.then((h) => h.read(range));
    cur.reads.push(got);
    if (i === cur.end) {
      this.current = undefined;
      closeAfter(cur.reader, cur.reads);
    }
    return got;
  }

  /** Closes the chunk still open (the read stopped early), once its reads in flight settle. */
  close(): void {
    const cur = this.current;
    this.current = undefined;
    if (cur) closeAfter(cur.reader, cur.reads);
  }
}

function closeAfter(reader: Promise<ChunkReader>, reads: readonly Promise<unknown>[]): void {
  const noop = () => undefined;
  void Promise.allSettled(reads)
    .then(() => reader)
    .then((h) => h.close())
    .catch(noop);
}
