import type * as grpc from '@grpc/grpc-js';
import { ServiceError, type CallCtx } from '@massive/contracts';
import type { Logger } from '@massive/observability';
import { statusName, toStatus } from './errors';
import { observeCall, type GrpcMetrics } from './metrics';
import { cancelledByCaller, servedCall } from './call-ctx';
import { muxHandler, MuxStreams, MUX_METHOD, type MuxFinish } from './mux/mux-server';

/** Metadata key carrying CallCtx.requestId (the S3 request id) across every hop. */
export const REQUEST_ID_HEADER = 'massive-request-id';

export type UnaryMethod<Req, Res> = (req: Req, ctx: CallCtx) => Promise<Res>;
export type ClientStreamMethod<Req, Res> = (reqs: AsyncIterable<Req>, ctx: CallCtx) => Promise<Res>;
export type ServerStreamMethod<Req, Res> = (req: Req, ctx: CallCtx) => AsyncIterable<Res>;

type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/**
 * The async twin of a generated `…Handlers` interface: unary methods return a promise, client-streaming
 * ones take an async iterable of requests, server-streaming ones return an async iterable of responses.
 */
export type AsyncService<H> = {
  [K in KnownKeys<H> as K extends typeof MUX_METHOD ? never : K]: H[K] extends grpc.handleServerStreamingCall<infer Req, infer Res>
    ? ServerStreamMethod<Req, Res>
    : H[K] extends grpc.handleClientStreamingCall<infer Req, infer Res>
      ? ClientStreamMethod<Req, Res>
      : H[K] extends grpc.handleUnaryCall<infer Req, infer Res>
        ? UnaryMethod<Req, Res>
        : never;
};

export interface BindOptions {
  readonly metrics?: GrpcMetrics;
  readonly logger?: Logger;
  /** Where the service's Mux streams (if it has that method) are tracked, for a graceful shutdown. */
  readonly muxStreams?: MuxStreams;
}

type AnyImpl = Record<string, (...args: never[]) => unknown>;
/** What every kind of server call has. */
interface SurfaceCall {
  readonly cancelled: boolean;
  readonly metadata: grpc.Metadata;
  getDeadline(): grpc.Deadline;
  on(event: 'cancelled', listener: () => void): unknown;
  off(event: 'cancelled', listener: () => void): unknown;
}

/**
 * Turns async methods into grpc-js handlers. The one place that owns grpc-js callbacks and the
 * error → status mapping: each call settles exactly once (a `settled` guard), errors become a status
 * with the ServiceError code in the trailers, the client hanging up (or the deadline passing) aborts
 * `ctx.signal` and stops a response stream, and a response stream honours backpressure.
 */
export function bindService<H>(definition: grpc.ServiceDefinition, impl: AsyncService<H>, opts: BindOptions = {}): grpc.UntypedServiceImplementation {
  const methods = impl as unknown as AnyImpl;
  const out: grpc.UntypedServiceImplementation = {};
  /** Counts and logs one finished call (a cancelled one is neither an error nor logged as one). */
  const record = (service: string, method: string, ctx: CallCtx, started: bigint, code: string, err: unknown) => {
    if (opts.metrics) observeCall(opts.metrics, service, method, code, started);
    if (err !== undefined && code !== 'CANCELLED' && opts.logger) {
      const internal = !(err instanceof ServiceError) || err.code === 'Internal';
      if (internal) opts.logger.error('rpc failed', { requestId: ctx.requestId, rpc: method, err });
      else opts.logger.debug('rpc', { requestId: ctx.requestId, rpc: method, code });
    } else opts.logger?.debug('rpc', { requestId: ctx.requestId, rpc: method, code });
  };
  for (const [name, def] of Object.entries(definition)) {
    const fn = methods[name];
    if (typeof fn !== 'function' && name !== MUX_METHOD) throw new Error(`bindService: no implementation for ${def.path}`);
    const [service, method] = def.path.slice(1).split('/');
    const finish = (call: SurfaceCall, ctx: CallCtx, started: bigint, err: unknown) => {
      const code = call.cancelled ? 'CANCELLED' : err === undefined ? 'OK' : statusName(toStatus(err).code);
      record(service, method, ctx, started, code, err);
    };

    if (name === MUX_METHOD && def.requestStream && def.responseStream) {
      // Every call on the stream is finished (counted, logged) as the unary method it names.
      const muxFinish: MuxFinish = (inner, ctx, started, code, err) => record(service, inner, ctx, started, code, err);
      out[name] = muxHandler(definition, methods, muxFinish, opts.muxStreams ?? new MuxStreams()) as grpc.handleBidiStreamingCall<unknown, unknown>;
    } else if (!def.requestStream && !def.responseStream) {
      const unary = fn as unknown as UnaryMethod<unknown, unknown>;
      out[name] = ((call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const started = process.hrtime.bigint();
        const { ctx, done } = serverCtx(call);
        let settled = false;
        const settle = (err: unknown, value?: unknown) => {
          if (settled) return;
          settled = true;
          done();
          finish(call, ctx, started, err);
          if (err === undefined) callback(null, value);
          else callback(toStatus(err));
        };
        invoke(() => unary(call.request, ctx)).then((v) => settle(undefined, v), (e: unknown) => settle(e ?? new Error('rejected')));
      }) as grpc.handleUnaryCall<unknown, unknown>;
    } else if (def.requestStream && !def.responseStream) {
      const clientStream = fn as unknown as ClientStreamMethod<unknown, unknown>;
      out[name] = ((call: grpc.ServerReadableStream<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const started = process.hrtime.bigint();
        const { ctx, done } = serverCtx(call);
        let settled = false;
        const settle = (err: unknown, value?: unknown) => {
          if (settled) return;
          settled = true;
          done();
          finish(call, ctx, started, err);
          if (err === undefined) callback(null, value);
          else callback(toStatus(err));
          // Whatever the client still sends is not wanted: let it drain instead of stalling the stream.
          call.resume();
        };
        invoke(() => clientStream(requests(call), ctx)).then((v) => settle(undefined, v), (e: unknown) => settle(e ?? new Error('rejected')));
      }) as grpc.handleClientStreamingCall<unknown, unknown>;
    } else if (!def.requestStream && def.responseStream) {
      const serverStream = fn as unknown as ServerStreamMethod<unknown, unknown>;
      out[name] = ((call: grpc.ServerWritableStream<unknown, unknown>) => {
        const started = process.hrtime.bigint();
        const { ctx, done } = serverCtx(call);
        void pump(call, () => serverStream(call.request, ctx), ctx).then((err) => {
          done();
          finish(call, ctx, started, err);
          if (call.cancelled) return;
          if (err === undefined) call.end();
          else call.emit('error', toStatus(err));
        });
      }) as grpc.handleServerStreamingCall<unknown, unknown>;
    } else {
      throw new Error(`bindService: bidirectional streaming is not supported (${def.path})`);
    }
  }
  return out;
}

/** Calls `fn`, turning a synchronous throw into a rejection. */
function invoke<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * A client-stream call's messages. Unread messages pause the stream (gRPC flow control does the rest);
 * stopping early leaves the call alone (the status is sent by the handler, not by a destroyed stream).
 */
function requests(call: grpc.ServerReadableStream<unknown, unknown>): AsyncIterable<unknown> {
  return { [Symbol.asyncIterator]: () => call.iterator({ destroyOnReturn: false }) };
}

/** Writes every response with backpressure; resolves with the error that ended the stream, if any. */
async function pump(call: grpc.ServerWritableStream<unknown, unknown>, open: () => AsyncIterable<unknown>, ctx: CallCtx): Promise<unknown> {
  let it: AsyncIterator<unknown> | undefined;
  try {
    it = open()[Symbol.asyncIterator]();
    for (;;) {
      const next = await it.next();
      if (next.done) return undefined;
      if (call.cancelled) break;
      if (!call.write(next.value)) await drained(call, ctx.signal);
      if (call.cancelled) break;
    }
    // The client went away: stop producing (the iterator's finally blocks run).
    await it.return?.();
    return undefined;
  } catch (e) {
    if (call.cancelled) await Promise.resolve(it?.return?.()).catch(() => undefined);
    return e;
  }
}

function drained(call: grpc.ServerWritableStream<unknown, unknown>, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    call.on('drain', done);
    signal?.addEventListener('abort', done);
  });
}

/**
 * CallCtx for a server call: the caller's request id, its deadline, and a signal aborted when the
 * client cancels or hangs up, or when the deadline passes.
 */
function serverCtx(call: SurfaceCall): { ctx: CallCtx; done: () => void } {
  const raw = call.getDeadline();
  const deadline = raw instanceof Date ? raw.getTime() : raw;
  const id = call.metadata.get(REQUEST_ID_HEADER)[0];
  const served = servedCall(typeof id === 'string' ? id : '', Number.isFinite(deadline) ? deadline : undefined);
  const onCancel = () => served.abort(cancelledByCaller());
  call.on('cancelled', onCancel);
  return {
    ctx: served.ctx,
    done: () => {
      served.done();
      call.off('cancelled', onCancel);
    },
  };
}
