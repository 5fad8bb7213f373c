import { ServiceError, type CallCtx } from '@massive/contracts';

/** What a served call's signal is aborted with when its caller cancels it or goes away. */
export function cancelledByCaller(): ServiceError {
  return new ServiceError('Unavailable', 'the caller cancelled the call');
}

export interface ServedCall {
  readonly ctx: CallCtx;
  /** Aborts ctx.signal (the caller cancelled, the stream died). */
  abort(reason: unknown): void;
  /** The call is over: its deadline timer goes. */
  done(): void;
}

/**
 * CallCtx for a call served here (a unary gRPC call, or one carried on a Mux stream): the caller's
 * request id, its deadline, and a signal aborted when the deadline passes or `abort` is called.
 */
export function servedCall(requestId: string, deadline: number | undefined): ServedCall {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  if (deadline !== undefined) {
    timer = setTimeout(() => ac.abort(new ServiceError('Unavailable', 'deadline exceeded')), Math.max(0, deadline - Date.now()));
    timer.unref();
  }
  return {
    ctx: { requestId: requestId !== '' ? requestId : 'unknown', signal: ac.signal, ...(deadline !== undefined && { deadline }) },
    abort: (reason) => ac.abort(reason),
    done: () => {
      if (timer) clearTimeout(timer);
    },
  };
}
