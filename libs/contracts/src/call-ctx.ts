/** Per-call context carried across every port, in-process or over gRPC. */
export interface CallCtx {
  /** The S3 request id (`x-amz-request-id`), echoed in logs on every service. */
  readonly requestId: string;
  /** Aborted when the client hangs up or the deadline passes. */
  readonly signal?: AbortSignal;
  /** Absolute deadline, ms since the epoch. */
  readonly deadline?: number;
}

export function backgroundCtx(requestId = 'background'): CallCtx {
  return { requestId };
}
