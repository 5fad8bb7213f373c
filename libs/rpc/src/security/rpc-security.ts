import { createHash, timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';

/** Metadata key of the service token (`authorization: Bearer <token>`, as grpcurl's `-H` sends it). */
export const AUTHORIZATION_HEADER = 'authorization';
/** Calls on this service are answered without a token: Kubernetes gRPC probes cannot send one. */
export const OPEN_SERVICE_PREFIX = '/grpc.health.v1.Health/';

/** PEM material for mutual TLS: our CA, and this process's certificate and key (signed by the CA). */
export interface TlsMaterial {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
  /**
   * Clients only: the name the server certificate must carry, when it differs from the host in the
   * target (e.g. targets given as IP addresses). Default: the target's host.
   */
  readonly serverName?: string;
}

/**
 * How our services trust each other (DESIGN.md §8). A server requires what is set: with `tls`, a client
 * certificate signed by the CA; with `token`, the bearer token on every call but the health service.
 * Both may be set (both are then required). Neither set means plaintext and no check: only for tests
 * and for the explicit development opt-out (apps refuse it otherwise, see `rpcSecurityFromEnv`).
 */
export interface RpcSecurity {
  readonly token?: string;
  readonly tls?: TlsMaterial;
}

export function serverCredentials(sec: RpcSecurity | undefined): grpc.ServerCredentials {
  if (!sec?.tls) return grpc.ServerCredentials.createInsecure();
  // true: a client that presents no certificate, or one the CA did not sign, fails the handshake.
  return grpc.ServerCredentials.createSsl(sec.tls.ca, [{ private_key: sec.tls.key, cert_chain: sec.tls.cert }], true);
}

export function channelCredentials(sec: RpcSecurity | undefined): grpc.ChannelCredentials {
  if (!sec?.tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(sec.tls.ca, sec.tls.key, sec.tls.cert);
}

/** Channel options a client needs for `sec` (the TLS name override). */
export function channelSecurityOptions(sec: RpcSecurity | undefined): grpc.ChannelOptions {
  const name = sec?.tls?.serverName;
  return name ? { 'grpc.ssl_target_name_override': name, 'grpc.default_authority': name } : {};
}

/** The metadata value a client sends. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}

/**
 * Constant-time check of `authorization` values against the token: both sides are hashed first, so
 * neither the content nor the length of the token leaks through timing.
 */
export function tokenChecker(token: string): (values: readonly grpc.MetadataValue[]) => boolean {
  const want = createHash('sha256').update(bearer(token)).digest();
  return (values) => {
    if (values.length !== 1 || typeof values[0] !== 'string') return false;
    const got = createHash('sha256').update(values[0]).digest();
    return timingSafeEqual(got, want);
  };
}

/**
 * A server interceptor that answers UNAUTHENTICATED, before any handler runs, to a call without the
 * bearer token or with a wrong one. Every service is covered (ours and reflection) except the standard
 * health service. `onRefused` is told the method path (for a counter or a log line; never the token).
 */
export function tokenAuthInterceptor(token: string, onRefused?: (path: string) => void): grpc.ServerInterceptor {
  const valid = tokenChecker(token);
  return (method, call) => {
    if (method.path.startsWith(OPEN_SERVICE_PREFIX)) return new grpc.ServerInterceptingCall(call);
    let refused = false;
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        if (valid(metadata.get(AUTHORIZATION_HEADER))) return next(metadata);
        refused = true;
        onRefused?.(method.path);
        call.sendStatus({ code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong service token (authorization: Bearer <MASSIVE_SERVICE_TOKEN>)', metadata: new grpc.Metadata() });
      })
      // A refused call's messages never reach a handler.
      .withOnReceiveMessage((message, next) => {
        if (!refused) next(message);
      })
      .withOnReceiveHalfClose((next) => {
        if (!refused) next();
      })
      .build();
    const responder = new grpc.ResponderBuilder().withStart((next) => next(listener)).build();
    return new grpc.ServerInterceptingCall(call, responder);
  };
}
