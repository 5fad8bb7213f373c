/** Per-call context carried across every port, in-process or over gRPC. */
export interface CallCtx {
  /** The S3 request id (`x-amz-request-id`), echoed in logs on every service. */
  readonly requestId: string;
  /** Aborted when the client hangs up or the deadline passes. */
  readonly signal?: AbortSignal;
  /**
   * Whether the call was aborted, answered without making `signal` where that is made on first read (a
   * served call's: rpc's `servedCall`), and live even when the ctx was copied. The deadline is not
   * part of it: check `deadline`. Absent: `signal.aborted` answers. Read it through `callAborted`. A ctx
   * derived from another with a different signal must not carry this one over (it would answer for
   * the old signal only).
   */
  readonly isAborted?: () => boolean;
  /**
   * Calls `listener` once when the call is aborted from now on, and returns what unregisters it;
   * without making `signal` where that is made on first read (the gateway request's). Not called for
   * an abort that already happened: check `callAborted` first. Absent: `signal` is listened to. Use it
   * through `whenAborted`. Like `isAborted`, not to be carried into a ctx with another signal.
   */
  readonly onAbort?: (listener: () => void) => () => void;
  /** Absolute deadline, ms since the epoch. */
  readonly deadline?: number;
}

export function backgroundCtx(requestId = 'background'): CallCtx {
  return { requestId };
}

/** Whether `ctx`'s call was aborted (its caller cancelled or went away), without making a lazy signal. */
export function callAborted(ctx: CallCtx | undefined): boolean {
  if (!ctx) return false;
  return ctx.isAborted ? ctx.isAborted() : ctx.signal?.aborted === true;
}

const NOTHING_TO_REMOVE = (): void => undefined;

/**
 * Calls `listener` once if `ctx`'s call is aborted from now on (not for an abort already past: check
 * `callAborted` first); returns what unregisters it. Through `onAbort` where the ctx has one, so a
 * lazy signal is not made for every call that merely might be cancelled.
 */
export function whenAborted(ctx: CallCtx | undefined, listener: () => void): () => void {
  if (!ctx) return NOTHING_TO_REMOVE;
  if (ctx.onAbort) return ctx.onAbort(listener);
  const signal = ctx.signal;
  if (!signal) return NOTHING_TO_REMOVE;
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/** `signal.throwIfAborted()` for a ctx, without making a lazy signal unless the call was aborted. */
export function throwIfCallAborted(ctx: CallCtx | undefined): void {
  if (!callAborted(ctx)) return;
  ctx?.signal?.throwIfAborted();
  throw new DOMException('This operation was aborted', 'AbortError');
}
