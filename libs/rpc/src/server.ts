import * as http2 from 'node:http2';
import type { Socket } from 'node:net';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import type { BlobApi, MetadataApi } from '@massive/contracts';
import type { Logger } from '@massive/observability';
import { Counter, type Registry } from 'prom-client';
import { bindService } from './bind-service';
import { blobServiceImpl, type BlobReplicaIdentity } from './blob/blob-server';
import { withDataCodecs } from './blob/data-codec';
import { MAX_MESSAGE_BYTES } from './channel-pool';
import { metadataServiceImpl } from './metadata/metadata-server';
import { setServerConnectionWindow, setServerStreamWindow } from './http2-windows';
import { createGrpcServerMetrics } from './metrics';
import { MuxDirectListener } from './mux/direct-listener';
import { MuxStreams } from './mux/mux-server';
import { withFileDependencies } from './reflection-files';
import { serverCredentials, tokenAuthInterceptor, type RpcSecurity } from './security/rpc-security';
import { BLOB_SERVICE, loadProtos, METADATA_SERVICE, type LoadedProtos } from './proto';

/**
 * Keep-alive on the server side too (drops dead peers), and clients may ping every 10 s. No channelz:
 * its per-call bookkeeping (call counters, traces) costs CPU on every call and nothing here reads it.
 */
export const SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.enable_channelz': 0,
};

export interface RpcServerOptions {
  /** Served services; at least one. */
  readonly metadata?: MetadataApi;
  readonly blob?: BlobApi;
  /** What the blob service's Describe answers: the replica owning this server's disk. Default: stateless. */
  readonly blobReplica?: BlobReplicaIdentity;
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly protos?: LoadedProtos;
  readonly serverOptions?: grpc.ServerOptions;
  /**
   * Who may call (DESIGN.md §8): with `tls`, only clients with a certificate signed by the CA; with
   * `token`, only calls carrying it (the health service excepted). Absent: anyone (tests, dev opt-out).
   */
  readonly security?: RpcSecurity;
  /**
   * Where Mux streams' direct connections are taken (proto/massive/rpc/v1/mux.proto): `listen` binds this
   * port too (0: a free one) on the same host, with the same TLS. Absent: streams carry every message.
   */
  readonly muxDirectPort?: number;
}

/**
 * A gRPC server for our services, with the standard health service (grpc.health.v1: '' and each
 * service name) and server reflection (v1 and v1alpha), so `grpcurl -plaintext host:port list`,
 * `describe` and calls work without proto files (with `-H 'authorization: Bearer <token>'` when the
 * server has a token; health needs none).
 */
export class RpcServer {
  readonly server: grpc.Server;
  private readonly health: HealthImplementation;
  private readonly names: string[] = [];
  /** Whether the HTTP/2 windows could be set (see http2-windows.ts); false: grpc-js defaults. */
  windowsTuned: boolean;
  private readonly hooked = new WeakSet<Http2Server>();
  private readonly tracked = new WeakSet<Http2Server>();
  private readonly sessions = new Set<ServerHttp2Session>();
  private readonly security: RpcSecurity | undefined;
  /** Open Mux streams (long-lived: a graceful shutdown drains them rather than wait for them). */
  readonly muxStreams: MuxStreams;
  private readonly muxDirect: MuxDirectListener | undefined;
  private readonly muxDirectPort: number | undefined;

  constructor(opts: RpcServerOptions) {
    const protos = opts.protos ?? loadProtos();
    this.security = opts.security;
    this.muxStreams = new MuxStreams(opts.registry);
    this.muxDirectPort = opts.muxDirectPort;
    if (opts.muxDirectPort !== undefined) {
      this.muxDirect = new MuxDirectListener({ ...(opts.security?.tls && { tls: opts.security.tls }), ...(opts.registry && { registry: opts.registry }) });
      this.muxStreams.direct = this.muxDirect;
    }
    const interceptors = opts.security?.token ? [tokenAuthInterceptor(opts.security.token, refusedCounter(opts.registry, opts.logger))] : [];
    this.server = new grpc.Server({ ...SERVER_OPTIONS, ...opts.serverOptions, interceptors: [...interceptors, ...(opts.serverOptions?.interceptors ?? [])] });
    this.windowsTuned = setServerStreamWindow(this.server);
    const bind = { ...(opts.registry && { metrics: createGrpcServerMetrics(opts.registry) }), ...(opts.logger && { logger: opts.logger }), muxStreams: this.muxStreams };
    if (opts.metadata) {
      this.server.addService(protos.metadata, bindService(protos.metadata, metadataServiceImpl(opts.metadata), bind));
      this.names.push(METADATA_SERVICE);
    }
    if (opts.blob) {
      const blob = withDataCodecs(protos.blob);
      this.server.addService(blob, bindService(blob, blobServiceImpl(opts.blob, opts.blobReplica), bind));
      this.names.push(BLOB_SERVICE);
    }
    if (this.names.length === 0) throw new Error('RpcServer: no service to serve');
    this.health = new HealthImplementation({ '': 'NOT_SERVING', ...Object.fromEntries(this.names.map((n) => [n, 'NOT_SERVING'])) });
    this.health.addToServer(this.server);
    new ReflectionService(withFileDependencies(protos.packageDefinition), { services: [...this.names, 'grpc.health.v1.Health'] }).addToServer(this.server);
  }

  /** Mux streams' direct connections in use, server side. */
  get muxDirectConnections(): ReadonlySet<Socket> {
    return this.muxDirect?.connections ?? new Set();
  }

  /** The port Mux streams' direct connections are taken on (after `listen`), 0 when none. */
  get directPort(): number {
    return this.muxDirect?.port ?? 0;
  }

  /**
   * Binds `host:port` (port 0 picks a free one), and the Mux direct port when there is one, and answers
   * SERVING. Resolves with the bound gRPC port.
   */
  async listen(host: string, port: number): Promise<number> {
    if (this.muxDirect && this.muxDirectPort !== undefined && this.muxDirect.port === 0) await this.muxDirect.listen(host, this.muxDirectPort);
    const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
    const bound = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(address, serverCredentials(this.security), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.windowsTuned = setServerConnectionWindow(this.server, this.hooked) && this.windowsTuned;
    this.trackSessions();
    this.setServing(true);
    return bound;
  }

  /** Every open HTTP/2 session of the listeners bound so far (what a forced shutdown must cut). */
  private trackSessions(): void {
    const servers = (this.server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
    if (!(servers instanceof Map)) throw new Error('RpcServer: grpc-js no longer keeps http2Servers: forced shutdowns would cut nothing');
    for (const h2 of servers.keys()) {
      if (this.tracked.has(h2)) continue;
      this.tracked.add(h2);
      h2.on('session', (session: ServerHttp2Session) => {
        this.sessions.add(session);
        session.once('close', () => this.sessions.delete(session));
      });
    }
  }

  /** What grpc.health.v1 answers (readiness: false while draining or while a dependency is down). */
  setServing(serving: boolean): void {
    const status = serving ? 'SERVING' : 'NOT_SERVING';
    for (const n of ['', ...this.names]) this.health.setStatus(n, status);
  }

  /**
   * Graceful stop: NOT_SERVING, no new calls, in-flight calls finish (Mux streams end once theirs have,
   * answering later calls `not_executed` so clients send them elsewhere); after `timeoutMs` the rest are
   * cancelled.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.setServing(false);
    this.muxDirect?.stop();
    this.muxStreams.drain();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        this.muxDirect?.destroyAll();
        // grpc-js 1.14 destroys only the sessions channelz tracks, none with channelz off: cut them here.
        for (const session of this.sessions) session.destroy(undefined, http2.constants.NGHTTP2_CANCEL);
      }, timeoutMs);
      force.unref();
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}

/**
 * `grpc_server_unauthenticated_total` (calls refused for a missing or wrong token; no labels: the
 * method path comes from the caller) and a warning per refusal, at most one a second.
 */
function refusedCounter(registry: Registry | undefined, logger: Logger | undefined): (path: string) => void {
  const name = 'grpc_server_unauthenticated_total';
  const counter = registry
    ? ((registry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help: 'gRPC calls refused UNAUTHENTICATED: missing or wrong service token', registers: [registry] }))
    : undefined;
  let lastLog = 0;
  return (path) => {
    counter?.inc();
    const now = Date.now();
    if (logger && now - lastLog >= 1000) {
      lastLog = now;
      logger.warn('gRPC call refused: missing or wrong service token', { method: path.slice(0, 200) });
    }
  };
}
