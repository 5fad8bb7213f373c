import type * as grpc from '@grpc/grpc-js';
import { status as Status } from '@grpc/grpc-js';
import { ServiceError, type CallCtx } from '@massive/contracts';
import { Gauge, Histogram, type Registry } from 'prom-client';
import { cancelledByCaller, servedCall, type ServedCall } from '../call-ctx';
import { asServiceError, ERROR_TO_STATUS } from '../errors';
import type { MuxCall__Output } from '../generated/massive/rpc/v1/MuxCall';
import type { MuxReply } from '../generated/massive/rpc/v1/MuxReply';
import type { MuxRequest__Output } from '../generated/massive/rpc/v1/MuxRequest';
import type { MuxResponse } from '../generated/massive/rpc/v1/MuxResponse';

/** The multiplexing method's name in a service that offers it (proto/massive/rpc/v1/mux.proto). */
export const MUX_METHOD = 'Mux';

type Unary = (req: unknown, ctx: CallCtx) => Promise<unknown>;
/** Called once per finished call: its status name, and the error unless it succeeded. */
export type MuxFinish = (method: string, ctx: CallCtx, started: bigint, code: string, err: unknown) => void;

/**
 * The Mux streams a server has open, so that a graceful shutdown can drain them; with a registry,
 * `grpc_server_mux_streams` (open now) and `grpc_server_mux_calls_per_message` (how well clients batch).
 */
export class MuxStreams {
  private readonly open = new Set<ServerMux>();
  private draining = false;
  readonly perMessage: Histogram | undefined;

  constructor(registry?: Registry) {
    if (!registry) return;
    const name = 'grpc_server_mux_calls_per_message';
    this.perMessage =
      (registry.getSingleMetric(name) as Histogram | undefined) ??
      new Histogram({ name, help: 'Calls carried per Mux request message (batched per client event-loop turn)', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [registry] });
    const open = this.open;
    if (!registry.getSingleMetric('grpc_server_mux_streams')) {
      new Gauge({
        name: 'grpc_server_mux_streams',
        help: 'Mux streams open (a few per client channel)',
        registers: [registry],
        collect() {
          this.set(open.size);
        },
      });
    }
  }

  add(s: ServerMux): void {
    if (this.draining) s.drain();
    this.open.add(s);
  }

  delete(s: ServerMux): void {
    this.open.delete(s);
  }

  /**
   * Calls already started finish and get their replies; calls arriving from now on are answered
   * `not_executed` (the client sends them again on a fresh stream, to another replica); each stream ends
   * as soon as its calls in flight are done, so a graceful shutdown does not wait on idle streams.
   */
  drain(): void {
    this.draining = true;
    for (const s of this.open) s.drain();
  }

  get size(): number {
    return this.open.size;
  }
}

/**
 * The server end of a Mux stream: runs every call it carries through the same unary implementation a
 * plain call of that method would reach (same ctx, same errors), concurrently. The calls of one message
 * are started one per turn of the event loop, and each reply is sent as soon as it is ready: the client
 * then works on the first replies while the next calls run here. Started all at once and answered all
 * at once, a batch of listings (3 ms each) kept the gateway idle while the metadata service ran them and
 * the other way round: the two processes took turns, busy together 2% of the time, and distributed
 * listings ran at 60% of the rate they reach this way.
 */
class ServerMux {
  private readonly inflight = new Map<number, ServedCall>();
  /** Calls received and not started yet. */
  private queue: MuxCall__Output[] = [];
  private pumping = false;
  private halfClosed = false;
  private draining = false;
  private closed = false;

  constructor(
    private readonly call: grpc.ServerDuplexStream<MuxRequest__Output, MuxResponse>,
    private readonly definition: grpc.ServiceDefinition,
    private readonly methods: Readonly<Record<string, unknown>>,
    private readonly finish: MuxFinish,
    private readonly streams: MuxStreams,
  ) {
    call.on('data', (m: MuxRequest__Output) => this.receive(m));
    call.on('end', () => {
      this.halfClosed = true;
      this.maybeEnd();
    });
    // The client cancelled the stream or the connection died: abort everything still running.
    call.on('cancelled', () => this.close(cancelledByCaller()));
    call.on('error', () => this.close(new ServiceError('Unavailable', 'the stream failed')));
    streams.add(this);
  }

  drain(): void {
    this.draining = true;
    const waiting = this.queue;
    this.queue = [];
    for (const c of waiting) this.reply({ id: c.id, status: Status.UNAVAILABLE, message: 'the server is shutting down', notExecuted: true });
    this.maybeEnd();
  }

  private receive(m: MuxRequest__Output): void {
    if (m.calls.length > 0) this.streams.perMessage?.observe(m.calls.length);
    for (const id of m.cancel) {
      const served = this.inflight.get(id);
      if (served) {
        this.inflight.delete(id);
        served.abort(cancelledByCaller());
      } else {
        // Not started yet: it never will be (the client wants no reply).
        const at = this.queue.findIndex((c) => c.id === id);
        if (at >= 0) this.queue.splice(at, 1);
      }
    }
    for (const c of m.calls) this.queue.push(c);
    if (!this.pumping) this.pump();
    this.maybeEnd();
  }

  /** Starts the next queued call, and schedules the one after it for the next turn of the event loop. */
  private pump(): void {
    const c = this.closed ? undefined : this.queue.shift();
    this.pumping = c !== undefined && this.queue.length > 0;
    if (c !== undefined) this.run(c);
    if (this.pumping) setImmediate(() => this.pump());
    else this.maybeEnd();
  }

  private run(c: MuxCall__Output): void {
    const def = this.definition[c.method] as grpc.MethodDefinition<unknown, unknown> | undefined;
    const fn = this.methods[c.method];
    if (!def || def.requestStream || def.responseStream || typeof fn !== 'function') {
      this.reply({ id: c.id, status: Status.UNIMPLEMENTED, message: `no unary method ${c.method} to multiplex` });
      return;
    }
    if (this.draining) {
      this.reply({ id: c.id, status: Status.UNAVAILABLE, message: 'the server is shutting down', notExecuted: true });
      return;
    }
    const started = process.hrtime.bigint();
    const served = servedCall(c.requestId, c.timeoutMs > 0 ? Date.now() + c.timeoutMs : undefined);
    const { ctx } = served;
    this.inflight.set(c.id, served);
    const settle = (err: unknown, value?: unknown) => {
      served.done();
      // Gone from the map: cancelled by the client (who wants no reply) or the stream closed.
      const wanted = this.inflight.get(c.id) === served;
      if (wanted) this.inflight.delete(c.id);
      let reply: MuxReply | undefined;
      if (err === undefined) {
        try {
          reply = { id: c.id, status: Status.OK, response: def.responseSerialize(value) };
        } catch (e) {
          err = e;
        }
      }
      reply ??= errorReply(c.id, err);
      this.finish(c.method, ctx, started, wanted ? statusCode(reply.status ?? Status.OK) : 'CANCELLED', err);
      if (wanted) this.reply(reply);
      this.maybeEnd();
    };
    let req: unknown;
    try {
      req = def.requestDeserialize(c.request);
    } catch (e) {
      settle(new ServiceError('InvalidArgument', `cannot decode the ${c.method} request: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    let pending: Promise<unknown>;
    try {
      pending = (fn as Unary)(req, ctx);
    } catch (e) {
      pending = Promise.reject(e);
    }
    pending.then(
      (v) => settle(undefined, v),
      (e: unknown) => settle(e ?? new Error('rejected')),
    );
  }

  /**
   * Sends a reply at once (HTTP/2 writes what a turn queued together at its end). Replies are bounded by
   * the client's calls in flight: no need to wait for 'drain' here.
   */
  private reply(r: MuxReply): void {
    if (this.closed) return;
    this.call.write({ replies: [r] });
  }

  /** Ends the stream (status OK) once the client is done or we drain, and nothing is owed. */
  private maybeEnd(): void {
    if (this.closed || !(this.halfClosed || this.draining) || this.inflight.size > 0 || this.queue.length > 0 || this.pumping) return;
    this.closed = true;
    this.streams.delete(this);
    this.call.end();
  }

  private close(reason: ServiceError): void {
    if (this.closed) return;
    this.closed = true;
    this.streams.delete(this);
    this.queue = [];
    const running = [...this.inflight.values()];
    this.inflight.clear();
    for (const served of running) served.abort(reason);
  }
}

function statusCode(code: number): string {
  return Status[code] ?? String(code);
}

/** What a unary call failing with `err` would end with (errors.ts toStatus), as a reply. */
function errorReply(id: number, err: unknown): MuxReply {
  const e = asServiceError(err);
  return { id, status: ERROR_TO_STATUS[e.code], message: e.message, errorCode: e.code, ...(e.detail && { errorDetail: JSON.stringify(e.detail) }) };
}

/** The grpc-js handler of a service's Mux method, dispatching to the service's unary implementations. */
export function muxHandler(
  definition: grpc.ServiceDefinition,
  methods: Readonly<Record<string, unknown>>,
  finish: MuxFinish,
  streams: MuxStreams,
): grpc.handleBidiStreamingCall<MuxRequest__Output, MuxResponse> {
  return (call) => {
    new ServerMux(call, definition, methods, finish, streams);
  };
}
