import { createCipheriv, createDecipheriv, randomFillSync, type DecipherGCM } from 'node:crypto';
import { ServiceError } from '@massive/contracts';

/**
 * The at-rest format of SSE-S3 object bytes, after MinIO's DARE. The plaintext of one *stream* (a single
 * PUT's body is stream 0; part N of a multipart upload is stream N) is cut into packages of 64 KiB (the
 * last may be shorter; an empty stream has none). Each package is stored as
 *
 *   header (16) | AES-256-GCM ciphertext (= plaintext length) | GCM tag (16)
 *
 * header: [0] version 1 · [1] flags (bit 0: final package of the stream; other bits 0) ·
 *         [2..4) plaintext length − 1 (u16 LE, so 1..65536) · [4..16) random nonce
 * AAD:    header (16) | stream number (u32 BE) | package sequence number within the stream (u32 BE)
 *
 * Why packages rather than one GCM stream: a ranged GET decrypts only the packages it touches, and no
 * plaintext is released before the tag covering it checks out (a single GCM tag would only be checked
 * at the very end, after gigabytes had gone to the client). Binding the stream and sequence numbers in
 * the AAD stops packages being reordered or moved between parts; the final flag (also authenticated)
 * stops a stream being cut short at a package boundary. Nonces are random: each object has its own data
 * key, so even a 5 TiB object (8e7 packages) keeps the collision odds far below 2^-40.
 */
export const PACKAGE_PLAIN = 64 * 1024;
export const PACKAGE_OVERHEAD = 32;

const VERSION = 1;
const FLAG_FINAL = 0x01;
const HEADER = 16;
const NONCE_AT = 4;
const NONCE = 12;
const TAG = 16;
const AAD = HEADER + 8;
const PACKAGE_CIPHER = PACKAGE_PLAIN + PACKAGE_OVERHEAD;
const ALGORITHM = 'aes-256-gcm';

/** Where a plaintext byte range lives in a stream's ciphertext, and how to cut it from the decrypted packages. */
export interface CipherRange {
  /** First ciphertext byte (inclusive): the start of the package holding the first wanted byte. */
  readonly start: number;
  /** Last ciphertext byte (inclusive): the end of the package holding the last wanted byte. */
  readonly end: number;
  /** Sequence number of the package at `start`. */
  readonly firstSeq: number;
  /** Plaintext bytes of the first package before the range. */
  readonly skip: number;
  /** Plaintext bytes wanted. */
  readonly length: number;
  /** Whether the range's last package is the stream's final package (so it must carry the final flag). */
  readonly toEnd: boolean;
}

/** What decryptStream needs of a CipherRange. A whole empty stream is `{ firstSeq: 0, skip: 0, length: 0, toEnd: true }`. */
export type PlainSelection = Pick<CipherRange, 'firstSeq' | 'skip' | 'length' | 'toEnd'>;

/** Stored size of a stream of `plainSize` plaintext bytes. */
export function cipherSize(plainSize: number): number {
  checkCount(plainSize, 'plainSize');
  return plainSize + PACKAGE_OVERHEAD * Math.ceil(plainSize / PACKAGE_PLAIN);
}

/** Maps the inclusive plaintext range [start, end] of a stream of `plainSize` bytes to the whole packages holding it. */
export function cipherRange(start: number, end: number, plainSize: number): CipherRange {
  checkCount(plainSize, 'plainSize');
  checkCount(start, 'start');
  checkCount(end, 'end');
  if (start > end || end >= plainSize) throw new RangeError(`plaintext range ${start}-${end} is not within a stream of ${plainSize} bytes`);
  const first = Math.floor(start / PACKAGE_PLAIN);
  const last = Math.floor(end / PACKAGE_PLAIN);
  const toEnd = last === Math.ceil(plainSize / PACKAGE_PLAIN) - 1;
  return {
    start: first * PACKAGE_CIPHER,
    end: toEnd ? cipherSize(plainSize) - 1 : (last + 1) * PACKAGE_CIPHER - 1,
    firstSeq: first,
    skip: start - first * PACKAGE_PLAIN,
    length: end - start + 1,
    toEnd,
  };
}

/**
 * Seals `source` as stream number `stream` under the 32-byte `key`. Each source piece yields one buffer
 * holding every package it completed, so a 1 MiB piece costs one allocation, not sixteen. The last
 * package seen is held back (at most 64 KiB, copied) until more bytes arrive or the source ends, since
 * only then is it known whether it is the final one. An empty source yields nothing.
 */
export async function* encryptStream(source: AsyncIterable<Buffer>, key: Buffer, stream: number): AsyncGenerator<Buffer> {
  checkKey(key);
  checkU32(stream, 'stream');
  const aad = Buffer.alloc(AAD);
  aad.writeUInt32BE(stream, HEADER);
  const held = Buffer.allocUnsafe(PACKAGE_PLAIN);
  let heldLength = 0; // 0, or 1..65536 bytes: the package that may turn out to be the final one
  let seq = 0;
  for await (const piece of source) {
    if (piece.length === 0) continue;
    const total = heldLength + piece.length;
    // Seal all but the last (possibly whole) package of what we have; that one stays held.
    const sealNow = Math.ceil(total / PACKAGE_PLAIN) - 1;
    if (sealNow === 0) {
      piece.copy(held, heldLength);
      heldLength = total;
      continue;
    }
    const out = Buffer.allocUnsafe(sealNow * PACKAGE_CIPHER);
    let used = PACKAGE_PLAIN - heldLength; // the first package is the held bytes topped up from the piece
    seal(out, 0, key, aad, seq++, false, held.subarray(0, heldLength), piece.subarray(0, used));
    for (let i = 1; i < sealNow; i++, used += PACKAGE_PLAIN) {
      seal(out, i * PACKAGE_CIPHER, key, aad, seq++, false, piece.subarray(used, used + PACKAGE_PLAIN));
    }
    heldLength = piece.copy(held, 0, used);
    yield out;
  }
  if (heldLength > 0) {
    const out = Buffer.allocUnsafe(heldLength + PACKAGE_OVERHEAD);
    seal(out, 0, key, aad, seq, true, held.subarray(0, heldLength));
    yield out;
  }
}

/** Writes one sealed package of the plaintext `a` followed by `b` (together 1..65536 bytes) into `out` at `at`. */
function seal(out: Buffer, at: number, key: Buffer, aad: Buffer, seq: number, final: boolean, a: Buffer, b?: Buffer): void {
  const length = a.length + (b?.length ?? 0);
  out[at] = VERSION;
  out[at + 1] = final ? FLAG_FINAL : 0;
  out.writeUInt16LE(length - 1, at + 2);
  randomFillSync(out, at + NONCE_AT, NONCE);
  out.copy(aad, 0, at, at + HEADER);
  aad.writeUInt32BE(seq, HEADER + 4);
  const cipher = createCipheriv(ALGORITHM, key, out.subarray(at + NONCE_AT, at + HEADER), { authTagLength: TAG });
  cipher.setAAD(aad);
  // Node has no update-into-buffer, so each update's output is copied once into `out`.
  let w = at + HEADER;
  if (a.length > 0) w += cipher.update(a).copy(out, w);
  if (b && b.length > 0) w += cipher.update(b).copy(out, w);
  w += cipher.final().copy(out, w); // empty for GCM
  cipher.getAuthTag().copy(out, w);
}

/**
 * Opens the packages of stream `stream` that hold `range` (see cipherRange) and yields its `range.length`
 * plaintext bytes. `source` is the ciphertext from `cipherRange(...).start` to `.end`, in pieces of any
 * size. Ciphertext is fed to the decipher as it arrives, but a package's plaintext is released only once
 * its tag checks out; each source piece yields at most one buffer (the plaintext of the packages it
 * completed). Anything that does not check out throws ServiceError('DataCorrupted').
 */
export async function* decryptStream(source: AsyncIterable<Buffer>, key: Buffer, stream: number, range: PlainSelection): AsyncGenerator<Buffer> {
  checkKey(key);
  checkU32(stream, 'stream');
  checkU32(range.firstSeq, 'range.firstSeq');
  checkCount(range.length, 'range.length');
  checkCount(range.skip, 'range.skip');
  if (range.skip >= PACKAGE_PLAIN || (range.length === 0 && range.skip > 0)) throw new RangeError(`range.skip ${range.skip} is not within the first package`);
  const wanted = range.skip + range.length; // plaintext bytes of the covered packages up to the last wanted one
  const count = Math.ceil(wanted / PACKAGE_PLAIN);
  const lastNeeds = wanted - (count - 1) * PACKAGE_PLAIN; // bytes the last package must hold at least
  const where = (i: number) => `SSE package ${range.firstSeq + i} of stream ${stream}`;

  const header = Buffer.allocUnsafe(HEADER);
  const tag = Buffer.allocUnsafe(TAG);
  const aad = Buffer.alloc(AAD);
  aad.writeUInt32BE(stream, HEADER);
  let index = 0; // package being read, relative to firstSeq
  let phase: 'header' | 'body' | 'tag' = 'header';
  let filled = 0; // bytes of the current phase's field read so far
  let plainLength = 0;
  let decipher: DecipherGCM | undefined;
  let pending: Buffer[] = []; // the current package's plaintext, not yet authenticated
  let toSkip = range.skip;
  let toEmit = range.length;

  for await (const piece of source) {
    const out: Buffer[] = [];
    let at = 0;
    while (at < piece.length) {
      if (index === count) throw corrupted(`${where(index)}: unexpected bytes after the last package of the range`);
      if (phase === 'header') {
        const take = Math.min(HEADER - filled, piece.length - at);
        filled += piece.copy(header, filled, at, at + take);
        at += take;
        if (filled < HEADER) continue;
        plainLength = checkHeader(header, index === count - 1, range.toEnd, lastNeeds, where(index));
        header.copy(aad, 0);
        aad.writeUInt32BE(range.firstSeq + index, HEADER + 4);
        decipher = createDecipheriv(ALGORITHM, key, header.subarray(NONCE_AT, HEADER), { authTagLength: TAG });
        decipher.setAAD(aad);
        phase = 'body';
        filled = 0;
      } else if (phase === 'body') {
        const take = Math.min(plainLength - filled, piece.length - at);
        pending.push(decipher!.update(piece.subarray(at, at + take)));
        at += take;
        filled += take;
        if (filled === plainLength) {
          phase = 'tag';
          filled = 0;
        }
      } else {
        const take = Math.min(TAG - filled, piece.length - at);
        filled += piece.copy(tag, filled, at, at + take);
        at += take;
        if (filled < TAG) continue;
        open(decipher!, tag, where(index));
        // Authenticated: cut the wanted bytes out of it, without copying.
        for (let p of pending) {
          if (toSkip >= p.length) {
            toSkip -= p.length;
            continue;
          }
          p = p.subarray(toSkip, toSkip + Math.min(toEmit, p.length - toSkip));
          toSkip = 0;
          toEmit -= p.length;
          if (p.length > 0) out.push(p);
        }
        pending = [];
        decipher = undefined;
        index++;
        phase = 'header';
        filled = 0;
      }
    }
    if (out.length > 0) yield out.length === 1 ? out[0] : Buffer.concat(out);
  }
  if (index < count) throw corrupted(`${where(index)}: the ciphertext ends early (stored object truncated)`);
}

/** Validates a package header against what this position in the range must hold; returns its plaintext length. */
function checkHeader(h: Buffer, last: boolean, toEnd: boolean, lastNeeds: number, where: string): number {
  if (h[0] !== VERSION) throw corrupted(`${where}: unknown format version ${h[0]}`);
  const flags = h[1];
  if ((flags & ~FLAG_FINAL) !== 0) throw corrupted(`${where}: unknown flags 0x${flags.toString(16)}`);
  const final = (flags & FLAG_FINAL) !== 0;
  const length = h.readUInt16LE(2) + 1;
  const finalHere = last && toEnd;
  if (final !== finalHere) {
    throw corrupted(final ? `${where}: marked final, but the stream goes on` : `${where}: the stream's final package is not marked final (stream truncated)`);
  }
  if (finalHere ? length < lastNeeds : length !== PACKAGE_PLAIN) {
    throw corrupted(`${where}: holds ${length} bytes, expected ${finalHere ? `at least ${lastNeeds}` : PACKAGE_PLAIN}`);
  }
  return length;
}

/** Checks a package's tag (the decipher has seen all of its ciphertext). */
function open(decipher: DecipherGCM, tag: Buffer, where: string): void {
  decipher.setAuthTag(tag);
  try {
    decipher.final(); // empty for GCM; throws when the tag does not match
  } catch {
    throw corrupted(`${where}: authentication failed (data altered, moved, or sealed under another key)`);
  }
}

function corrupted(message: string): ServiceError {
  return new ServiceError('DataCorrupted', message);
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new RangeError(`SSE data key must be 32 bytes, got ${key.length}`);
}

function checkU32(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${what} must be a u32, got ${n}`);
}

function checkCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}
