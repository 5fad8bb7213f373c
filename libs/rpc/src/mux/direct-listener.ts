import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { TlsMaterial } from '../security/rpc-security';
import { FrameReader, FrameType } from './direct-frames';
import { probeIdle } from '../tcp-keepalive';

/** A Mux stream waiting for its direct connection (mux-server.ts ServerMux). */
export interface DirectSink {
  /** The connection that presented this stream's ticket; `reader` hands its next frames on. */
  attach(socket: net.Socket, reader: FrameReader): void;
}

/** A connection must present a valid ticket this soon after it opens (and its TLS handshake). */
const HELLO_TIMEOUT_MS = 10_000;
/**
 * The largest first frame taken from a connection not yet let in: a Hello is 37 bytes. (Larger frames
 * are for streams: an unknown peer must not make us hold 256 MiB.)
 */
const MAX_HELLO_BYTES = 256;
/** A ticket not presented within this long is dropped (the client connects at once, or not at all). */
const TICKET_TTL_MS = 60_000;

/**
 * The listener of Mux streams' direct connections (proto/massive/rpc/v1/mux.proto, "Direct connection"):
 * plain TCP, or TLS that requires a client certificate signed by our CA when the server has TLS. A
 * stream opened over gRPC (and let in by its token check) gets a one-time ticket in its response
 * headers; the client connects here and presents it as its first frame, and the stream's messages go
 * over that connection from then on. A connection that presents no known ticket in time, or sends
 * anything else first, is closed.
 */
export class MuxDirectListener {
  private readonly server: net.Server;
  private readonly tickets = new Map<string, { sink: DirectSink; timer: NodeJS.Timeout }>();
  private readonly sockets = new Set<net.Socket>();
  private readonly refused: Counter | undefined;
  private boundPort = 0;

  constructor(opts: { tls?: TlsMaterial; registry?: Registry } = {}) {
    const onSocket = (s: net.Socket) => this.welcome(s);
    this.server = opts.tls
      ? tls.createServer({ ca: opts.tls.ca, cert: opts.tls.cert, key: opts.tls.key, requestCert: true, rejectUnauthorized: true }, onSocket)
      : net.createServer(onSocket);
    // A failed TLS handshake (no certificate, or one our CA did not sign) closes that connection only.
    this.server.on('tlsClientError', () => this.refused?.inc());
    const registry = opts.registry;
    if (!registry) return;
    const refused = 'grpc_server_mux_direct_refused_total';
    this.refused =
      (registry.getSingleMetric(refused) as Counter | undefined) ??
      new Counter({ name: refused, help: 'Mux direct connections closed before use: no valid ticket in time, a bad first frame, or a failed TLS handshake', registers: [registry] });
    const open = 'grpc_server_mux_direct_connections';
    if (!registry.getSingleMetric(open)) {
      const sockets = this.sockets;
      new Gauge({
        name: open,
        help: 'Mux direct connections open (one per Mux stream that took its direct connection)',
        registers: [registry],
        collect() {
          this.set(sockets.size);
        },
      });
    }
  }

  /** The direct connections in use (a stream took each). */
  get connections(): ReadonlySet<net.Socket> {
    return this.sockets;
  }

  /** Whether connections are taken (listening, not stopped). */
  get accepting(): boolean {
    return this.server.listening;
  }

  /** The port bound (after `listen`). */
  get port(): number {
    return this.boundPort;
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as net.AddressInfo).port;
    return this.boundPort;
  }

  /** A one-time ticket for `sink`, valid until presented, revoked, or TICKET_TTL_MS passed. */
  issue(sink: DirectSink): string {
    const ticket = randomBytes(16).toString('hex');
    const timer = setTimeout(() => this.tickets.delete(ticket), TICKET_TTL_MS);
    timer.unref();
    this.tickets.set(ticket, { sink, timer });
    return ticket;
  }

  revoke(ticket: string): void {
    const t = this.tickets.get(ticket);
    if (!t) return;
    clearTimeout(t.timer);
    this.tickets.delete(ticket);
  }

  /** Stops taking connections; those in use stay (their streams end them as they drain). */
  stop(): void {
    if (this.server.listening) this.server.close();
  }

  /** Closes every connection (a forced shutdown). */
  destroyAll(): void {
    this.stop();
    for (const s of this.sockets) s.destroy();
  }

  private welcome(socket: net.Socket): void {
    socket.setNoDelay(true);
    probeIdle(socket);
    socket.on('error', () => undefined); // 'close' follows; the stream that owns it handles that
    const refuse = () => {
      this.refused?.inc();
      socket.destroy();
    };
    const timer = setTimeout(refuse, HELLO_TIMEOUT_MS);
    timer.unref();
    let attached = false;
    const reader = new FrameReader((type, payload) => {
      clearTimeout(timer);
      const t = type === FrameType.Hello ? this.tickets.get(payload.toString('latin1')) : undefined;
      if (!t) return refuse();
      this.revoke(payload.toString('latin1'));
      attached = true;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      reader.handTo(() => undefined); // until the stream takes over, in attach
      t.sink.attach(socket, reader);
    }, MAX_HELLO_BYTES);
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch {
        // Not our protocol: before the ticket, a refusal; after it, the stream sees the close.
        clearTimeout(timer);
        if (attached) socket.destroy();
        else refuse();
      }
    });
    socket.once('close', () => clearTimeout(timer));
  }
}
