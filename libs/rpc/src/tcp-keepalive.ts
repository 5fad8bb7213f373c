import type { Socket } from 'node:net';

/**
 * Idle time before TCP keep-alive probes start on the services' own connections (the blob data path's
 * HTTP/1.1, Mux direct connections, both ends): a peer gone without a FIN (a node lost, a network cut)
 * is found while the connection sits idle, not by the next call to use it.
 */
export const TCP_KEEPALIVE_MS = 10_000;

/** Turns on keep-alive probes (TCP_KEEPALIVE_MS) on `socket`. */
export function probeIdle(socket: Socket): void {
  socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
}
