import * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { whenAborted, type CallCtx } from '@massive/contracts';
import { ERROR_CODE_TRAILER, ERROR_DETAIL_TRAILER } from '../errors';
import type { MuxCall } from '../generated/massive/rpc/v1/MuxCall';
import type { MuxReply__Output } from '../generated/massive/rpc/v1/MuxReply';
import type { MuxRequest } from '../generated/massive/rpc/v1/MuxRequest';
import type { MuxResponse__Output } from '../generated/massive/rpc/v1/MuxResponse';
import type { TlsMaterial } from '../security/rpc-security';
import { DIRECT_HEADER, DIRECT_USED, FrameReader, FrameType, writeFrame } from './direct-frames';
import { probeIdle } from '../tcp-keepalive';

export interface MuxOptions {
  /**
   * Streams per target channel (default 4). Each turn of the event loop sends its calls on one of them,
   * the next turn on the next: each new stream is placed by the channel's round-robin balancer, so the
   * calls of a `dns:///` target spread over its replicas like unary calls do.
   */
  readonly streams?: number;
  /**
   * A stream takes no new call after this long (default 10 s) and ends once its calls are answered; its
   * successor is placed afresh, so replicas that join behind a target get their share (gRPC's
   * MAX_CONNECTION_AGE, for streams).
   */
  readonly maxAgeMs?: number;
  /** Calls in flight per stream; past it a call goes as a plain unary call (default 1024). */
  readonly maxInFlight?: number;
  /**
   * Take the direct connection a server offers for each stream (proto/massive/rpc/v1/mux.proto):
   * default on; false keeps every message on the gRPC stream.
   */
  readonly direct?: boolean;
}

/** How a stream's direct connection is made: TLS like the channel's, checked against the same name. */
export interface DirectConnectOptions {
  /** Our CA and client certificate, when the channel uses TLS. */
  readonly tls?: TlsMaterial;
  /** The name the server's certificate must carry (the channel's: its override, else the target's host). */
  readonly serverName?: string;
  /** Told what became of each offer (for `grpc_client_mux_direct_total`). */
  readonly onOutcome?: (outcome: 'taken' | 'failed' | 'lost') => void;
}

/** The server has no Mux method (an older release): the caller makes the plain unary call instead. */
export const MUX_UNSUPPORTED = new Error('the server does not multiplex calls');

/** A batch is sent at once, without waiting for the turn to end, when it would grow past this. */
const MAX_BATCH_BYTES = 1024 * 1024;
const MAX_ID = 0xffff_ffff;
const UNSUPPORTED_RECHECK_MS = 60_000;
const MAX_RESENDS = 4;
/** A direct connection not accepted within this long is given up (the stream stays on gRPC). */
const DIRECT_CONNECT_TIMEOUT_MS = 5_000;
/** After a direct connection to a replica could not be made, the channel's streams to it stay on gRPC this long. */
const DIRECT_RETRY_MS = 30_000;

/** A failed call as grpc-js reports one (what fromGrpcError reads: code, details, our trailers). */
export type CallFailure = Error & { code: number; details: string; metadata: grpc.Metadata };

function failure(code: number, details: string, metadata = new grpc.Metadata()): CallFailure {
  return Object.assign(new Error(`${code} ${grpc.status[code] ?? ''}: ${details}`), { code, details, metadata });
}

function replyFailure(r: MuxReply__Output): CallFailure {
  const md = new grpc.Metadata();
  if (r.errorCode !== '') md.set(ERROR_CODE_TRAILER, r.errorCode);
  if (r.errorDetail !== '') md.set(ERROR_DETAIL_TRAILER, r.errorDetail);
  return failure(r.status, r.message, md);
}

interface Pending {
  readonly method: string;
  readonly payload: Buffer;
  readonly ctx: CallCtx;
  readonly deadline: number | undefined;
  /** Times sent again after a `not_executed` reply or a stream that ended cleanly without answering. */
  resent: number;
  id: number;
  stream: ClientMux | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Unregisters the call's abort listener (whenAborted). */
  offAbort: (() => void) | undefined;
  resolve(b: Buffer): void;
  reject(e: unknown): void;
}

/**
 * The client side of Mux (proto/massive/rpc/v1/mux.proto) over one channel: a few long-lived streams,
 * calls batched per event-loop turn, deadlines and cancellation per call (a cancelled call is named to
 * the server, which aborts it). A call fails exactly as its unary twin would: with the server's status
 * and trailers, or UNAVAILABLE / DEADLINE_EXCEEDED / CANCELLED from the transport.
 */
export class MuxChannel {
  private readonly slots: (ClientMux | undefined)[];
  private turn = 0;
  private readonly maxAgeMs: number;
  readonly maxInFlight: number;
  /** Until when calls go unary: the server answered the stream UNIMPLEMENTED (a release without Mux). */
  private unsupportedUntil = 0;
  /** How streams make their direct connections; undefined: they do not. */
  readonly direct: DirectConnectOptions | undefined;
  /** Per replica (its gRPC address), until when streams do not try their direct connection (the last attempt failed). */
  private readonly directRetryAt = new Map<string, number>();

  constructor(
    private readonly client: grpc.Client,
    private readonly def: MethodDefinition<MuxRequest, unknown, unknown, MuxResponse__Output>,
    private readonly metadata: () => grpc.Metadata,
    opts: MuxOptions = {},
    direct: DirectConnectOptions = {},
  ) {
    this.slots = new Array<ClientMux | undefined>(Math.max(1, opts.streams ?? 4)).fill(undefined);
    this.maxAgeMs = opts.maxAgeMs ?? 10_000;
    this.maxInFlight = opts.maxInFlight ?? 1024;
    this.direct = opts.direct === false ? undefined : direct;
  }

  /** Whether a stream should take the direct connection the replica at `peer` offers it now. */
  directAllowed(peer: string): boolean {
    if (this.direct === undefined) return false;
    const at = this.directRetryAt.get(peer);
    if (at === undefined) return true;
    if (Date.now() < at) return false;
    this.directRetryAt.delete(peer);
    return true;
  }

  /**
   * A direct connection to the replica at `peer` could not be made: the channel's streams to it stay on
   * gRPC for a while (a replica shutting down refuses them; the others' are unaffected).
   */
  directFailed(peer: string): void {
    this.direct?.onOutcome?.('failed');
    this.directRetryAt.set(peer, Date.now() + DIRECT_RETRY_MS);
  }

  /** False for a minute after a server without Mux was found (it may be upgraded meanwhile). */
  get usable(): boolean {
    return this.unsupportedUntil <= Date.now();
  }

  /** Calls `method` with its serialized request; undefined when this stream is full (call it unary). */
  call(method: string, payload: Buffer, ctx: CallCtx, deadline: number | undefined): Promise<Buffer> | undefined {
    const stream = this.current();
    if (stream.pending.size >= this.maxInFlight) return undefined;
    return new Promise<Buffer>((resolve, reject) => {
      const p: Pending = { method, payload, ctx, deadline, resent: 0, id: 0, stream: undefined, timer: undefined, offAbort: undefined, resolve, reject };
      if (deadline !== undefined) {
        p.timer = setTimeout(() => this.giveUp(p, failure(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded')), Math.max(0, deadline - Date.now()));
      }
      p.offAbort = whenAborted(ctx, () => this.giveUp(p, failure(grpc.status.CANCELLED, 'Cancelled on client')));
      stream.send(p);
    });
  }

  /** Ends every stream (their calls in flight fail CANCELLED). */
  close(): void {
    for (const s of this.slots) s?.cancel();
    this.slots.fill(undefined);
  }

  /** The stream this turn's calls go on: a fresh one when the slot is empty, closed, draining or old. */
  private current(): ClientMux {
    const i = this.turn;
    let s = this.slots[i];
    if (s && (s.draining || s.closed || Date.now() - s.openedAt > this.maxAgeMs)) {
      s.retire();
      s = undefined;
    }
    if (!s) {
      s = new ClientMux(this.client, this.def, this.metadata(), this);
      this.slots[i] = s;
    }
    return s;
  }

  /** A stream sent this turn's message: the next turn uses the next stream. */
  turnEnded(): void {
    this.turn = (this.turn + 1) % this.slots.length;
  }

  /** The call ends here (answered, failed, given up): timers and listeners go. */
  settle(p: Pending): void {
    if (p.timer) clearTimeout(p.timer);
    if (p.offAbort) {
      p.offAbort();
      p.offAbort = undefined;
    }
    p.stream = undefined;
  }

  /** The caller's deadline passed or it cancelled: forget the call and tell the server to abort it. */
  private giveUp(p: Pending, why: CallFailure): void {
    const s = p.stream;
    if (!s) return;
    s.forget(p);
    this.settle(p);
    p.reject(why);
  }

  /**
   * Sends again a call the server did not start (it drains, or its stream ended cleanly first): safe,
   * since it never ran. The stream it came back from takes no new calls, but another stream to the same
   * draining replica may not know yet, hence a few tries (each on the next stream, or a fresh one).
   */
  resend(p: Pending, why: CallFailure): void {
    if (p.resent >= MAX_RESENDS || (p.deadline !== undefined && p.deadline <= Date.now())) {
      this.settle(p);
      p.reject(why);
      return;
    }
    p.resent++;
    this.current().send(p);
  }

  /** The stream said UNIMPLEMENTED before any reply: the call goes unary (no call of it ran). */
  unsupportedBy(p: Pending): void {
    this.unsupportedUntil = Date.now() + UNSUPPORTED_RECHECK_MS;
    this.settle(p);
    p.reject(MUX_UNSUPPORTED);
  }
}

/** One Mux stream. */
class ClientMux {
  readonly pending = new Map<number, Pending>();
  readonly openedAt = Date.now();
  draining = false;
  closed = false;
  private answered = false;
  private nextId = 0;
  private calls: MuxCall[] = [];
  private cancels: number[] = [];
  private bytes = 0;
  private scheduled = false;
  private halfClosed = false;
  private readonly call: grpc.ClientDuplexStream<MuxRequest, MuxResponse__Output>;
  /** The direct connection, once the server accepted it: messages go there instead of the stream. */
  private socket: net.Socket | undefined;
  /**
   * none: on gRPC only; connecting: Hello sent, Accept not yet; attached: messages go direct; ended:
   * the server's End arrived (or the connection was let go on purpose); broken: it failed while attached.
   */
  private direct: 'none' | 'connecting' | 'attached' | 'ended' | 'broken' = 'none';
  /** The stream's OK status, held until the direct connection's End says every reply has been read. */
  private heldStatus: grpc.StatusObject | undefined;
  /** The direct connection until the server accepts it. */
  private connecting: net.Socket | undefined;

  constructor(
    client: grpc.Client,
    private readonly def: MethodDefinition<MuxRequest, unknown, unknown, MuxResponse__Output>,
    metadata: grpc.Metadata,
    private readonly owner: MuxChannel,
  ) {
    this.call = client.makeBidiStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, metadata, {});
    this.call.on('data', (m: MuxResponse__Output) => this.receive(m.replies));
    if (owner.direct) this.call.on('metadata', (md: grpc.Metadata) => this.offered(md));
    // Non-OK statuses also arrive as 'error' (handled with the status that follows).
    this.call.on('error', () => undefined);
    this.call.on('status', (s: grpc.StatusObject) => this.ended(s));
  }

  send(p: Pending): void {
    const id = (this.nextId = this.nextId === MAX_ID ? 1 : this.nextId + 1);
    p.id = id;
    p.stream = this;
    this.pending.set(id, p);
    const timeoutMs = p.deadline === undefined ? 0 : Math.min(MAX_ID, Math.max(1, p.deadline - Date.now()));
    this.calls.push({ id, method: p.method, request: p.payload, requestId: p.ctx.requestId, timeoutMs });
    this.bytes += p.payload.length;
    if (this.bytes >= MAX_BATCH_BYTES) this.flush();
    else this.schedule();
  }

  /** The call is no longer wanted: no reply expected, and the server is told to abort it. */
  forget(p: Pending): void {
    if (this.pending.get(p.id) !== p) return;
    this.pending.delete(p.id);
    if (this.closed) return;
    const queued = this.calls.findIndex((c) => c.id === p.id);
    if (queued >= 0) this.calls.splice(queued, 1);
    else this.cancels.push(p.id);
    this.schedule();
    this.endIfIdle();
  }

  /** No new calls; the stream ends once those in flight are answered. */
  retire(): void {
    this.draining = true;
    this.endIfIdle();
  }

  /** Fails every call in flight CANCELLED (the channel is closing). */
  cancel(): void {
    this.letGo();
    this.call.cancel();
  }

  /**
   * The server offered a direct connection (`<port> <ticket>` in the stream's response headers): connect
   * to the address the stream reached, on that port, and present the ticket. Until the server accepts,
   * messages keep going on the stream; if it never does, they stay there.
   */
  private offered(md: grpc.Metadata): void {
    const offer = md.get(DIRECT_HEADER)[0];
    const m = typeof offer === 'string' ? /^(\d{1,5}) ([0-9a-f]{32})$/.exec(offer) : null;
    const peer = this.call.getPeer();
    const host = peerHost(peer);
    const opts = this.owner.direct;
    if (!m || host === undefined || !opts || !this.owner.directAllowed(peer) || this.closed || this.draining || this.direct !== 'none') return;
    const [, port, ticket] = m;
    this.direct = 'connecting';
    const name = opts.serverName ?? host;
    const t = opts.tls;
    const socket = t
      ? tls.connect({
          host,
          port: Number(port),
          ca: t.ca,
          cert: t.cert,
          key: t.key,
          ...(net.isIP(name) === 0 && { servername: name }),
          checkServerIdentity: (_host, cert) => tls.checkServerIdentity(name, cert),
        })
      : net.connect({ host, port: Number(port) });
    this.connecting = socket;
    socket.setNoDelay(true);
    probeIdle(socket);
    const timer = setTimeout(() => socket.destroy(), DIRECT_CONNECT_TIMEOUT_MS);
    timer.unref();
    socket.once(t ? 'secureConnect' : 'connect', () => writeFrame(socket, FrameType.Hello, Buffer.from(ticket, 'latin1')));
    socket.on('error', () => undefined); // 'close' follows
    const reader = new FrameReader((type, payload) => this.frame(socket, type, payload, timer));
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.once('close', () => {
      clearTimeout(timer);
      this.directClosed(socket, peer);
    });
  }

  private frame(socket: net.Socket, type: number, payload: Buffer, timer: NodeJS.Timeout): void {
    if (this.direct === 'connecting' && type === FrameType.Accept) {
      clearTimeout(timer);
      this.direct = 'attached';
      this.connecting = undefined;
      this.socket = socket;
      this.owner.direct?.onOutcome?.('taken');
    } else if (this.direct === 'attached' && type === FrameType.Response) {
      this.receive(this.def.responseDeserialize(payload).replies);
    } else if (this.direct === 'attached' && type === FrameType.End) {
      this.letGo();
      const held = this.heldStatus;
      this.heldStatus = undefined;
      if (held) this.ended(held);
    } else {
      throw new Error(`unexpected direct Mux frame type ${type}`);
    }
  }

  /** The connection is no longer used (End read, or the stream is being cancelled): closing it is no failure. */
  private letGo(): void {
    const socket = this.socket ?? this.connecting;
    this.socket = undefined;
    this.connecting = undefined;
    if (this.direct === 'attached' || this.direct === 'connecting') this.direct = 'ended';
    // A stream whose connection ended takes no more calls.
    this.draining = true;
    socket?.destroy();
  }

  private directClosed(socket: net.Socket, peer: string): void {
    if (this.direct === 'connecting') {
      // Refused, timed out, or the handshake failed: this stream, and the channel's next ones to this
      // replica for a while, stay on gRPC (unless the server said it had used the connection: then
      // replies may be lost, see `ended`).
      this.direct = 'none';
      this.owner.directFailed(peer);
      if (this.heldStatus) this.lost();
      return;
    }
    if (this.direct !== 'attached' || this.socket !== socket) return;
    this.lost();
  }

  /** The direct connection was lost while replies were owed: the calls in flight may have run, so they fail rather than go again. */
  private lost(): void {
    if (this.direct !== 'broken') this.owner.direct?.onOutcome?.('lost');
    this.direct = 'broken';
    this.socket?.destroy();
    this.socket = undefined;
    this.heldStatus = undefined;
    this.closed = true;
    this.draining = true;
    const left = [...this.pending.values()];
    this.pending.clear();
    this.calls = [];
    for (const p of left) {
      this.owner.settle(p);
      p.reject(failure(grpc.status.UNAVAILABLE, 'the Mux direct connection failed'));
    }
    this.call.cancel();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.closed || (this.calls.length === 0 && this.cancels.length === 0)) return;
    const msg: MuxRequest = { calls: this.calls, cancel: this.cancels };
    this.calls = [];
    this.cancels = [];
    this.bytes = 0;
    // Messages are bounded (MAX_BATCH_BYTES) and so are the calls in flight (maxInFlight).
    if (this.socket) writeFrame(this.socket, FrameType.Request, this.def.requestSerialize(msg));
    else this.call.write(msg);
    this.owner.turnEnded();
    this.endIfIdle();
  }

  private receive(replies: readonly MuxReply__Output[]): void {
    this.answered = true;
    for (const r of replies) {
      const p = this.pending.get(r.id);
      if (!p) continue; // given up meanwhile
      this.pending.delete(r.id);
      if (r.status === grpc.status.OK) {
        this.owner.settle(p);
        p.resolve(r.response);
      } else if (r.notExecuted) {
        this.draining = true;
        this.owner.resend(p, replyFailure(r));
      } else {
        this.owner.settle(p);
        p.reject(replyFailure(r));
      }
    }
    this.endIfIdle();
  }

  /** Half-closes a draining stream with nothing in flight or queued: the server then ends it. */
  private endIfIdle(): void {
    if (!this.draining || this.halfClosed || this.closed || this.pending.size > 0 || this.calls.length > 0 || this.scheduled) return;
    this.halfClosed = true;
    this.call.end();
  }

  private ended(s: grpc.StatusObject): void {
    this.closed = true;
    this.draining = true;
    if (s.code === grpc.status.OK && s.metadata.get(DIRECT_HEADER)[0] === DIRECT_USED) {
      // The server sent replies on the direct connection: the calls still unanswered never ran only if
      // its End has been read (every reply is before it). Until then, wait; without it, they may have.
      if (this.direct === 'connecting' || this.direct === 'attached') {
        this.heldStatus = s;
        return;
      }
      if (this.direct !== 'ended') return this.lost();
    } else if (this.direct === 'connecting' || this.direct === 'attached') {
      // Every reply came on the stream (or it failed): the connection has nothing more to say.
      this.direct = 'ended';
      this.letGo();
    }
    const left = [...this.pending.values()];
    this.pending.clear();
    this.calls = [];
    for (const p of left) {
      if (s.code === grpc.status.UNIMPLEMENTED && !this.answered) this.owner.unsupportedBy(p);
      // The server ends a stream cleanly only once every call it started is answered: these never ran.
      else if (s.code === grpc.status.OK) this.owner.resend(p, failure(grpc.status.UNAVAILABLE, 'the stream ended before the call was answered'));
      else {
        this.owner.settle(p);
        p.reject(failure(s.code, s.details, s.metadata));
      }
    }
  }
}

/** The host of a call's peer (`10.0.0.7:7070`, `[fd00::7]:7070`), or undefined when it is not one. */
export function peerHost(peer: string): string | undefined {
  const m = /^\[([^\]]+)\]:\d+$/.exec(peer) ?? /^([^:[\]]+):\d+$/.exec(peer);
  return m ? m[1] : undefined;
}
