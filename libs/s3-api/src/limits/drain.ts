import type { IncomingMessage } from 'node:http';

/**
 * Largest unread body the gateway reads and discards after an error answer, so the client (which is
 * still sending: no `Expect: 100-continue`) reads the error instead of a reset, and the connection stays
 * reusable. A larger remainder, or one of unknown size, closes the connection instead.
 */
export const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** Whether the unread rest of `req` is small enough to drain rather than close the connection. */
export function drainable(req: IncomingMessage, alreadyRead: number): boolean {
  const declared = req.headers['content-length'];
  if (declared === undefined || !/^\d{1,16}$/.test(declared)) return false;
  return Number(declared) - alreadyRead <= MAX_DRAIN_BYTES;
}

/**
 * Reads and discards what is left of `req`. A client that stops sending for `idleMs` gets its
 * connection closed, so a drain can never pin a socket.
 */
export function drain(req: IncomingMessage, idleMs: number): void {
  const timer = idleMs > 0 ? setTimeout(() => req.socket?.destroy(), idleMs) : undefined;
  timer?.unref();
  const stop = () => clearTimeout(timer);
  req.on('data', () => timer?.refresh());
  req.once('end', stop);
  req.once('close', stop);
  req.resume();
}
