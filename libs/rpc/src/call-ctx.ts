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
 *
 * The signal, and the deadline timer that only it can make observable, are made when a handler first
 * reads `ctx.signal`: most calls (a GET's lookup, a HEAD) never do, and an AbortController with its
 * EventTarget plus a timer per call were the metadata service's costliest per-call allocations (~6% of
 * its main thread during 4 KiB GETs). Read after `abort`, it is aborted already; read after the deadline
 * passed, its timer aborts it on the next tick. `ctx.isAborted` answers without making it (a write
 * transaction checks it before every attempt).
 */
export function servedCall(requestId: string, deadline: number | undefined): ServedCall {
  let ac: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let abortedWith: { reason: unknown } | undefined;
  let over = false;
  const signal = (): AbortSignal => {
    if (ac) return ac.signal;
    ac = new AbortController();
    if (abortedWith) ac.abort(abortedWith.reason);
    else if (deadline !== undefined && !over) {
      const controller = ac;
      timer = setTimeout(() => controller.abort(new ServiceError('Unavailable', 'deadline exceeded')), Math.max(0, deadline - Date.now()));
      timer.unref();
    }
    return ac.signal;
  };
  const ctx: CallCtx = {
    requestId: requestId !== '' ? requestId : 'unknown',
    get signal() {
      return signal();
    },
    isAborted: () => (ac ? ac.signal.aborted : abortedWith !== undefined),
    ...(deadline !== undefined && { deadline }),
  };
  return {
    ctx,
    abort: (reason) => {
      if (ac) ac.abort(reason);
      else abortedWith ??= { reason };
    },
    done: () => {
      over = true;
      if (timer) clearTimeout(timer);
    },
  };
}
