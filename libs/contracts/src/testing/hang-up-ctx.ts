import type { CallCtx } from '../call-ctx';

/**
 * A CallCtx like the gateway request's: `onAbort` listeners and `isAborted` without a signal, and a
 * `signal` made on each read (counted: a client that reads it made the AbortController the gateway
 * spares). `hangUp` aborts it as a client closing its connection does.
 */
export function hangUpCtx(reason = new Error('client closed the connection')): {
  readonly ctx: CallCtx;
  readonly signalReads: () => number;
  readonly listening: () => number;
  readonly hangUp: () => void;
} {
  let gone = false;
  let reads = 0;
  let listeners = new Set<() => void>();
  const ctx: CallCtx = {
    requestId: 'hang-up',
    get signal() {
      reads++;
      return gone ? AbortSignal.abort(reason) : new AbortController().signal;
    },
    isAborted: () => gone,
    onAbort: (listener) => {
      if (gone) return () => undefined;
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  return {
    ctx,
    signalReads: () => reads,
    listening: () => listeners.size,
    hangUp: () => {
      gone = true;
      const called = listeners;
      listeners = new Set();
      for (const l of called) l();
    },
  };
}
