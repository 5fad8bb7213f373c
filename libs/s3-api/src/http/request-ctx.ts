import type { ServerResponse } from 'node:http';
import type { CallCtx } from '@massive/contracts';

const NO_LISTENER = (): void => undefined;

/**
 * A gateway request's CallCtx: aborted when the client hangs up before its response is finished. The
 * signal is made only when something asks for it (most requests never do: RPC clients and the local
 * metadata service listen through `onAbort` and `isAborted`, a Set instead of the AbortController and
 * EventTarget listeners a signal costs).
 *
 * A class, not an object literal with a `signal` getter as it was: V8 builds such a literal through a
 * runtime call, and (as we read what followed) each one ended up in the old generation, where it kept
 * its closures and the request's objects behind them alive through every scavenge until a major GC.
 * Under 32 clients' 4 KiB GETs that promoted 1.2 MB per scavenge (4.7 ms pauses; 144 µs of server
 * CPU per GET, 82 as a class). Lint now refuses accessors in object literals (eslint.config.mjs).
 * Callers only ever call `isAborted` and `onAbort` as methods (contracts' `callAborted` and
 * `whenAborted`); a ctx is never spread.
 */
export class RequestCtx implements CallCtx {
  private ac: AbortController | undefined;
  private gone = false;
  /** What onAbort registered: the RPC clients' cancellations, one per call in flight. */
  private listeners: Set<() => void> | undefined;

  constructor(
    res: ServerResponse,
    readonly requestId: string,
  ) {
    // A response closes once: unfinished, the client went away.
    res.on('close', () => {
      if (res.writableFinished) return;
      this.gone = true;
      this.ac?.abort(new Error('client closed the connection'));
      const called = this.listeners;
      this.listeners = undefined;
      if (called) for (const l of called) l();
    });
  }

  get signal(): AbortSignal {
    if (!this.ac) {
      this.ac = new AbortController();
      if (this.gone) this.ac.abort(new Error('client closed the connection'));
    }
    return this.ac.signal;
  }

  /** In local mode the metadata service's write transactions check this before each attempt. */
  isAborted(): boolean {
    return this.gone;
  }

  /** Every metadata and blob call listens for the hang-up (distributed 4 KiB PUT: 310 -> 266 µs of gateway CPU against a signal). */
  onAbort(listener: () => void): () => void {
    if (this.gone) return NO_LISTENER;
    (this.listeners ??= new Set()).add(listener);
    return () => void this.listeners?.delete(listener);
  }
}
