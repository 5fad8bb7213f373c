import type { ChunkReader, ChunkStore } from './chunk-store';
import type { ChunkRead } from './read-plan';

/**
 * The reads of one plan, in order: a chunk read in several pieces in a row is opened once
 * (`ChunkStore.openChunk`: one open and one checksum-trailer read instead of one per piece) and closed
 * after its last piece; single pieces and stores without `openChunk` use plain `read`. At most one
 * chunk is open at a time, since the plan's pieces of a chunk are consecutive.
 */
export class ChunkReaders {
  private current?: { readonly id: string; readonly end: number; readonly reader: Promise<ChunkReader> };

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
      cur = this.current = { id: r.id, end, reader };
    }
    const got = cur.reader.then((h) => h.read(range));
    if (i === cur.end) {
      this.current = undefined;
      closeAfter(cur.reader, got);
    }
    return got;
  }

  /** Closes the chunk still open (the read stopped early), once `pending` (its read in flight) settles. */
  close(pending?: Promise<unknown>): void {
    const cur = this.current;
    this.current = undefined;
    if (cur) closeAfter(cur.reader, pending ?? Promise.resolve());
  }
}

function closeAfter(reader: Promise<ChunkReader>, last: Promise<unknown>): void {
  const noop = () => undefined;
  void last
    .then(noop, noop)
    .then(() => reader)
    .then((h) => h.close())
    .catch(noop);
}
