import { rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { callAborted, ServiceError, whenAborted, type BlobApi, type BlobManifest, type CallCtx } from '@massive/contracts';
import { Registry } from 'prom-client';
import { BlobDataClient, BlobDataServer, createBlobDataClientMetrics, GrpcBlobClient, RpcServer, type DataEndpoint, type RpcSecurity } from '../src';
import { hangUpCtx } from '@massive/contracts/testing';
import { createTestPki, type TestPki } from '../src/testing';

const MiB = 1024 * 1024;
const TOKEN = 'data-path-token-0123456789abcdef0123456789';
const CTX: CallCtx = { requestId: 'data-test' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(10);
  }
}

/** A BlobApi whose reads fail after `failAfter` bytes and which records what reaches it. */
class Scripted implements BlobApi {
  calls: string[] = [];
  failAfter = Infinity;
  failWith: ServiceError = new ServiceError('DataCorrupted', 'chunk c1: checksum mismatch');
  produced = 0;
  readSignal?: AbortSignal;
  readCtx?: CallCtx;
  writeCtx?: CallCtx;
  finished = false;
  hangWrites = false;
  /**
   * Listen the way the blob service does (contracts' `whenAborted`, a halt): never read ctx.signal,
   * record what was heard (`heard`: the abort arrived; `controllersAtAbort`).
   */
  listenOnly = false;
  heard = false;
  /** AbortControllers made in this process by the time the abort was heard (`countControllers`). */
  controllersAtAbort: number | undefined;

  async write(body: AsyncIterable<Buffer>, req: { intentId: string }, ctx: CallCtx): Promise<BlobManifest> {
    this.calls.push(`write ${req.intentId}`);
    this.writeCtx = ctx;
    let n = 0;
    for await (const b of body) n += b.length;
    if (this.hangWrites && this.listenOnly) {
      await new Promise<void>((resolve) => whenAborted(ctx, resolve));
      this.heard = callAborted(ctx);
      throw new ServiceError('Unavailable', 'gave up');
    }
    if (this.hangWrites) await new Promise((_, reject) => ctx.signal?.addEventListener('abort', () => reject(ctx.signal?.reason)));
    return { size: n, chunks: [{ id: `${req.intentId}/0`, size: n }] };
  }

  async *read(manifest: BlobManifest, _range: unknown, ctx: CallCtx): AsyncIterable<Buffer> {
    this.calls.push('read');
    this.produced = 0;
    this.finished = false;
    this.readCtx = ctx;
    if (this.listenOnly) {
      this.readSignal = undefined;
      whenAborted(ctx, () => {
        this.heard = callAborted(ctx);
        this.controllersAtAbort = controllersMade;
      });
    } else this.readSignal = ctx.signal;
    try {
      if (manifest.chunks[0]?.id === 'missing') throw new ServiceError('InvalidArgument', 'no such chunk: missing', { chunk: 'missing' });
      while (this.produced < manifest.size) {
        if (this.produced >= this.failAfter) throw this.failWith;
        const n = Math.min(MiB, manifest.size - this.produced);
        this.produced += n;
        yield Buffer.alloc(n, 5);
      }
    } finally {
      this.finished = true;
    }
  }

  deleteChunks = async () => undefined;
  deleteIntent = async () => undefined;
}

let controllersMade = 0;

/** Counts AbortControllers made from now on (`controllersMade`); returns what puts the real class back. */
function countControllers(): () => void {
  const Real = globalThis.AbortController;
  controllersMade = 0;
  globalThis.AbortController = class extends Real {
    constructor() {
      super();
      controllersMade++;
    }
  };
  return () => void (globalThis.AbortController = Real);
}

async function* bytes(total: number, piece = 64 * 1024): AsyncIterable<Buffer> {
  for (let at = 0; at < total; at += piece) yield Buffer.alloc(Math.min(piece, total - at), 1);
}

async function drain(it: AsyncIterable<Buffer>): Promise<number> {
  let n = 0;
  for await (const b of it) n += b.length;
  return n;
}

async function start(api: BlobApi, security?: RpcSecurity, registry?: Registry): Promise<{ server: BlobDataServer; ep: DataEndpoint }> {
  const server = new BlobDataServer({ blob: api, ...(security && { security }), ...(registry && { registry }) });
  const port = await server.listen('127.0.0.1', 0);
  return { server, ep: { host: '127.0.0.1', port } };
}

/** A raw HTTP server misbehaving on purpose (what a cut connection or a trailer-dropping proxy looks like). */
async function rawServer(handler: http.RequestListener): Promise<{ srv: http.Server; ep: DataEndpoint }> {
  const srv = http.createServer(handler);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { srv, ep: { host: '127.0.0.1', port: (srv.address() as AddressInfo).port } };
}

describe('blob data path (HTTP/1.1): errors, cancellation, deadlines', () => {
  const api = new Scripted();
  const registry = new Registry();
  let server: BlobDataServer;
  let ep: DataEndpoint;
  let client: BlobDataClient;
  beforeAll(async () => {
    ({ server, ep } = await start(api, { token: TOKEN }, registry));
    client = new BlobDataClient({ label: 'blob service (test)', security: { token: TOKEN }, metrics: createBlobDataClientMetrics(registry) });
  });
  afterAll(async () => {
    client.close();
    await server.shutdown(1000);
  });
  beforeEach(() => {
    api.calls = [];
    api.failAfter = Infinity;
    api.hangWrites = false;
    api.listenOnly = false;
    api.heard = false;
    api.controllersAtAbort = undefined;
  });

  it('writes a body and answers the manifest; reads it back whole and by range', async () => {
    expect(await client.write(ep, bytes(3 * MiB + 7), 'i1', CTX)).toEqual({ size: 3 * MiB + 7, chunks: [{ id: 'i1/0', size: 3 * MiB + 7 }] });
    expect(await drain(client.read(ep, { size: 5 * MiB + 3, chunks: [{ id: 'c', size: 5 * MiB + 3 }] }, undefined, CTX))).toBe(5 * MiB + 3);
    expect(api.calls).toEqual(['write i1', 'read']);
    expect(api.writeCtx?.requestId).toBe('data-test');
  });

  it('an error before the first byte is the ServiceError, code, message and detail', async () => {
    const e = (await drain(client.read(ep, { size: 10, chunks: [{ id: 'missing', size: 10 }] }, undefined, CTX)).catch((x: unknown) => x)) as ServiceError;
    expect(e).toBeInstanceOf(ServiceError);
    expect([e.code, e.message, e.detail]).toEqual(['InvalidArgument', 'no such chunk: missing', { chunk: 'missing' }]);
  });

  it('an error in the middle of a read reaches the client as that ServiceError (status trailer), never as a short body', async () => {
    api.failAfter = 2 * MiB;
    let got = 0;
    const e = await (async () => {
      for await (const b of client.read(ep, { size: 8 * MiB, chunks: [{ id: 'c', size: 8 * MiB }] }, undefined, CTX)) got += b.length;
    })().catch((x: unknown) => x);
    expect(got).toBe(2 * MiB);
    expect(e).toBeInstanceOf(ServiceError);
    expect((e as ServiceError).code).toBe('DataCorrupted');
    expect((e as ServiceError).message).toBe('chunk c1: checksum mismatch');
    // The connection ended cleanly (chunked body + trailers): the next read reuses it and works.
    api.failAfter = Infinity;
    expect(await drain(client.read(ep, { size: MiB, chunks: [{ id: 'c', size: MiB }] }, undefined, CTX))).toBe(MiB);
  });

  it('a message with any characters survives the trailer', async () => {
    api.failAfter = MiB;
    api.failWith = new ServiceError('Internal', 'disk "a"\r\nsaid: ünïcode 100%', { errno: -5 });
    const e = (await drain(client.read(ep, { size: 4 * MiB, chunks: [] }, undefined, CTX)).catch((x: unknown) => x)) as ServiceError;
    expect([e.code, e.message, e.detail]).toEqual(['Internal', 'disk "a"\r\nsaid: ünïcode 100%', { errno: -5 }]);
    api.failWith = new ServiceError('DataCorrupted', 'chunk c1: checksum mismatch');
  });

  it('stopping a read early closes the request and stops the server producing', async () => {
    let got = 0;
    for await (const b of client.read(ep, { size: 1024 * MiB, chunks: [] }, undefined, CTX)) {
      got += b.length;
      if (got >= 2 * MiB) break;
    }
    await waitFor(() => api.finished);
    expect(api.readSignal?.aborted).toBe(true);
    expect(api.produced).toBeLessThan(64 * MiB);
  });

  it('a stalled consumer holds the server back: a few MiB in flight at most (socket buffers, one piece)', async () => {
    const it = client.read(ep, { size: 1024 * MiB, chunks: [] }, undefined, CTX)[Symbol.asyncIterator]();
    await it.next();
    let last = -1;
    while (api.produced !== last) {
      last = api.produced;
      await sleep(250);
    }
    // Loopback socket buffers (autotuned, up to ~6 MiB each way here) and one 1 MiB piece being written.
    expect(api.produced).toBeLessThan(16 * MiB);
    await it.return!();
    await waitFor(() => api.finished);
  });

  it('ctx.signal aborts a read with its reason and cancels the server side', async () => {
    const ac = new AbortController();
    const reason = new Error('S3 client went away');
    const it = client.read(ep, { size: 1024 * MiB, chunks: [] }, undefined, { requestId: 'r', signal: ac.signal })[Symbol.asyncIterator]();
    await it.next();
    ac.abort(reason);
    const e = await (async () => {
      for (;;) if ((await it.next()).done) return undefined;
    })().catch((x: unknown) => x);
    expect(e).toBe(reason);
    await waitFor(() => api.finished);
    expect(api.readSignal?.aborted).toBe(true);
  });

  it('a ctx that listens through onAbort (the gateway request’s): a read makes no signal, and the hang-up stops it with its reason', async () => {
    const reason = new Error('S3 client went away');
    const h = hangUpCtx(reason);
    const it = client.read(ep, { size: 1024 * MiB, chunks: [] }, undefined, h.ctx)[Symbol.asyncIterator]();
    await it.next();
    expect({ signalReads: h.signalReads(), listening: h.listening() }).toEqual({ signalReads: 0, listening: 1 });
    h.hangUp();
    const e = await (async () => {
      for (;;) if ((await it.next()).done) return undefined;
    })().catch((x: unknown) => x);
    expect(e).toBe(reason);
    await waitFor(() => api.finished);
    expect(api.readSignal?.aborted).toBe(true);
  });

  it('a server side that listens through onAbort (the blob service’s halts) hears the client go, and no signal is made for it', async () => {
    api.listenOnly = true;
    const restore = countControllers();
    try {
      let got = 0;
      for await (const b of client.read(ep, { size: 1024 * MiB, chunks: [] }, undefined, CTX)) {
        got += b.length;
        if (got >= 2 * MiB) break;
      }
      await waitFor(() => api.finished);
    } finally {
      restore();
    }
    // Neither the exchange nor the served ctx made one: the hang-up reached the listener without a signal
    // (whoever throws the abort's reason afterwards makes the signal then).
    expect({ heard: api.heard, controllers: api.controllersAtAbort }).toEqual({ heard: true, controllers: 0 });
  });

  it('the deadline reaches a server side that only listens through onAbort', async () => {
    api.listenOnly = true;
    api.hangWrites = true;
    const e = (await client.write(ep, bytes(1000), 'slow', { requestId: 'r', deadline: Date.now() + 300 }).catch((x: unknown) => x)) as ServiceError;
    expect(e.code).toBe('Unavailable');
    await waitFor(() => api.heard);
  });

  it('the deadline travels to the server and cuts the call: Unavailable on the client, aborted signal on the server', async () => {
    api.hangWrites = true;
    const deadline = Date.now() + 300;
    const e = (await client.write(ep, bytes(1000), 'slow', { requestId: 'r', deadline }).catch((x: unknown) => x)) as ServiceError;
    expect(e.code).toBe('Unavailable');
    expect(e.message).toMatch(/deadline exceeded/);
    expect(api.writeCtx?.deadline).toBeGreaterThanOrEqual(deadline - 50);
    await waitFor(() => api.writeCtx?.signal?.aborted === true);
  });

  it('a source that fails aborts the write: its error propagates unchanged, the service sees the body fail', async () => {
    const boom = new Error('SignatureDoesNotMatch');
    async function* bad() {
      yield Buffer.alloc(1000);
      await sleep(50);
      throw boom;
    }
    await expect(client.write(ep, bad(), 'bad', CTX)).rejects.toBe(boom);
  });

  it('counts requests by method and code on both sides (no service label)', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/^blob_data_server_requests_total\{method="Write",code="OK"\} \d+$/m);
    expect(text).toMatch(/^blob_data_server_requests_total\{method="Read",code="DataCorrupted"\} \d+$/m);
    expect(text).toMatch(/^blob_data_client_requests_total\{method="Read",code="InvalidArgument"\} \d+$/m);
    expect(text).toMatch(/^blob_data_client_request_seconds_count\{method="Write"\} \d+$/m);
  });
});

describe('blob data path: service token', () => {
  const api = new Scripted();
  let server: BlobDataServer;
  let ep: DataEndpoint;
  const clients: BlobDataClient[] = [];
  const clientWith = (security?: RpcSecurity) => {
    const c = new BlobDataClient({ label: 'blob', ...(security && { security }) });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    ({ server, ep } = await start(api, { token: TOKEN }));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.shutdown(1000);
  });
  beforeEach(() => (api.calls = []));

  it.each([
    ['no token', undefined],
    ['a wrong token', { token: 'data-path-token-0123456789abcdef012345678X' }],
  ])('%s: refused (UNAUTHENTICATED, as over gRPC), no handler runs, for writes and reads', async (_what, security) => {
    const c = clientWith(security);
    const w = (await c.write(ep, bytes(4 * MiB), 'i', CTX).catch((x: unknown) => x)) as ServiceError;
    expect([w.code, w.message]).toEqual(['Internal', expect.stringMatching(/UNAUTHENTICATED: missing or wrong service token/)]);
    const r = (await drain(c.read(ep, { size: 10, chunks: [] }, undefined, CTX)).catch((x: unknown) => x)) as ServiceError;
    expect(r.code).toBe('Internal');
    expect(api.calls).toEqual([]);
  });

  it('health is open; anything else is 404/405', async () => {
    expect((await fetch(`http://127.0.0.1:${ep.port}/v1/health`)).status).toBe(200);
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`http://127.0.0.1:${ep.port}/v1/blob/read`, { headers: auth })).status).toBe(405);
    expect((await fetch(`http://127.0.0.1:${ep.port}/other`, { headers: auth })).status).toBe(404);
    server.setServing(false);
    expect((await fetch(`http://127.0.0.1:${ep.port}/v1/health`)).status).toBe(503);
    server.setServing(true);
  });

  it('a write without its intent id is InvalidArgument', async () => {
    const res = await fetch(`http://127.0.0.1:${ep.port}/v1/blob/write`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` }, body: 'x' });
    expect([res.status, res.headers.get('massive-error-code')]).toEqual([400, 'InvalidArgument']);
  });
});

describe('blob data path: transport faults are Unavailable (retryable)', () => {
  const client = new BlobDataClient({ label: 'blob service (faulty)' });
  afterAll(() => client.close());

  it('connection refused', async () => {
    const { srv, ep } = await rawServer(() => undefined);
    await new Promise((r) => srv.close(r));
    await expect(client.write(ep, bytes(10), 'i', CTX)).rejects.toMatchObject({ code: 'Unavailable' });
    await expect(drain(client.read(ep, { size: 1, chunks: [] }, undefined, CTX))).rejects.toMatchObject({ code: 'Unavailable' });
  });

  it('a body that ends without the status trailer (proxy, older peer) is Unavailable, not a short read', async () => {
    const { srv, ep } = await rawServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.alloc(1000));
      });
    });
    try {
      const e = (await drain(client.read(ep, { size: 5000, chunks: [] }, undefined, CTX)).catch((x: unknown) => x)) as ServiceError;
      expect([e.code, e.message]).toEqual(['Unavailable', expect.stringMatching(/without its status trailer/)]);
    } finally {
      srv.close();
    }
  });

  it('a connection cut mid-body (server killed) is Unavailable', async () => {
    const { srv, ep } = await rawServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(Buffer.alloc(256 * 1024));
        setTimeout(() => res.socket?.destroy(), 50);
      });
    });
    try {
      let got = 0;
      const e = await (async () => {
        for await (const b of client.read(ep, { size: MiB, chunks: [] }, undefined, CTX)) got += b.length;
      })().catch((x: unknown) => x);
      expect(got).toBe(256 * 1024);
      expect(e).toMatchObject({ code: 'Unavailable' });
    } finally {
      srv.close();
    }
  });

  it('a connection reset mid-write is Unavailable, and the source stops being read', async () => {
    const { srv, ep } = await rawServer((req) => {
      let n = 0;
      req.on('data', (b: Buffer) => {
        n += b.length;
        if (n > MiB) req.socket.destroy();
      });
    });
    let sent = 0;
    async function* body() {
      for (;;) {
        sent += 64 * 1024;
        yield Buffer.alloc(64 * 1024);
      }
    }
    try {
      await expect(client.write(ep, body(), 'i', CTX)).rejects.toMatchObject({ code: 'Unavailable' });
      const after = sent;
      await sleep(100);
      expect(sent).toBe(after);
    } finally {
      srv.close();
    }
  });
});

describe('blob data path over mutual TLS', () => {
  let pki: TestPki;
  let server: BlobDataServer;
  let ep: DataEndpoint;
  const api = new Scripted();
  const tls = (leaf: string, serverName?: string): RpcSecurity => ({ tls: { ca: pki.pem('ca', 'crt'), cert: pki.pem(leaf, 'crt'), key: pki.pem(leaf, 'key'), ...(serverName && { serverName }) } });
  const clients: BlobDataClient[] = [];
  const clientWith = (security: RpcSecurity) => {
    const c = new BlobDataClient({ label: 'blob', security });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    pki = createTestPki('massive-test-ca', { server: 'DNS:localhost,IP:127.0.0.1', gateway: 'DNS:gateway' });
    ({ server, ep } = await start(api, { ...tls('server'), token: TOKEN }));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.shutdown(1000);
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('a client with our certificate (and the token) writes and reads over https, by IP or by name', async () => {
    const c = clientWith({ ...tls('gateway'), token: TOKEN });
    expect((await c.write(ep, bytes(MiB), 'tls', CTX)).size).toBe(MiB);
    expect(await drain(c.read(ep, { size: 2 * MiB, chunks: [] }, undefined, CTX))).toBe(2 * MiB);
    expect(await drain(c.read({ host: 'localhost', port: ep.port }, { size: 10, chunks: [] }, undefined, CTX))).toBe(10);
  });

  it('a server name the certificate does not carry is refused (Unavailable)', async () => {
    const c = clientWith({ ...tls('gateway', 'blob.example'), token: TOKEN });
    await expect(c.write(ep, bytes(10), 'x', CTX)).rejects.toMatchObject({ code: 'Unavailable' });
  });

  it('a client without a certificate, or plaintext, is refused before any handler', async () => {
    api.calls = [];
    const noCert = clientWith({ token: TOKEN });
    await expect(noCert.write(ep, bytes(10), 'x', CTX)).rejects.toMatchObject({ code: 'Unavailable' });
    const https = await import('node:https');
    const status = await new Promise<string>((resolve) => {
      const req = https.request({ host: '127.0.0.1', port: ep.port, method: 'PUT', path: '/v1/blob/write', ca: pki.pem('ca', 'crt'), headers: { authorization: `Bearer ${TOKEN}`, 'massive-intent-id': 'x' } }, (res) => resolve(`http ${res.statusCode}`));
      req.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      req.end('x');
    });
    expect(status).toMatch(/^error /);
    const plain = await new Promise<string>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: ep.port, method: 'PUT', path: '/v1/blob/write', headers: { authorization: `Bearer ${TOKEN}`, 'massive-intent-id': 'x' } }, (res) => resolve(`http ${res.statusCode}`));
      req.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      req.end('x');
    });
    expect(plain).toMatch(/^error /);
    expect(api.calls).toEqual([]);
  });
});

describe('blob data path: discovery through Describe', () => {
  it('a replica that starts announcing a data port (rolling upgrade) gets the bodies; one that stops gets gRPC again', async () => {
    const api = new Scripted();
    const data = new BlobDataServer({ blob: api });
    const dataPort = await data.listen('127.0.0.1', 0);
    const identity = { replicaId: '', legacyChunks: false, dataPort: 0 };
    const rpc = new RpcServer({ blob: api, blobReplica: identity });
    const port = await rpc.listen('127.0.0.1', 0);
    const client = new GrpcBlobClient({ targets: [`127.0.0.1:${port}`], dataProbeMs: 0, minRefreshMs: 0 });
    try {
      expect(await client.dataEndpoint(0)).toBeUndefined();
      expect((await client.write(bytes(1000), { intentId: 'over-grpc' }, CTX)).size).toBe(1000);
      identity.dataPort = dataPort;
      await waitFor(async () => (await client.dataEndpoint(0)) !== undefined);
      expect(await client.dataEndpoint(0)).toEqual({ host: '127.0.0.1', port: dataPort });
      expect((await client.write(bytes(1000), { intentId: 'over-http' }, CTX)).size).toBe(1000);
      // The data server goes away (downgrade): the failure is Unavailable and the map is re-learnt.
      identity.dataPort = 0;
      await data.shutdown(100);
      await expect(client.write(bytes(1000), { intentId: 'refused' }, CTX)).rejects.toMatchObject({ code: 'Unavailable' });
      await waitFor(async () => (await client.dataEndpoint(0)) === undefined);
      expect((await client.write(bytes(1000), { intentId: 'grpc-again' }, CTX)).size).toBe(1000);
      expect(api.calls).toEqual(['write over-grpc', 'write over-http', 'write grpc-again']);
    } finally {
      client.close();
      await rpc.shutdown(100);
      await data.shutdown(100);
    }
  });
});
