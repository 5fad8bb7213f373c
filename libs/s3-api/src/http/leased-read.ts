import { isServiceError, type CallCtx, type ReadLease } from '@massive/contracts';
import type { S3ApiDeps } from '../types';
import type { Segment } from './object-segments';
import { decryptStream } from '../sse/package-format';

/** Counters of the read-lease machinery (createS3Api registers them; absent in unit tests). */
export interface ReadLeaseEvents {
  /** A read ran long enough to take a lease. */
  leased(): void;
  /** A read was stopped because its version's chunks were already being collected. */
  lost(): void;
}

/**
 * Streams a version's chunks (segment after segment, see object-segments.ts) with GC kept away for as long as the read runs (issue 7: a reader never
 * loses its chunks to GC). A read that ends within `readLeaseAfterMs` costs nothing extra: unlinked
 * chunks wait out the GC grace, which must be longer. A longer read takes a read lease on the version
 * at that point and renews it every `readLeaseAfterMs` (each lease lasts three intervals), so the
 * collector postpones the version's chunks until the read ends, then the lease is released.
 *
 * If the collector already claimed the version (the read stalled past the grace before it could take
 * its lease), the read is stopped at once with a clear log and `lost()`, rather than running into
 * missing chunks that would look like corruption. A lease call that fails for another reason (metadata
 * briefly unreachable) is retried at the next interval.
 */
export async function* leasedRead(versionId: string, segments: AsyncIterable<Segment>, ctx: CallCtx, deps: S3ApiDeps): AsyncIterable<Buffer> {
  const every = deps.config.readLeaseAfterMs;
  let lease: ReadLease | undefined;
  let lost: unknown;
  let timer: NodeJS.Timeout | undefined;
  let pending: Promise<void> | undefined;

  const tick = (): void => {
    pending = deps.metadata
      .leaseVersion({ versionId, ...(lease && { leaseId: lease.leaseId }), ttlMs: 3 * every }, { requestId: ctx.requestId })
      .then(
        (l) => {
          if (!lease) deps.readLeaseEvents?.leased();
          lease = l;
        },
        (e: unknown) => {
          if (!isServiceError(e, 'NoSuchVersion')) {
            deps.logger.warn('read lease call failed; retrying at the next interval', { requestId: ctx.requestId, versionId, err: e });
            return;
          }
          lost = e;
          deps.readLeaseEvents?.lost();
          deps.logger.warn('read stopped: its version was unlinked and its chunks are being collected (read slower than the GC grace)', {
            requestId: ctx.requestId,
            versionId,
          });
        },
      );
  };
  timer = setInterval(tick, every);
  timer.unref();
  try {
    // No extra AbortSignal per GET (AbortSignal.any costs measurable CPU at thousands of GETs a second):
    // a lost lease is thrown at the next piece, which closes the blob read (its generator's return()).
    for await (const segment of segments) {
      const stored = deps.blob.read(segment.manifest, segment.range, ctx);
      const d = segment.decrypt;
      for await (const piece of d ? decryptStream(handedBack(stored, deps), d.dataKey, d.stream, d) : stored) {
        if (lost) throw lost;
        yield piece;
      }
    }
    if (lost) throw lost;
  } catch (e) {
    throw lost ?? e;
  } finally {
    clearInterval(timer);
    timer = undefined;
    await pending;
    if (lease) {
      const { leaseId } = lease;
      deps.metadata.releaseVersionLease({ versionId, leaseId }, { requestId: ctx.requestId }).catch(() => undefined);
    }
  }
}

/**
 * `stored`, each piece handed back to the blob store (BlobApi.release) once the next one is asked for:
 * decryption keeps no view of a piece it is done with (its output is new buffers), so the store can
 * read into that memory again, as it does after a plain GET's socket write.
 */
async function* handedBack(stored: AsyncIterable<Buffer>, deps: S3ApiDeps): AsyncIterable<Buffer> {
  const release = deps.blob.release?.bind(deps.blob);
  if (!release) return yield* stored;
  let previous: Buffer | undefined;
  try {
    for await (const piece of stored) {
      if (previous) release(previous);
      previous = piece;
      yield piece;
    }
  } finally {
    if (previous) release(previous);
  }
}
