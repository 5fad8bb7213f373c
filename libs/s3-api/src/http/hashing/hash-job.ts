import { createHash, type Hash } from 'node:crypto';

/** The digests a body may need that cost real CPU per byte (CRCs stay on the caller's thread). */
export type HashName = 'md5' | 'sha1' | 'sha256';
export const HASH_NAMES: readonly HashName[] = ['md5', 'sha1', 'sha256'];

export type HashDigests = Readonly<Partial<Record<HashName, Buffer>>>;

/**
 * One body's running hashes. `update` takes the bytes in order; when it returns a promise, that
 * promise must settle before the next call (the hashing thread is behind: backpressure). `digests`
 * ends the job (no update after it) and is memoized, so several readers may await it. `abort` drops
 * the job; its `digests` then never resolve with values (they reject).
 */
export interface HashJob {
  readonly names: ReadonlySet<HashName>;
  update(bytes: Buffer): Promise<void> | undefined;
  digests(): Promise<HashDigests>;
  abort(): void;
}

/** Something that hands out hash jobs: on this thread, or on hashing threads (hash-pool.ts). */
export interface Hashing {
  open(names: Iterable<HashName>, expectedBytes: number | undefined): HashJob;
}

/** Hashes on the calling thread: for small bodies, where handing bytes to another thread costs more than it saves. */
export class InlineHashJob implements HashJob {
  readonly names: ReadonlySet<HashName>;
  private readonly hashes: [HashName, Hash][];
  private result?: Promise<HashDigests>;

  constructor(names: Iterable<HashName>) {
    this.names = new Set(names);
    this.hashes = [...this.names].map((n) => [n, createHash(n)]);
  }

  update(bytes: Buffer): undefined {
    if (this.result) throw new Error('hash job updated after its digests were taken');
    for (const [, h] of this.hashes) h.update(bytes);
    return undefined;
  }

  digests(): Promise<HashDigests> {
    this.result ??= Promise.resolve(Object.fromEntries(this.hashes.map(([n, h]) => [n, h.digest()])));
    return this.result;
  }

  abort(): void {
    this.result ??= Promise.reject(new Error('hash job aborted'));
    this.result.catch(() => undefined);
  }
}

/** `source`, each piece given to `job` before it is passed on (waiting while the job is behind). */
export async function* fedTo(source: AsyncIterable<Buffer>, job: HashJob): AsyncGenerator<Buffer> {
  for await (const b of source) {
    const wait = job.update(b);
    if (wait) await wait;
    yield b;
  }
}

export const inlineHashing: Hashing = { open: (names) => new InlineHashJob(names) };
