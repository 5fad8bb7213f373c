import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { buildS3ErrorXml, S3Error, type S3ErrorCode } from '@massive/s3-protocol';
import { requestIdGenerator, type LimitMetrics } from '@massive/observability';
import { ConnectionGovernor } from './connection-governor';

/** Limits the HTTP server itself enforces, before a request reaches the S3 dispatcher. */
export interface ServerLimits {
  /** Request line and headers must arrive within this (slowloris); a silent new connection is closed after it. */
  readonly headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (above a load balancer's 60 s idle timeout). */
  readonly keepAliveTimeoutMs: number;
  /** Open client connections; past it idle ones are closed first, then new requests get 503 SlowDown. */
  readonly maxConnections: number;
  /** Request line plus headers, in bytes; past it 400 RequestHeaderSectionTooLarge. */
  readonly maxHeaderBytes: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 20_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 4096,
  maxHeaderBytes: 16 * 1024,
};

/** The S3 port's certificate chain and key (PEM), when the gateway serves HTTPS itself. */
export interface S3Tls {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Set on a request whose client sent `Expect: 100-continue` and waits for it: the body is read only once admitted. */
export const AWAITING_CONTINUE = Symbol('massive.awaitingContinue');

export type ContinueAware = IncomingMessage & { [AWAITING_CONTINUE]?: boolean };

/**
 * The S3 port's HTTP server with its resource limits: a headers timeout (Node closes connections whose
 * headers are not complete in time, silent ones included), a keep-alive timeout, a header-size cap
 * answered with AWS's error, a connection cap (ConnectionGovernor) and `Expect: 100-continue` held
 * until the dispatcher admits the body. There is no total request timeout: a large upload may take
 * hours as long as bytes keep coming (the dispatcher's idle timeout covers stalls).
 */
export function createS3Server(listener: RequestListener, limits: ServerLimits, metrics: LimitMetrics, tls?: S3Tls): Server | HttpsServer {
  const options = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: 0,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.maxHeaderBytes,
    // How often Node looks for connections past the headers timeout (its default, 30 s, is coarser than the timeout).
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(limits.headersTimeoutMs / 4))),
  };
  // HTTPS: a TLS handshake must finish within the headers timeout too.
  const server = tls ? createHttpsServer({ ...options, cert: tls.cert, key: tls.key, handshakeTimeout: limits.headersTimeoutMs }) : createServer(options);
  const governor = new ConnectionGovernor<Socket>(limits.maxConnections, {
    onCount: (n) => metrics.connections.set(n),
    onEvict: () => metrics.rejected('idle_connection_evicted'),
  });
  const nextRequestId = requestIdGenerator();

  // Over TLS, requests carry the TLS socket: count those (each wraps one TCP connection).
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    governor.connected(socket);
    socket.once('close', () => governor.closed(socket));
  });
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (!governor.requestStarted(socket)) {
      metrics.rejected('connections');
      return refuse(req, res, nextRequestId());
    }
    res.once('close', () => governor.requestEnded(socket));
    listener(req, res);
  };
  server.on('request', dispatch);
  server.on('checkContinue', (req: ContinueAware, res: ServerResponse) => {
    req[AWAITING_CONTINUE] = true;
    dispatch(req, res);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => onClientError(err, socket, metrics, nextRequestId));
  return server;
}

/** 503 SlowDown on a connection past the cap, then close it (the body, if any, is never asked for). */
function refuse(req: IncomingMessage, res: ServerResponse, requestId: string): void {
  const err = new S3Error('SlowDown');
  const xml = buildS3ErrorXml(err, { Resource: (req.url ?? '/').split('?')[0], RequestId: requestId });
  res.shouldKeepAlive = false;
  res.writeHead(err.status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(xml), 'x-amz-request-id': requestId, Connection: 'close' });
  res.end(req.method === 'HEAD' ? undefined : xml);
  req.resume();
}

/**
 * Errors Node's parser raises before a request exists. Answered with AWS's code where a client is
 * listening: oversized headers (RequestHeaderSectionTooLarge) and headers cut short by the timeout
 * (RequestTimeout); a connection that never sent a byte is just closed.
 */
function onClientError(err: NodeJS.ErrnoException, socket: Socket, metrics: LimitMetrics, nextRequestId: () => string): void {
  let code: S3ErrorCode | undefined;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    metrics.rejected('header_size');
    code = 'RequestHeaderSectionTooLarge';
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    metrics.rejected('headers_timeout');
    if (socket.bytesRead > 0) code = 'RequestTimeout';
  } else if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') {
    code = 'InvalidRequest';
  }
  // A response already under way on this socket cannot be followed by another.
  const busy = (socket as Socket & { _httpMessage?: unknown })._httpMessage;
  if (code && socket.writable && !busy) {
    const e = new S3Error(code, code === 'InvalidRequest' ? 'The HTTP request could not be parsed.' : undefined);
    const xml = buildS3ErrorXml(e, { RequestId: nextRequestId() });
    const head = `HTTP/1.1 ${e.status} Bad Request\r\nContent-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(xml)}\r\nConnection: close\r\n\r\n`;
    socket.end(head + xml, () => socket.destroy());
    return;
  }
  socket.destroy();
}
