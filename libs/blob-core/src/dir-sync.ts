import { fsyncDir } from './fs-io';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Group commit for directory fsyncs. `sync(dir)` resolves once an fsync of `dir` that *started after
 * the call* has completed, so every entry created, linked or unlinked in `dir` before the call is
 * durable. Callers that arrive while a sync of the same directory runs share the one sync started
 * right after it: N concurrent chunk writes into one directory cost at most two fsyncs, not N.
 *
 * A failed fsync rejects every caller it was meant to cover (they must not acknowledge); callers
 * that arrived meanwhile get a fresh attempt.
 */
export class DirSyncer {
  private readonly queues = new Map<string, Waiter[]>();

  constructor(private readonly fsync: (dir: string) => Promise<void> = fsyncDir) {}

  sync(dir: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiting = this.queues.get(dir);
      if (waiting) {
        // A sync of `dir` is running and may have started before our change: wait for the next one.
        waiting.push({ resolve, reject });
        return;
      }
      this.queues.set(dir, []);
      this.run(dir, [{ resolve, reject }]);
    });
  }

  private run(dir: string, batch: readonly Waiter[]): void {
    const settle = (outcome: { ok: true } | { ok: false; error: unknown }): void => {
      for (const w of batch) {
        if (outcome.ok) w.resolve();
        else w.reject(outcome.error);
      }
      const next = this.queues.get(dir) ?? [];
      if (next.length === 0) {
        this.queues.delete(dir);
      } else {
        this.queues.set(dir, []);
        this.run(dir, next);
      }
    };
    this.fsync(dir).then(
      () => settle({ ok: true }),
      (error: unknown) => settle({ ok: false, error }),
    );
  }
}
