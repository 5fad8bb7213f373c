import type { KvKey, KvPair, KvValue } from './kv';

/**
 * A transaction's private state before commit: buffered puts and deletes (last one wins) and the
 * keys it locked. Keys are latin1 strings so that Map lookups work and string order is byte order.
 */
export class WriteBuffer {
  /** key -> new value, or null for a delete. Values are private copies. */
  readonly writes = new Map<string, KvValue | null>();
  readonly locks = new Set<string>();

  get isEmpty(): boolean {
    return this.writes.size === 0 && this.locks.size === 0;
  }

  put(key: KvKey, value: KvValue): void {
    this.writes.set(keyString(key), Buffer.from(value));
  }

  delete(key: KvKey): void {
    this.writes.set(keyString(key), null);
  }

  lock(key: KvKey): void {
    this.locks.add(keyString(key));
  }

  /** undefined: not written by this txn; null: deleted by it; else a copy of what it put. */
  get(key: KvKey): KvValue | null | undefined {
    if (this.writes.size === 0) return undefined;
    const v = this.writes.get(keyString(key));
    return v ? Buffer.from(v) : v;
  }

  /** Buffered writes with start <= key < end (no bound when `end` is empty), in scan order. */
  range(start: KvKey, end: KvKey, reverse: boolean): [KvKey, KvValue | null][] {
    if (this.writes.size === 0) return [];
    const lo = keyString(start);
    const hi = end.length === 0 ? undefined : keyString(end);
    const hits: string[] = [];
    for (const k of this.writes.keys()) if (k >= lo && (hi === undefined || k < hi)) hits.push(k);
    hits.sort();
    if (reverse) hits.reverse();
    return hits.map((k) => [Buffer.from(k, 'latin1'), this.writes.get(k) ?? null]);
  }
}

/** A key as a latin1 string: one code unit per byte, so `<` on strings is unsigned byte order. */
export function keyString(key: KvKey): string {
  return key.toString('latin1');
}

/**
 * Merges an ordered snapshot scan with a transaction's buffered writes (from `WriteBuffer.range`,
 * same direction): buffered puts are added or replace, buffered deletes hide. `base` is pulled
 * lazily, so it may be an unbounded iterator; at most `limit` pairs come back.
 */
export function mergeScan(
  base: Iterable<KvPair>,
  overlay: readonly (readonly [KvKey, KvValue | null])[],
  reverse: boolean,
  limit: number,
): KvPair[] {
  const out: KvPair[] = [];
  if (limit <= 0) return out;
  const dir = reverse ? -1 : 1;
  let j = 0;
  const emit = (key: KvKey, value: KvValue | null): boolean => {
    if (value) out.push({ key, value: Buffer.from(value) });
    return out.length >= limit;
  };
  for (const pair of base) {
    let shadowed = false;
    while (j < overlay.length) {
      const c = dir * Buffer.compare(overlay[j][0], pair.key);
      if (c > 0) break;
      shadowed ||= c === 0;
      const [k, v] = overlay[j++];
      if (emit(k, v)) return out;
    }
    if (!shadowed && emit(pair.key, pair.value)) return out;
  }
  for (; j < overlay.length; j++) if (emit(overlay[j][0], overlay[j][1])) return out;
  return out;
}
