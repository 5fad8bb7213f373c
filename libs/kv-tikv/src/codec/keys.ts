/** Raw-key helpers shared by the region cache, scans and the committer. */

export const EMPTY = Buffer.alloc(0);

/** The smallest key after `key`: key + 0x00 (where a forward scan resumes). */
export function nextKey(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}

/** Compares two region/scan ends where an empty buffer means +infinity. */
export function compareEnds(a: Buffer, b: Buffer): number {
  if (a.length === 0) return b.length === 0 ? 0 : 1;
  if (b.length === 0) return -1;
  return Buffer.compare(a, b);
}

/** The smaller of two ends (empty = +infinity). */
export function minEnd(a: Buffer, b: Buffer): Buffer {
  return compareEnds(a, b) <= 0 ? a : b;
}

/** start <= key < end, with an empty end meaning unbounded. */
export function inRange(key: Buffer, start: Buffer, end: Buffer): boolean {
  return Buffer.compare(start, key) <= 0 && (end.length === 0 || Buffer.compare(key, end) < 0);
}

/** A key as a map/set id. */
export const hexOf = (key: Buffer): string => key.toString('hex');
