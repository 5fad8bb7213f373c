import * as grpc from '@grpc/grpc-js';
import { status as Status } from '@grpc/grpc-js';
import type { Socket } from 'node:net';
import { ServiceError, type CallCtx } from '@massive/contracts';
import { Gauge, Histogram, type Registry } from 'prom-client';
import { cancelledByCaller, servedCall, type ServedCall } from '../call-ctx';
import { asServiceError, ERROR_TO_STATUS } from '../errors';
import type { MuxCall__Output } from '../generated/massive/rpc/v1/MuxCall';
import type { MuxReply } from '../generated/massive/rpc/v1/MuxReply';
import type { MuxRequest__Output } from '../generated/massive/rpc/v1/MuxRequest';
import type { MuxResponse } from '../generated/massive/rpc/v1/MuxResponse';
import { DIRECT_HEADER, DIRECT_USED, FrameType, MAX_FRAME_BYTES, writeFrame, type FrameReader } from './direct-frames';
import type { DirectSink, MuxDirectListener } from './direct-listener';

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
  readonly repliesPerMessage: Histogram | undefined;
  /** How long each method's calls take here, start to reply (ms, a moving average): which ones may share a turn. */
  private readonly costs = new Map<string, number>();
  /** Where streams offer their direct connection (RpcServer's, when it has one). */
  direct: MuxDirectListener | undefined;

  constructor(registry?: Registry) {
    if (!registry) return;
    const name = 'grpc_server_mux_calls_per_message';
    const buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256];
    this.perMessage =
      (registry.getSingleMetric(name) as Histogram | undefined) ??
      new Histogram({ name, help: 'Calls carried per Mux request message (batched per client event-loop turn)', buckets, registers: [registry] });
    const replies = 'grpc_server_mux_replies_per_message';
    this.repliesPerMessage =
      (registry.getSingleMetric(replies) as Histogram | undefined) ??
      new Histogram({ name: replies, help: 'Replies carried per Mux response message (those ready in one event-loop turn)', buckets, registers: [registry] });
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

  /** What a call of `method` is expected to take (ms), or undefined before one has finished. */
  expectedMs(method: string): number | undefined {
    return this.costs.get(method);
  }

  /** A call of `method` took `ms` from its start to its reply. */
  observeCost(method: string, ms: number): void {
    const prev = this.costs.get(method);
    this.costs.set(method, prev === undefined ? ms : prev + (ms - prev) * COST_WEIGHT);
  }
}

/**
 * A turn of the server's event loop runs further calls of a message, one after another, while the turn
 * is younger than this and the next call is expected to fit: cheap calls (an object lookup: tens of
 * µs) are answered together in one response message, instead of one message, one write and one
 * wake-up of the client each.
 */
const TURN_BUDGET_MS = 0.5;
/** Weight of the newest call in a method's cost average. */
const COST_WEIGHT = 0.2;
/** Replies of a turn go in several messages past this many bytes (a client takes 256 MiB at most; be modest). */
const MAX_REPLY_BATCH_BYTES = 1024 * 1024;

/**
 * The server end of a Mux stream: runs every call it carries through the same unary implementation a
 * plain call of that method would reach (same ctx, same errors), concurrently.
 *
 * Scheduling. Each turn of the event loop starts the next queued call, and its reply leaves as soon as it
 * is ready, before the next turn starts a call. Started all at once and answered all at once,
 * a batch of listings (3 ms each) kept the gateway idle while the metadata service ran them and the
 * other way round: the two processes took turns, busy together 2% of the time, and distributed listings
 * ran at 60% of the rate they reach one per turn. But one call per turn and one message per reply made
 * every cheap call (a GetObject: tens of µs of work) cost a response message, a write and a wake-up of
 * the client: at 32 clients' 4 KiB GETs, a write per reply. So once a call has finished within its turn,
 * the next queued call runs at once when the turn is still younger than TURN_BUDGET_MS and that call's
 * method is expected (from its past calls) to fit, and the replies of such a run leave together when it
 * stops: cheap calls are answered several to a message, while a slow call still starts in a turn of its
 * own, after the replies before it have left.
 */
class ServerMux implements DirectSink {
  /** The stream's direct connection, once the client took it: messages go there instead. */
  private socket: Socket | undefined;
  /** The ticket offered for it, until presented or the stream ends. */
  private ticket: string | undefined;
  private readonly codec: grpc.MethodDefinition<MuxRequest__Output, MuxResponse>;
  private readonly inflight = new Map<number, ServedCall>();
  /** Calls received and not started yet. */
  private queue: MuxCall__Output[] = [];
  /** A turn that starts the next queued call is scheduled. */
  private pumping = false;
  /** When the current turn started its first call (performance.now()). */
  private turnStartedAt = 0;
  /** Replies not sent yet (see flush), and their size. */
  private outbox: MuxReply[] = [];
  private outboxBytes = 0;
  private flushScheduled = false;
  private flushQueued = false;
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
    this.codec = definition[MUX_METHOD] as grpc.MethodDefinition<MuxRequest__Output, MuxResponse>;
    const direct = streams.direct;
    if (direct?.accepting) {
      this.ticket = direct.issue(this);
      const md = new grpc.Metadata();
      md.set(DIRECT_HEADER, `${direct.port} ${this.ticket}`);
      call.sendMetadata(md);
    }
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

  /**
   * The client presented this stream's ticket on `socket`: Accept, then its messages come and our replies
   * go there (calls it sent on the stream before still count). The connection failing before the
   * stream ended cleanly fails the stream: the client cannot know which replies it missed.
   */
  attach(socket: Socket, reader: FrameReader): void {
    this.ticket = undefined;
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    writeFrame(socket, FrameType.Accept);
    reader.handTo((type, payload) => {
      if (type !== FrameType.Request) throw new Error(`unexpected direct Mux frame type ${type}`);
      this.receive(this.codec.requestDeserialize(payload));
    }, MAX_FRAME_BYTES);
    socket.once('close', () => {
      if (this.closed) return;
      this.close(new ServiceError('Unavailable', 'the direct connection failed'));
      this.call.emit('error', { code: Status.UNAVAILABLE, details: 'the Mux direct connection failed' });
    });
  }

  drain(): void {
    this.draining = true;
    const waiting = this.queue;
    this.queue = [];
    for (const c of waiting) this.reply({ id: c.id, status: Status.UNAVAILABLE, message: 'the server is shutting down', notExecuted: true });
    this.flush();
    this.maybeEnd();
  }

  private receive(m: MuxRequest__Output): void {
    if (this.closed) return; // ended: a call after End was never started, and the client knows it
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

  /**
   * A turn: the replies of the last one leave, the next queued call starts (and the calls its turn has
   * room for after it), and the next turn is scheduled while calls are queued.
   */
  private pump(): void {
    this.flush();
    const c = this.closed ? undefined : this.queue.shift();
    if (c !== undefined) {
      this.turnStartedAt = performance.now();
      this.runFrom(c);
    }
    this.pumping = !this.closed && this.queue.length > 0;
    if (this.pumping) setImmediate(() => this.pump());
    else this.maybeEnd();
  }

  /**
   * Runs `c`, then, each time the call before has finished, the next one the turn has room for; the
   * replies leave once the run stops. (Sent later, at the turn's end, a slow call's reply would wait for
   * HTTP/2 to write it after the next turn's call: the client idle meanwhile.)
   */
  private runFrom(c: MuxCall__Output | undefined): void {
    while (c !== undefined) {
      if (!this.run(c)) return; // its reply comes later: the run goes on from there
      c = this.nextInTurn();
    }
    this.flush();
  }

  /** The next queued call if this turn has room for it (by its method's past calls), else undefined. */
  private nextInTurn(): MuxCall__Output | undefined {
    if (this.closed || this.draining || this.queue.length === 0) return undefined;
    const cost = this.streams.expectedMs(this.queue[0].method);
    if (cost === undefined || performance.now() - this.turnStartedAt + cost > TURN_BUDGET_MS) return undefined;
    return this.queue.shift();
  }

  /**
   * Starts `c`. True when it ended at once (refused, or failed before starting); otherwise, once it has
   * finished within the turn that started it, the run goes on from its reply.
   */
  private run(c: MuxCall__Output): boolean {
    const def = this.definition[c.method] as grpc.MethodDefinition<unknown, unknown> | undefined;
    const fn = this.methods[c.method];
    if (!def || def.requestStream || def.responseStream || typeof fn !== 'function') {
      this.reply({ id: c.id, status: Status.UNIMPLEMENTED, message: `no unary method ${c.method} to multiplex` });
      return true;
    }
    if (this.draining) {
      this.reply({ id: c.id, status: Status.UNAVAILABLE, message: 'the server is shutting down', notExecuted: true });
      return true;
    }
    const started = process.hrtime.bigint();
    const startedAt = performance.now();
    const turn = this.turnStartedAt;
    const served = servedCall(c.requestId, c.timeoutMs > 0 ? Date.now() + c.timeoutMs : undefined);
    const { ctx } = served;
    this.inflight.set(c.id, served);
    let sync = true;
    let ended = false;
    const settle = (err: unknown, value?: unknown) => {
      ended = true;
      const now = performance.now();
      this.streams.observeCost(c.method, now - startedAt);
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
      // Inside `run` (refused at once) the caller's loop goes on; finished within the turn that started
      // it, the run goes on from here; otherwise the reply leaves once the microtasks queued now have
      // run, with the replies they finish (a group commit answers many writes at once). Not later: a
      // reply written in the next turn would go out after that turn's call.
      if (!sync) {
        if (turn === this.turnStartedAt) this.runFrom(this.nextInTurn());
        else this.flushSoon();
      }
      this.maybeEnd();
    };
    let req: unknown;
    try {
      req = def.requestDeserialize(c.request);
    } catch (e) {
      settle(new ServiceError('InvalidArgument', `cannot decode the ${c.method} request: ${e instanceof Error ? e.message : String(e)}`));
      return true;
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
    sync = false;
    return ended;
  }

  /**
   * Queues a reply until the run of calls that produced it stops (flush), sending what is queued first
   * when this one would take the message past MAX_REPLY_BATCH_BYTES; the turn's end sends anything
   * left. Replies are bounded by the client's calls in flight: no need to wait for 'drain' here.
   */
  private reply(r: MuxReply): void {
    if (this.closed) return;
    const bytes = (r.response as Buffer | undefined)?.length ?? 0;
    if (this.outbox.length > 0 && this.outboxBytes + bytes > MAX_REPLY_BATCH_BYTES) this.flush();
    this.outbox.push(r);
    this.outboxBytes += bytes;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /** Flushes after the microtasks queued so far. */
  private flushSoon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  /** Sends the queued replies in one message. */
  private flush(): void {
    if (this.outbox.length === 0 || this.closed) return;
    const replies = this.outbox;
    this.outbox = [];
    this.outboxBytes = 0;
    this.streams.repliesPerMessage?.observe(replies.length);
    if (this.socket) writeFrame(this.socket, FrameType.Response, this.codec.responseSerialize({ replies }));
    else this.call.write({ replies });
  }

  /** Ends the stream (status OK) once the client is done or we drain, and nothing is owed. */
  private maybeEnd(): void {
    if (this.closed || !(this.halfClosed || this.draining) || this.inflight.size > 0 || this.queue.length > 0 || this.pumping) return;
    this.flush();
    this.closed = true;
    this.streams.delete(this);
    this.forgetTicket();
    // Every reply is written before End, End before the stream's status: the client resends the calls
    // still unanswered then (they never ran) only once it has read every reply.
    if (this.socket) {
      writeFrame(this.socket, FrameType.End);
      this.socket.end();
      const md = new grpc.Metadata();
      md.set(DIRECT_HEADER, DIRECT_USED);
      this.call.end(md);
    } else this.call.end();
  }

  private forgetTicket(): void {
    if (this.ticket !== undefined) this.streams.direct?.revoke(this.ticket);
    this.ticket = undefined;
  }

  private close(reason: ServiceError): void {
    if (this.closed) return;
    this.closed = true;
    this.streams.delete(this);
    this.forgetTicket();
    this.socket?.destroy();
    this.outbox = [];
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
