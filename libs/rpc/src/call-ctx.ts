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
  return new ServedCtx(requestId !== '' ? requestId : 'unknown', deadline);
}

/**
 * A class, not an object literal with a `signal` getter: V8 builds such a literal through a runtime call
 * that (as we read it) placed each one in the old generation, where every one, live or dead, kept what
 * it referenced alive through the next scavenges until a major GC. In the gateway the same pattern
 * (its request ctx) promoted 1.2 MB per scavenge under 32 clients' 4 KiB GETs (http/request-ctx.ts).
 */
class ServedCtx implements CallCtx, ServedCall {
  /** The call and its ctx are one object (the handler sees it only as a CallCtx). */
  readonly ctx: CallCtx = this;
  private ac: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private abortedWith: { reason: unknown } | undefined;
  private over = false;

  constructor(
    readonly requestId: string,
    /** Absent (undefined): the caller set none. */
    readonly deadline: number | undefined,
  ) {}

  get signal(): AbortSignal {
    if (this.ac) return this.ac.signal;
    const ac = (this.ac = new AbortController());
    if (this.abortedWith) ac.abort(this.abortedWith.reason);
    else if (this.deadline !== undefined && !this.over) {
      this.timer = setTimeout(() => ac.abort(new ServiceError('Unavailable', 'deadline exceeded')), Math.max(0, this.deadline - Date.now()));
      this.timer.unref();
    }
    return ac.signal;
  }

  isAborted(): boolean {
    return this.ac ? this.ac.signal.aborted : this.abortedWith !== undefined;
  }

  abort(reason: unknown): void {
    if (this.ac) this.ac.abort(reason);
    else this.abortedWith ??= { reason };
  }

  done(): void {
    this.over = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
