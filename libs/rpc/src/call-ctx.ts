import { ServiceError, type CallCtx } from '@massive/contracts';

/** What a served call's signal is aborted with when its caller cancels it or goes away. */
export function cancelledByCaller(): ServiceError {
  return new ServiceError('Unavailable', 'the caller cancelled the call');
}

export interface ServedCall {
  readonly ctx: CallCtx;
  /** Aborts the call: ctx.signal and what onAbort registered (the caller cancelled, the stream died, the client hung up). */
  abort(reason: unknown): void;
  /** The call is over: its deadline timer and its listeners go. */
  done(): void;
}

/**
 * CallCtx for a call served here (a unary gRPC call, one carried on a Mux stream, or a request on the
 * blob service's HTTP data path): the caller's request id, its deadline, and an abort when the
 * deadline passes or `abort` is called.
 *
 * Nothing is made for a call nobody listens to. The signal, and the deadline timer, are made when a
 * handler first reads `ctx.signal`: most calls (a GET's lookup, a HEAD) never do, and an
 * AbortController with its EventTarget plus a timer per call were the metadata service's costliest
 * per-call allocations (~6% of its main thread during 4 KiB GETs). A handler that only needs to be
 * told (the blob service's reads and writes, through contracts' `whenAborted`) registers with
 * `onAbort`: a Set entry, and the deadline's timer, but no signal (the blob data path's AbortController,
 * EventTarget listener and timer per request were ~4% of the blob service's main thread on 1 MiB GETs).
 * Read after `abort`, the signal is aborted already; read after the deadline passed, its timer aborts
 * it on the next tick. `ctx.isAborted` answers without making anything (a write transaction checks it
 * before every attempt).
 */
export function servedCall(requestId: string, deadline: number | undefined): ServedCall {
  return new ServedCtx(requestId !== '' ? requestId : 'unknown', deadline);
}

const NO_LISTENER = (): void => undefined;

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
  /** What `onAbort` registered (a blob read's or write's halt). */
  private listeners: Set<() => void> | undefined;
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
    else this.armDeadline();
    return ac.signal;
  }

  isAborted(): boolean {
    return this.abortedWith !== undefined;
  }

  onAbort(listener: () => void): () => void {
    if (this.abortedWith) return NO_LISTENER;
    (this.listeners ??= new Set()).add(listener);
    this.armDeadline();
    return () => void this.listeners?.delete(listener);
  }

  /** The first reason wins; later ones are ignored. */
  abort(reason: unknown): void {
    if (this.abortedWith) return;
    this.abortedWith = { reason };
    if (this.timer) clearTimeout(this.timer);
    this.ac?.abort(reason);
    const called = this.listeners;
    this.listeners = undefined;
    if (called) for (const l of called) l();
  }

  done(): void {
    this.over = true;
    this.listeners = undefined;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Once someone can observe the deadline: a timer that aborts the call when it passes. */
  private armDeadline(): void {
    if (this.deadline === undefined || this.over || this.timer) return;
    this.timer = setTimeout(() => this.abort(new ServiceError('Unavailable', 'deadline exceeded')), Math.max(0, this.deadline - Date.now()));
    this.timer.unref();
  }
}
