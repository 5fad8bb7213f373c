import * as net from 'node:net';
import type { CallCtx, MetadataApi } from '@massive/contracts';
import { Registry } from 'prom-client';
import { FrameReader, FrameType, writeFrame } from '../src/mux/direct-frames';
import { MuxDirectListener } from '../src/mux/direct-listener';
import { peerHost } from '../src/mux/mux-client';
import { tlsNameOf } from '../src/channel-pool';
import { createGrpcClientMetrics } from '../src/metrics';
import { GrpcMetadataClient } from '../src/metadata/metadata-client';
import { loadProtos } from '../src/proto';
import { RpcServer } from '../src/server';

// A Mux stream's direct connection (proto/massive/rpc/v1/mux.proto, "Direct connection"): taken when the
// server offers one, its frames, and what happens when it cannot be made or is lost. mux.spec.ts runs
// every stream behaviour (batching, draining, rotation) over it too.

const protos = loadProtos();
const ctx: CallCtx = { requestId: 'mux-direct-spec' };

/** listBuckets answering after `delayMs`, counting the calls that started. */
function slowApi(delayMs: number): { api: MetadataApi; started: () => number } {
  let started = 0;
  const api = {
    listBuckets: async () => {
      started++;
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs).unref());
      return [];
    },
  } as unknown as MetadataApi;
  return { api, started: () => started };
}

async function metricValue(registry: Registry, name: string): Promise<number> {
  const m = new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(await registry.metrics());
  return m ? Number(m[1]) : NaN;
}

/** What became of the offers a client was made: grpc_client_mux_direct_total by outcome. */
async function outcomes(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const o of ['taken', 'failed', 'lost']) {
    const v = await metricValue(registry, `grpc_client_mux_direct_total{outcome="${o}"}`);
    if (!Number.isNaN(v)) out[o] = v;
  }
  return out;
}

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A TCP proxy to `target` whose server-to-client bytes can be held back (`hold(true)`) and let go. */
async function holdingProxy(target: number): Promise<{ port: number; hold: (on: boolean) => void; close: () => void }> {
  let holding = false;
  const held: { to: net.Socket; data: Buffer }[] = [];
  const conns = new Set<net.Socket>();
  const srv = net.createServer((down) => {
    const up = net.connect(target, '127.0.0.1');
    for (const s of [down, up]) {
      conns.add(s);
      s.on('error', () => undefined);
    }
    down.on('data', (d: Buffer) => up.write(d));
    up.on('data', (d: Buffer) => (holding ? held.push({ to: down, data: d }) : down.write(d)));
    down.on('close', () => up.destroy());
    // The server's end of the stream reaches the client only after the bytes held before it.
    up.on('end', () => (holding ? held.push({ to: down, data: Buffer.alloc(0) }) : down.end()));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    hold: (on) => {
      holding = on;
      if (on) return;
      for (const { to, data } of held.splice(0)) {
        if (data.length === 0) to.end();
        else to.write(data);
      }
    },
    close: () => {
      srv.close();
      for (const s of conns) s.destroy();
    },
  };
}

describe('Mux direct connections', () => {
  let server: RpcServer;
  let client: GrpcMetadataClient | undefined;
  afterEach(async () => {
    client?.close();
    client = undefined;
    await server?.shutdown(1000);
    jest.restoreAllMocks();
  });

  /**
   * A first call (the stream opens and takes its direct connection), then a second one: returned once
   * the server runs it, with its outcome to come.
   */
  async function secondCallRunning(fake: { started: () => number }): Promise<{ pending: Promise<string | undefined> }> {
    await client!.listBuckets({}, ctx);
    await until(() => server.muxDirectConnections.size === 1);
    const pending = client!.listBuckets({}, ctx).then(
      () => 'answered',
      (e: { code?: string }) => e.code,
    );
    await until(() => fake.started() === 2);
    return { pending };
  }

  async function start(api: MetadataApi, registry?: Registry): Promise<number> {
    server = new RpcServer({ metadata: api, protos, muxDirectPort: 0, ...(registry && { registry }) });
    return server.listen('127.0.0.1', 0);
  }

  it("are taken when offered, and then carry the stream's calls and replies", async () => {
    const registry = new Registry();
    const port = await start(slowApi(0).api, registry);
    const seen = new Registry();
    client = new GrpcMetadataClient({ targets: [`127.0.0.1:${port}`], definition: protos.metadata, mux: { streams: 1 }, metrics: createGrpcClientMetrics(seen) });
    await client.listBuckets({}, ctx);
    await until(async () => (await metricValue(registry, 'grpc_server_mux_direct_connections')) === 1);
    expect(await outcomes(seen)).toEqual({ taken: 1 });
    const [socket] = server.muxDirectConnections;
    const before = { read: socket.bytesRead, written: socket.bytesWritten };
    await Promise.all(Array.from({ length: 20 }, () => client!.listBuckets({}, ctx)));
    // The 20 calls came in on the direct connection, and their replies left on it.
    expect(socket.bytesRead).toBeGreaterThan(before.read + 20 * 'ListBuckets'.length);
    expect(socket.bytesWritten).toBeGreaterThan(before.written);
    expect(await metricValue(registry, 'grpc_server_mux_direct_refused_total')).toBe(0);
  });

  it('a client with them turned off keeps every message on the stream', async () => {
    const registry = new Registry();
    const port = await start(slowApi(0).api, registry);
    client = new GrpcMetadataClient({ targets: [`127.0.0.1:${port}`], definition: protos.metadata, mux: { streams: 1, direct: false } });
    for (let i = 0; i < 5; i++) await client.listBuckets({}, ctx);
    expect(server.muxDirectConnections.size).toBe(0);
  });

  it('an offer that cannot be taken (nothing listens there) leaves the calls on the stream', async () => {
    const registry = new Registry();
    const dead = await closedPort();
    const port = await start(slowApi(0).api, registry);
    jest.spyOn(MuxDirectListener.prototype, 'port', 'get').mockReturnValue(dead);
    const seen = new Registry();
    client = new GrpcMetadataClient({ targets: [`127.0.0.1:${port}`], definition: protos.metadata, mux: { streams: 1 }, metrics: createGrpcClientMetrics(seen) });
    for (let i = 0; i < 10; i++) await Promise.all(Array.from({ length: 4 }, () => client!.listBuckets({}, ctx)));
    expect(server.muxDirectConnections.size).toBe(0);
    // One try, then the channel waits before the next (30 s).
    await until(async () => (await outcomes(seen)).failed === 1);
    expect(await outcomes(seen)).toEqual({ failed: 1 });
    expect(await registry.metrics()).toMatch(/grpc_server_handled_total\{[^}]*grpc_method="ListBuckets",grpc_code="OK"\} 40/);
  });

  it("a replica whose offers cannot be taken does not keep the channel's streams to other replicas off theirs", async () => {
    const seen = new Registry();
    const dead = await closedPort();
    const port = await start(slowApi(0).api);
    const other = new RpcServer({ metadata: slowApi(0).api, protos, muxDirectPort: 0 });
    const otherPort = await other.listen('127.0.0.1', 0);
    // This replica's offers name a port nothing listens on (a NetworkPolicy that blocks it, say).
    const listener = (other as unknown as { muxDirect: MuxDirectListener }).muxDirect;
    Object.defineProperty(listener, 'port', { get: () => dead });
    try {
      // One channel over both replicas; streams rotate every 30 ms, each placed afresh.
      client = new GrpcMetadataClient({
        targets: [`ipv4:127.0.0.1:${port},127.0.0.1:${otherPort}`],
        definition: protos.metadata,
        mux: { streams: 2, maxAgeMs: 30 },
        metrics: createGrpcClientMetrics(seen),
      });
      const rotate = async (ms: number) => {
        const end = Date.now() + ms;
        while (Date.now() < end) await Promise.all(Array.from({ length: 8 }, () => client!.listBuckets({}, ctx)));
      };
      await until(async () => {
        await rotate(50);
        return (await outcomes(seen)).failed !== undefined;
      });
      const takenBefore = (await outcomes(seen)).taken ?? 0;
      await rotate(500);
      // Streams to the healthy replica opened after that failure still took their connections.
      expect((await outcomes(seen)).taken ?? 0).toBeGreaterThan(takenBefore);
    } finally {
      await other.shutdown(1000);
    }
  });

  it('lost while a call runs: the call fails Unavailable and is not run again; later calls go on', async () => {
    const fake = slowApi(300);
    const port = await start(fake.api);
    const seen = new Registry();
    client = new GrpcMetadataClient({ targets: [`127.0.0.1:${port}`], definition: protos.metadata, mux: { streams: 1 }, metrics: createGrpcClientMetrics(seen) });
    const { pending } = await secondCallRunning(fake);
    for (const s of server.muxDirectConnections) s.destroy();
    expect(await pending).toBe('Unavailable');
    // It ran once (its reply was lost with the connection); nobody sent it again.
    await new Promise((r) => setTimeout(r, 400));
    expect(fake.started()).toBe(2);
    await client.listBuckets({}, ctx);
    expect(fake.started()).toBe(3);
    expect((await outcomes(seen)).lost).toBe(1);
  });

  it('a stream that ends cleanly after replying on its connection sends again only the calls it never started', async () => {
    // The client retires its stream every 30 ms: each ends (End on the connection, then OK) while
    // its successor takes the next calls. No call fails, and none runs twice.
    const fake = slowApi(2);
    const port = await start(fake.api);
    client = new GrpcMetadataClient({ targets: [`127.0.0.1:${port}`], definition: protos.metadata, mux: { streams: 2, maxAgeMs: 30 } });
    let answered = 0;
    const end = Date.now() + 600;
    while (Date.now() < end) {
      await Promise.all(Array.from({ length: 8 }, () => client!.listBuckets({}, ctx).then(() => answered++)));
    }
    expect(answered).toBe(fake.started());
  });

  it("waits for the connection's End before sending again what a stream that ended left unanswered", async () => {
    // The server drains while a call runs: its reply and End go on the direct connection, the stream's
    // OK on gRPC. Held up on the connection (paused here), they arrive after the OK: the call must still
    // be answered by its reply, not sent again as if it had never run.
    const fake = slowApi(200);
    const port = await start(fake.api);
    // Offers name a proxy in front of the direct port, which can hold back what the server sends.
    const proxy = await holdingProxy(server.directPort);
    jest.spyOn(MuxDirectListener.prototype, 'port', 'get').mockReturnValue(proxy.port);
    client = new GrpcMetadataClient({ targets: [`127.0.0.1:${port}`], definition: protos.metadata, mux: { streams: 1 } });
    const { pending } = await secondCallRunning(fake);
    proxy.hold(true);
    const stopped = server.shutdown(5000);
    await new Promise((r) => setTimeout(r, 400)); // the call finished, the stream ended OK meanwhile
    proxy.hold(false);
    expect(await pending).toBe('answered');
    expect(fake.started()).toBe(2);
    await stopped;
    proxy.close();
  });

  it('a connection without a valid ticket first is refused and closed', async () => {
    const registry = new Registry();
    await start(slowApi(0).api, registry);
    // What the server sent before it closed the connection; 'still open' if it had not within 3 s
    // (it waits 10 s for a Hello that never comes: these must be refused on what they sent).
    const tryFrame = (send: (s: net.Socket) => void) =>
      new Promise<{ frames: number[] } | 'still open'>((resolve) => {
        const s = net.connect(server.directPort, '127.0.0.1', () => send(s));
        const frames: number[] = [];
        const reader = new FrameReader((type) => frames.push(type));
        const timer = setTimeout(() => {
          resolve('still open');
          s.destroy();
        }, 3000);
        s.on('data', (d: Buffer) => reader.push(d));
        s.on('error', () => undefined);
        s.on('close', () => {
          clearTimeout(timer);
          resolve({ frames });
        });
      });
    // A ticket nobody issued.
    expect(await tryFrame((s) => writeFrame(s, FrameType.Hello, Buffer.from('0'.repeat(32))))).toEqual({ frames: [] });
    // A request before any ticket.
    expect(await tryFrame((s) => writeFrame(s, FrameType.Request, Buffer.from([0])))).toEqual({ frames: [] });
    // Not this protocol at all (a length over the limit).
    expect(await tryFrame((s) => s.write('GET / HTTP/1.1\r\n\r\n'))).toEqual({ frames: [] });
    // A first frame that says it is 1 MiB long: refused on its length, not held while it arrives.
    expect(await tryFrame((s) => s.write(Buffer.from([0, 0x10, 0, 0, FrameType.Hello])))).toEqual({ frames: [] });
    expect(await metricValue(registry, 'grpc_server_mux_direct_refused_total')).toBe(4);
  });
});

describe('direct Mux frames', () => {
  it('are read whole however the bytes arrive: split anywhere, several in one read', () => {
    const got: string[] = [];
    const reader = new FrameReader((type, payload) => got.push(`${type}:${payload.toString()}`));
    const frames = [frame(FrameType.Request, 'first'), frame(FrameType.End, ''), frame(FrameType.Response, 'x'.repeat(1000))];
    const all = Buffer.concat(frames);
    for (let i = 0; i < all.length; i += 3) reader.push(all.subarray(i, i + 3));
    reader.push(all);
    const want = ['3:first', '5:', `4:${'x'.repeat(1000)}`];
    expect(got).toEqual([...want, ...want]);
  });

  it('refuse a frame of length 0 or over the limit', () => {
    const reader = new FrameReader(() => undefined, 1024);
    expect(() => reader.push(Buffer.from([0, 0, 4, 1]))).toThrow(/1025 bytes/);
    expect(() => new FrameReader(() => undefined).push(Buffer.from([0, 0, 0, 0]))).toThrow(/0 bytes/);
  });

  function frame(type: number, payload: string): Buffer {
    const p = Buffer.from(payload);
    const head = Buffer.alloc(5);
    head.writeUInt32BE(1 + p.length, 0);
    head[4] = type;
    return Buffer.concat([head, p]);
  }
});

describe('where a direct connection goes', () => {
  it("to the host of the stream's peer", () => {
    expect(peerHost('10.0.0.7:7070')).toBe('10.0.0.7');
    expect(peerHost('[fd00::7]:7070')).toBe('fd00::7');
    expect(peerHost('unknown')).toBeUndefined();
    expect(peerHost('dns:///metadata:7070')).toBeUndefined();
  });

  it("with TLS, checked against the channel's name: its override, else the target's host", () => {
    const tls = { ca: Buffer.alloc(0), cert: Buffer.alloc(0), key: Buffer.alloc(0) };
    expect(tlsNameOf('dns:///metadata:7070', { tls })).toBe('metadata');
    expect(tlsNameOf('dns://10.0.0.2/metadata.ns.svc:7070', { tls })).toBe('metadata.ns.svc');
    expect(tlsNameOf('127.0.0.1:7070', { tls })).toBe('127.0.0.1');
    expect(tlsNameOf('[::1]:7070', { tls })).toBe('::1');
    expect(tlsNameOf('ipv4:10.0.0.1:7070,10.0.0.2:7070', { tls })).toBeUndefined();
    expect(tlsNameOf('dns:///metadata:7070', { tls: { ...tls, serverName: 'metadata.internal' } })).toBe('metadata.internal');
  });
});
