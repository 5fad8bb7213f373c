// A deterministic, incompressible byte stream of any length built from a small random pool: piece k is
// the window of the pool at (k * 104729) mod 8 MiB, so every piece of a 1 GiB object is distinct
// (parts cannot be swapped unnoticed) while the client holds only ~8 MiB.
import { createHash, randomBytes } from 'node:crypto';

const WINDOWS = 8 * 1024 * 1024;
const STRIDE = 104729; // odd, so k -> k*STRIDE mod 2^23 is a bijection on the first 8 Mi pieces

export class Pattern {
  constructor(pieceSize = 256 * 1024, pool = randomBytes(WINDOWS + pieceSize)) {
    this.pieceSize = pieceSize;
    this.pool = pool;
  }

  piece(k) {
    const off = (k * STRIDE) % WINDOWS;
    return this.pool.subarray(off, off + this.pieceSize);
  }

  /** Yields the bytes [start, end) as pool slices (no copies). */
  *slices(start, end) {
    let at = start;
    while (at < end) {
      const k = Math.floor(at / this.pieceSize);
      const within = at - k * this.pieceSize;
      const n = Math.min(this.pieceSize - within, end - at);
      yield this.piece(k).subarray(within, within + n);
      at += n;
    }
  }

  /** True when `chunk` equals the stream's bytes at `offset`. */
  matches(offset, chunk) {
    let at = offset;
    let i = 0;
    while (i < chunk.length) {
      const k = Math.floor(at / this.pieceSize);
      const within = at - k * this.pieceSize;
      const n = Math.min(this.pieceSize - within, chunk.length - i);
      const p = this.piece(k);
      if (p.compare(chunk, i, i + n, within, within + n) !== 0) return false;
      at += n;
      i += n;
    }
    return true;
  }

  /** MD5 (hex) of each part and of the whole object, and the S3 multipart ETag. */
  digests(size, partSize) {
    const whole = createHash('md5');
    const parts = [];
    for (let start = 0; start < size; start += partSize) {
      const h = createHash('md5');
      for (const s of this.slices(start, Math.min(size, start + partSize))) {
        h.update(s);
        whole.update(s);
      }
      parts.push(h.digest('hex'));
    }
    const etag = `${createHash('md5').update(Buffer.from(parts.join(''), 'hex')).digest('hex')}-${parts.length}`;
    return { parts, wholeMd5: whole.digest('hex'), etag };
  }
}
