/**
 * A sorted set of strings kept as a list of bounded sorted chunks (the idea behind Python's
 * `sortedcontainers`): lookups are two binary searches, inserts move at most one chunk, so 1M keys
 * in any order stay cheap. MemoryKv stores keys as latin1 strings, whose code-unit order is exactly
 * the unsigned byte order of the original buffers.
 */
const MAX_CHUNK = 512;

export class SortedStrings {
  private readonly chunks: string[][] = [];
  /** maxes[i] is the last (largest) string of chunks[i]. */
  private readonly maxes: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(s: string): boolean {
    const c = this.chunkFor(s);
    if (c === this.chunks.length) return false;
    const chunk = this.chunks[c];
    return chunk[lowerBound(chunk, s)] === s;
  }

  /** Adds `s`; returns false when it was already present. */
  insert(s: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([s]);
      this.maxes.push(s);
      this.count++;
      return true;
    }
    let c = this.chunkFor(s);
    if (c === this.chunks.length) c--; // larger than everything: append to the last chunk
    const chunk = this.chunks[c];
    const i = lowerBound(chunk, s);
    if (chunk[i] === s) return false;
    chunk.splice(i, 0, s);
    this.maxes[c] = chunk[chunk.length - 1];
    this.count++;
    if (chunk.length > MAX_CHUNK) {
      const upper = chunk.splice(chunk.length >> 1);
      this.chunks.splice(c + 1, 0, upper);
      this.maxes.splice(c, 1, chunk[chunk.length - 1], upper[upper.length - 1]);
    }
    return true;
  }

  /** Removes `s`; returns false when it was absent. */
  remove(s: string): boolean {
    const c = this.chunkFor(s);
    if (c === this.chunks.length) return false;
    const chunk = this.chunks[c];
    const i = lowerBound(chunk, s);
    if (chunk[i] !== s) return false;
    chunk.splice(i, 1);
    this.count--;
    if (chunk.length === 0) {
      this.chunks.splice(c, 1);
      this.maxes.splice(c, 1);
    } else {
      this.maxes[c] = chunk[chunk.length - 1];
    }
    return true;
  }

  /** Strings with from <= s < to (no upper bound when `to` is undefined), ascending. */
  *ascending(from: string, to?: string): Generator<string> {
    let c = this.chunkFor(from);
    let i = c < this.chunks.length ? lowerBound(this.chunks[c], from) : 0;
    for (; c < this.chunks.length; c++, i = 0) {
      const chunk = this.chunks[c];
      for (; i < chunk.length; i++) {
        if (to !== undefined && chunk[i] >= to) return;
        yield chunk[i];
      }
    }
  }

  /** Strings with from <= s < to (no upper bound when `to` is undefined), descending. */
  *descending(from: string, to?: string): Generator<string> {
    let c = to === undefined ? this.chunks.length : this.chunkFor(to);
    let i: number;
    if (c === this.chunks.length) {
      c--;
      i = c >= 0 ? this.chunks[c].length - 1 : -1;
    } else {
      i = lowerBound(this.chunks[c], to as string) - 1;
    }
    while (c >= 0) {
      const chunk = this.chunks[c];
      for (; i >= 0; i--) {
        if (chunk[i] < from) return;
        yield chunk[i];
      }
      if (--c >= 0) i = this.chunks[c].length - 1;
    }
  }

  /** Index of the first chunk whose largest string is >= s (chunks.length when none is). */
  private chunkFor(s: string): number {
    return lowerBound(this.maxes, s);
  }
}

/** First index whose element is >= s. */
function lowerBound(arr: readonly string[], s: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
