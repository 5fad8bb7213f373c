import { open, type FileHandle } from 'node:fs/promises';
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

/**
 * fsyncs directories through descriptors kept open, one per directory: a sync is one thread-pool call
 * instead of three (open, fsync, close). Each call into the pool costs the event loop a wake-up of a
 * pool thread and one of its own when the call is done, which is dear on a virtual machine (a 1 MiB
 * chunk write made 12 such calls; see LocalDiskStore). For a bounded set of directories that are
 * never replaced: the chunk store's 256 fan directories. An fsync through a descriptor opened earlier
 * syncs the same inode as one opened now; a failed open or sync drops the descriptor, so the next
 * call opens the directory afresh.
 */
export class KeptDirs {
  private readonly handles = new Map<string, Promise<FileHandle>>();

  /** Directories with a descriptor open (or opening) now. */
  get size(): number {
    return this.handles.size;
  }

  readonly fsync = async (dir: string): Promise<void> => {
    let handle = this.handles.get(dir);
    if (handle === undefined) {
      handle = open(dir, 'r');
      this.handles.set(dir, handle);
    }
    try {
      await (await handle).sync();
    } catch (e) {
      this.drop(dir, handle);
      throw e;
    }
  };

  /** Closes every kept descriptor; later syncs open theirs again. */
  close(): void {
    for (const [dir, handle] of [...this.handles]) this.drop(dir, handle);
  }

  private drop(dir: string, handle: Promise<FileHandle>): void {
    if (this.handles.get(dir) === handle) this.handles.delete(dir);
    handle.then((fh) => fh.close()).catch(() => undefined);
  }
}
