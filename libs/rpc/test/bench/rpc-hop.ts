// The gRPC hop alone: blob Read / Write streams and a unary call (Describe) between this process (the
// client, as the gateway) and a forked child (the server, as the blob service), on loopback, with an
// in-memory BlobApi (no disk). Prints the CPU each side spends per MiB (per 1000 calls for unary).
// Not a test: `node tools/build.mjs && node dist/tools/rpc-hop.js`. Knobs (environment): ONLY
// (read,write,unary), CONC (8 concurrent calls), SIZE (bytes per read/write, 1 MiB), SRC (size of the
// pieces a write's source yields, 64 KiB: socket reads), MS (measured ms per workload, 4000), ROUNDS (1),
// DATA (1: the server also serves the HTTP blob data path, so reads and writes take it; default 0: gRPC).
// On a shared box run it a few times and compare the minimum or the median, not one run.
import { fork } from 'node:child_process';
import type { BlobApi, BlobManifest, CallCtx } from '@massive/contracts';
import { BlobDataServer, GrpcBlobClient, RpcServer } from '../../src';

const MiB = 1024 * 1024;
const POOL = Buffer.alloc(8 * MiB, 7);
const env = (k: string, d: number) => Number(process.env[k] ?? d);

/** Reads yield 1 MiB pieces (as BlobService does); writes are consumed and counted. */
const api: BlobApi = {
  async write(body) {
    let n = 0;
    for await (const b of body) n += b.length;
    return { size: n, chunks: [{ id: 'x', size: n }] };
  },
  async *read(m: BlobManifest) {
    for (let at = 0; at < m.size; at += MiB) yield POOL.subarray(at % (4 * MiB), (at % (4 * MiB)) + Math.min(MiB, m.size - at));
  },
  async deleteChunks() {},
  async deleteIntent() {},
};

async function server(): Promise<void> {
  const data = env('DATA', 0) === 1 ? new BlobDataServer({ blob: api }) : undefined;
  const dataPort = data ? await data.listen('127.0.0.1', 0) : 0;
  const srv = new RpcServer({ blob: api, blobReplica: { replicaId: '', legacyChunks: false, dataPort } });
  const port = await srv.listen('127.0.0.1', 0);
  process.on('message', (m: { cpu?: boolean; stop?: boolean }) => {
    if (m.stop) void Promise.all([srv.shutdown(1000), data?.shutdown(1000)]).then(() => process.exit(0));
    const u = process.cpuUsage();
    process.send?.({ cpuMs: (u.user + u.system) / 1000 });
  });
  process.send?.({ port });
}

async function client(): Promise<void> {
  const child = fork(__filename, ['server'], { stdio: 'inherit' });
  const port = await new Promise<number>((r) => child.once('message', (m: { port: number }) => r(m.port)));
  const serverCpu = () =>
    new Promise<number>((r) => {
      child.once('message', (m: { cpuMs: number }) => r(m.cpuMs));
      child.send({ cpu: true });
    });
  const blob = new GrpcBlobClient({ targets: [`127.0.0.1:${port}`] });
  const size = env('SIZE', MiB);
  const srcPiece = env('SRC', 64 * 1024);
  const manifest: BlobManifest = { size, chunks: [{ id: 'x', size }] };
  const ctx = (): CallCtx => ({ requestId: 'bench', signal: new AbortController().signal });
  async function* source() {
    for (let at = 0; at < size; at += srcPiece) yield POOL.subarray(at % (4 * MiB), (at % (4 * MiB)) + Math.min(srcPiece, size - at));
  }
  const ops: Record<string, () => Promise<void>> = {
    read: async () => {
      let n = 0;
      for await (const b of blob.read(manifest, undefined, ctx())) n += b.length;
      if (n !== size) throw new Error(`read ${n} of ${size} bytes`);
    },
    write: async () => {
      const m = await blob.write(source(), { intentId: 'bench' }, ctx());
      if (m.size !== size) throw new Error(`wrote ${m.size} of ${size} bytes`);
    },
    unary: async () => {
      await blob.describe(0);
    },
  };
  const run = async (op: () => Promise<void>, ms: number) => {
    let n = 0;
    const end = Date.now() + ms;
    await Promise.all(Array.from({ length: env('CONC', 8) }, async () => {
      while (Date.now() < end) {
        await op();
        n++;
      }
    }));
    return n;
  };
  for (let round = 0; round < env('ROUNDS', 1); round++) {
    for (const name of (process.env['ONLY'] ?? 'read,write,unary').split(',')) {
      const op = ops[name];
      if (!op) throw new Error(`unknown workload ${name}`);
      await run(op, 1000); // warm-up
      const s0 = await serverCpu();
      const c0 = process.cpuUsage();
      const t0 = Date.now();
      const n = await run(op, env('MS', 4000));
      const c = process.cpuUsage(c0);
      const s1 = await serverCpu();
      const secs = (Date.now() - t0) / 1000;
      const per = name === 'unary' ? n / 1000 : (n * size) / MiB;
      const unit = name === 'unary' ? 'ms per 1000 calls' : 'ms/MiB';
      const rate = name === 'unary' ? `${(n / secs).toFixed(0)} calls/s` : `${((n * size) / MiB / secs).toFixed(0)} MiB/s`;
      console.log(`${name.padEnd(6)} ${rate.padStart(12)}  CPU ${unit}: client ${((c.user + c.system) / 1000 / per).toFixed(2)}, server ${((s1 - s0) / per).toFixed(2)}`);
    }
  }
  blob.close();
  child.send({ stop: true });
}

void (process.argv[2] === 'server' ? server() : client()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
