import { rmSync } from 'node:fs';
import * as tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import type { CallCtx, MetadataApi } from '@massive/contracts';
import { GrpcMetadataClient, loadProtos, type RpcSecurity } from '../src';
import { startLoopbackRpc, type LoopbackRpc } from '../src/testing';
import { createTestPki, type TestPki } from '../src/testing';

const CTX: CallCtx = { requestId: 'mtls-test' };
const protos = loadProtos();

function tlsOf(pki: TestPki, leaf: string, trust: TestPki = pki, serverName?: string): RpcSecurity {
  return { tls: { ca: trust.pem('ca', 'crt'), cert: pki.pem(leaf, 'crt'), key: pki.pem(leaf, 'key'), ...(serverName && { serverName }) } };
}

/** Mutual TLS between our services (MASSIVE_TLS_CA/CERT/KEY): certificates from a throwaway CA made with openssl. */
describe('mutual TLS between services', () => {
  let ours: TestPki;
  let other: TestPki;
  let rpc: LoopbackRpc;
  const calls: string[] = [];
  const clients: GrpcMetadataClient[] = [];
  const client = (security: RpcSecurity | undefined, target = rpc.target) => {
    const c = new GrpcMetadataClient({ targets: [target], definition: protos.metadata, defaultTimeoutMs: 3000, ...(security && { security }) });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    ours = createTestPki('massive-test-ca', { server: 'DNS:localhost,IP:127.0.0.1', gateway: 'DNS:gateway', named: 'DNS:metadata.internal' });
    other = createTestPki('someone-elses-ca', { intruder: 'DNS:gateway', server: 'DNS:localhost,IP:127.0.0.1' });
    const metadata = { listBuckets: async () => (calls.push('listBuckets'), []) } as unknown as MetadataApi;
    rpc = await startLoopbackRpc({ metadata }, { security: tlsOf(ours, 'server'), clientSecurity: tlsOf(ours, 'gateway') });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await rpc?.close();
    for (const p of [ours, other]) if (p) rmSync(p.dir, { recursive: true, force: true });
  });
  beforeEach(() => calls.splice(0));

  it('a client with a certificate from our CA, verifying the server, gets through', async () => {
    expect(await rpc.metadata.listBuckets({}, CTX)).toEqual([]);
    expect(calls).toEqual(['listBuckets']);
  });

  it('verifies the server name: localhost matches the certificate too; MASSIVE_TLS_SERVER_NAME overrides', async () => {
    const port = rpc.port;
    expect(await client(tlsOf(ours, 'gateway'), `localhost:${port}`).listBuckets({}, CTX)).toEqual([]);
    // The server's certificate does not name "metadata.example": refused unless that is the name asked for.
    await expect(client(tlsOf(ours, 'gateway', ours, 'metadata.example')).listBuckets({}, CTX)).rejects.toMatchObject({ code: 'Unavailable' });
    // A server whose certificate names only metadata.internal, reached by IP: the override makes it match.
    const named = await startLoopbackRpc({ metadata: { listBuckets: async () => [] } as unknown as MetadataApi }, { security: tlsOf(ours, 'named') });
    try {
      await expect(client(tlsOf(ours, 'gateway'), named.target).listBuckets({}, CTX)).rejects.toMatchObject({ code: 'Unavailable' });
      expect(await client(tlsOf(ours, 'gateway', ours, 'metadata.internal'), named.target).listBuckets({}, CTX)).toEqual([]);
      // Its Mux stream's direct connection (to the IP the stream reached) checks the same name, and is taken.
      await until(() => named.server.muxDirectConnections.size === 1);
    } finally {
      await named.close();
    }
  });

  it("Mux streams take their direct connections over mutual TLS, the client's certificate checked", async () => {
    for (let i = 0; i < 5; i++) await rpc.metadata.listBuckets({}, CTX);
    await until(() => rpc.server.muxDirectConnections.size > 0);
    for (const s of rpc.server.muxDirectConnections) {
      const socket = s as tls.TLSSocket;
      expect(socket.encrypted).toBe(true);
      expect(socket.authorized).toBe(true);
      expect(socket.getPeerCertificate().subject.CN).toBe('gateway');
    }
  });

  it('a direct connection without a client certificate, or in plaintext, gets nowhere', async () => {
    const port = rpc.server.directPort;
    expect(port).toBeGreaterThan(0);
    const outcome = (socket: tls.TLSSocket | import('node:net').Socket) =>
      new Promise<string>((resolve) => {
        const read: Buffer[] = [];
        socket.on('data', (d: Buffer) => read.push(d));
        socket.on('error', () => undefined);
        // Accept is [0, 0, 0, 1, 2]; a TLS alert may come back in plaintext, an Accept must not.
        socket.on('close', () => resolve(Buffer.concat(read).includes(Buffer.from([0, 0, 0, 1, 2])) ? 'accepted' : 'closed unaccepted'));
        // A Hello with some ticket, if the handshake lets it through.
        socket.once('secureConnect', () => socket.write(Buffer.from([0, 0, 0, 33, 1, ...Buffer.from('0'.repeat(32))])));
      });
    const noCert = tls.connect({ host: '127.0.0.1', port, ca: ours.pem('ca', 'crt'), servername: 'localhost' });
    expect(await outcome(noCert)).toBe('closed unaccepted');
    const { connect } = await import('node:net');
    const plain = connect(port, '127.0.0.1', () => plain.write(Buffer.from([0, 0, 0, 33, 1, ...Buffer.from('0'.repeat(32))])));
    expect(await outcome(plain)).toBe('closed unaccepted');
  });

  it('a plaintext client is refused', async () => {
    await expect(client(undefined).listBuckets({}, CTX)).rejects.toMatchObject({ code: 'Unavailable' });
    expect(calls).toEqual([]);
  });

  it('a TLS client without a certificate is refused', async () => {
    const c = new grpc.Client(rpc.target, grpc.credentials.createSsl(ours.pem('ca', 'crt')));
    const def = protos.metadata.ListBuckets;
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      c.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, {}, new grpc.Metadata(), { deadline: Date.now() + 3000 }, (e) => resolve(e)),
    );
    c.close();
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
    expect(calls).toEqual([]);
  });

  it('a client whose certificate another CA signed is refused', async () => {
    // It trusts our CA (so it would accept the server) but presents the other CA's certificate.
    await expect(client(tlsOf(other, 'intruder', ours)).listBuckets({}, CTX)).rejects.toMatchObject({ code: 'Unavailable' });
    expect(calls).toEqual([]);
  });

  it('a client does not talk to a server whose certificate our CA did not sign', async () => {
    const impostor = await startLoopbackRpc({ metadata: { listBuckets: async () => (calls.push('impostor'), []) } as unknown as MetadataApi }, { security: tlsOf(other, 'server', ours) });
    try {
      await expect(client(tlsOf(ours, 'gateway'), impostor.target).listBuckets({}, CTX)).rejects.toMatchObject({ code: 'Unavailable' });
      expect(calls).toEqual([]);
    } finally {
      await impostor.close();
    }
  });

  it('health answers over mutual TLS, and like everything else not in plaintext', async () => {
    expect(await rpc.metadata.pool.healthy()).toBe(true);
    const def = healthService['Check'];
    const plain = new grpc.Client(rpc.target, grpc.credentials.createInsecure());
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      plain.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, { service: '' }, new grpc.Metadata(), { deadline: Date.now() + 3000 }, (e) => resolve(e)),
    );
    plain.close();
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('with mTLS and a token, both are required', async () => {
    const both = await startLoopbackRpc(
      { metadata: { listBuckets: async () => (calls.push('both'), []) } as unknown as MetadataApi },
      { security: { ...tlsOf(ours, 'server'), token: 'tok-0123456789abcdef0123456789abcdef' }, clientSecurity: tlsOf(ours, 'gateway') },
    );
    try {
      await expect(both.metadata.listBuckets({}, CTX)).rejects.toThrow(/UNAUTHENTICATED/);
      const good = client({ ...tlsOf(ours, 'gateway'), token: 'tok-0123456789abcdef0123456789abcdef' }, both.target);
      expect(await good.listBuckets({}, CTX)).toEqual([]);
      expect(calls).toEqual(['both']);
    } finally {
      await both.close();
    }
  });
});

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
