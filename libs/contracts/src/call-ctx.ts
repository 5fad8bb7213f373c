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
