import * as http2 from 'node:http2';
import { ChannelPool, loadProtos } from '../src';
import { CLIENT_WINDOW_BYTES, CONNECTION_WINDOW_BYTES, STREAM_WINDOW_BYTES } from '../src/http2-windows';
import { startLoopbackRpc, type LoopbackRpc } from '../src/testing';
import type { BlobApi } from '@massive/contracts';

const blob: BlobApi = {
  write: async () => ({ size: 0, chunks: [] }),
  read: async function* () {},
  deleteChunks: async () => undefined,
  deleteIntent: async () => undefined,
};

/**
 * grpc-js has no server option for HTTP/2 windows; RpcServer sets them through grpc-js internals
 * (http2-windows.ts). If a grpc-js upgrade moves those, this fails instead of the hop silently
 * falling back to 64 KiB windows.
 */
describe('RpcServer HTTP/2 windows', () => {
  let rpc: LoopbackRpc;
  beforeAll(async () => {
    rpc = await startLoopbackRpc({ blob });
  });
  afterAll(() => rpc.close());

  it('could reach the grpc-js internals it tunes', () => {
    expect(rpc.server.windowsTuned).toBe(true);
  });

  it('a client connecting sees the stream window in the settings and the connection window opened', async () => {
    const session = http2.connect(`http://${rpc.target}`);
    try {
      await new Promise<void>((resolve, reject) => {
        session.once('remoteSettings', () => resolve());
        session.once('error', reject);
      });
      expect(session.remoteSettings.initialWindowSize).toBe(STREAM_WINDOW_BYTES);
      // The server's WINDOW_UPDATE follows its SETTINGS on the same connection.
      const deadline = Date.now() + 5000;
      while ((session.state.remoteWindowSize ?? 0) < CONNECTION_WINDOW_BYTES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(session.state.remoteWindowSize).toBe(CONNECTION_WINDOW_BYTES);
    } finally {
      session.destroy();
    }
  });

  it('a client channel asks for larger windows too (grpc-node.flow_control_window)', async () => {
    const server = http2.createServer();
    const settings = new Promise<http2.Settings>((resolve) => server.on('session', (s) => s.once('remoteSettings', resolve)));
    const sessions: http2.ServerHttp2Session[] = [];
    server.on('session', (s) => sessions.push(s));
    server.on('stream', (stream) => stream.respond({ ':status': 404 }, { endStream: true }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const pool = new ChannelPool(loadProtos().blob, { targets: [`127.0.0.1:${port}`], label: 'probe' });
    try {
      void pool.healthy('', 2000);
      expect((await settings).initialWindowSize).toBe(CLIENT_WINDOW_BYTES);
      const deadline = Date.now() + 5000;
      while ((sessions[0]?.state.remoteWindowSize ?? 0) < CLIENT_WINDOW_BYTES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(sessions[0]?.state.remoteWindowSize).toBe(CLIENT_WINDOW_BYTES);
    } finally {
      pool.close();
      for (const s of sessions) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
