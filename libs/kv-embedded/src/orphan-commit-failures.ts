/**
 * lmdb-js (3.5.x) rejects, when a write transaction fails to commit (a full disk, an I/O error), every
 * transaction batched into it, and LmdbKv handles those. It also rejects an internal promise of the
 * event-turn batch that nothing in lmdb-js listens to, and the promise carrying the cause
 * (`commitError`) when no transaction is there to take it. Under Node's default for unhandled
 * rejections, either kills the whole process, taking every request in flight with it, for what is one
 * failed write.
 *
 * This process-wide hook, installed by the services that open an LmdbKv, takes exactly those
 * rejections (lmdb-js's "Commit failed" error and the cause it carries) and rethrows every other
 * unhandled rejection as an uncaught exception, which is what Node does by default. Checked by the
 * disk-full end-to-end spec (apps/gateway/test/disk-full.spec.ts), which fills the disk under LMDB.
 */
let installed = false;

export function tolerateOrphanLmdbCommitFailures(): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    if (isLmdbCommitFailure(reason)) {
      // The cause is rejected after this error (same turn): handled now, Node never reports it.
      if (reason.commitError instanceof Promise) reason.commitError.catch(() => undefined);
      return;
    }
    throw reason;
  });
}

function isLmdbCommitFailure(reason: unknown): reason is Error & { commitError: unknown } {
  return reason instanceof Error && reason.message === 'Commit failed (see commitError for details)' && 'commitError' in reason;
}
