/** Test sources: a body delivered as an async iterable of buffers cut at chosen or random points. */

/** A deterministic PRNG (mulberry32) so failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `body` at random points (pieces of 1..maxPiece bytes); each piece is a fresh copy. */
export async function* randomSplit(body: Buffer, seed: number, maxPiece = 97): AsyncGenerator<Buffer> {
  const rand = prng(seed);
  for (let i = 0; i < body.length; ) {
    const n = 1 + Math.floor(rand() * maxPiece);
    yield Buffer.from(body.subarray(i, i + n));
    i += n;
  }
}

export async function* fixedSplit(body: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of source) parts.push(Buffer.from(p));
  return Buffer.concat(parts);
}

/** Runs `promise` and returns the S3 error code it rejects with (or 'resolved'). */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}
