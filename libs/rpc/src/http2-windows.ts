import type * as http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

/**
 * HTTP/2 flow-control windows. The protocol's default is 64 KiB per stream and per connection: a
 * sender stops after 64 KiB until the receiver's event loop has read it and answered WINDOW_UPDATE,
 * so a 256 KiB body message waits on several round trips through two busy event loops, and all the
 * concurrent streams of a connection share one 64 KiB window. Larger windows let messages travel at
 * once. What a receiver holds unread is bounded by them, per stream and per connection (on top of the
 * 16 messages a grpc-js stream buffers).
 */
/** A server's window per stream (a blob write in flight). */
export const STREAM_WINDOW_BYTES = 1024 * 1024;
/** A server's window per connection (shared by every stream of one client channel). */
export const CONNECTION_WINDOW_BYTES = 8 * 1024 * 1024;
/** A client's window: grpc-js sets the stream and the connection window from one option. */
export const CLIENT_WINDOW_BYTES = 2 * 1024 * 1024;

/** The private parts of grpc-js's Server we reach into (grpc-js 1.14 has no option for them). */
interface ServerInternals {
  commonServerOptions?: http2.ServerOptions;
  http2Servers?: Map<http2.Http2Server, unknown>;
}

/**
 * Server side: grpc-js clients take a window option (`grpc-node.flow_control_window`), its server
 * does not, so this sets the stream window in the settings every session starts with (call before
 * binding) and the connection window of each new session (call after binding). grpc-js keeps both
 * in private fields: when a version changes them this does nothing and says so (false): windows are
 * a speed setting, never a correctness one, and `http2-windows.spec.ts` then fails so it is noticed.
 */
export function setServerStreamWindow(server: grpc.Server, bytes = STREAM_WINDOW_BYTES): boolean {
  const internals = server as unknown as ServerInternals;
  const common = internals.commonServerOptions;
  if (!common || typeof common !== 'object') return false;
  common.settings = { ...common.settings, initialWindowSize: bytes };
  return true;
}

/**
 * See setServerStreamWindow; every HTTP/2 server bound so far that is not in `hooked` gets the hook
 * (and is added), so calling this after each bind hooks each listener once.
 */
export function setServerConnectionWindow(server: grpc.Server, hooked: WeakSet<http2.Http2Server>, bytes = CONNECTION_WINDOW_BYTES): boolean {
  const servers = (server as unknown as ServerInternals).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) return false;
  for (const h2 of servers.keys()) {
    if (hooked.has(h2)) continue;
    hooked.add(h2);
    h2.on('session', (session: http2.ServerHttp2Session) => {
      try {
        session.setLocalWindowSize(bytes);
      } catch {
        // A session already closing: nothing to tune.
      }
    });
  }
  return true;
}
