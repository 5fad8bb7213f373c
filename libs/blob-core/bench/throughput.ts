/**
 * Manual benchmark (not a test): BlobService over LocalDiskStore on this machine's disk.
 *
 *   cd /work/main && npx esbuild libs/blob-core/bench/throughput.ts --bundle --platform=node \
 *     --packages=external --tsconfig=tsconfig.base.json --outfile=/tmp/blob-bench.js \
 *     && BENCH_GIB=1 node /tmp/blob-bench.js
 *
 * Env: BENCH_DIR (data dir, default a fresh temp dir, removed after), BENCH_GIB (default 1),
 * BENCH_PIECE_MIB (BlobService readPieceSize, default 1).
 *
 * 1. a large write (64 KiB source buffers, as from an HTTP body), default 1 GiB;
 * 2. reading it back whole;
 * 3. 1 MiB objects read whole, one at a time and 4 at a time (the "1 MiB GET" path minus HTTP);
 * and the process RSS, which must stay bounded however large the object.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlobManifest, CallCtx } from '@massive/contracts';
import { BlobService } from '../src/blob-service';
import { LocalDiskStore } from '../src/local-disk-store';

const MiB = 1024 * 1024;
const ctx: CallCtx = { requestId: 'bench' };
let peakRss = 0;
const sampleRss = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

async function* body(bytes: number, pool: Buffer): AsyncIterable<Buffer> {
  const piece = 64 * 1024;
  for (let at = 0; at < bytes; at += piece) {
    const off = at % pool.length;
    yield pool.subarray(off, off + Math.min(piece, bytes - at));
  }
}

async function drain(it: AsyncIterable<Buffer>): Promise<number> {
  let n = 0;
  for await (const b of it) n += b.length;
  return n;
}

let cpuMark = process.cpuUsage();
/** Throughput since `ms`, and process CPU (all threads) per MiB since the last call: less noisy on a busy box. */
function rate(bytes: number, ms: number): string {
  const cpu = process.cpuUsage(cpuMark);
  cpuMark = process.cpuUsage();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s, ${((cpuMs / bytes) * MiB).toFixed(2)} CPU ms/MiB`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'blob-bench-'));
  const size = Math.round(Number(process.env.BENCH_GIB ?? 1) * 1024) * MiB;
  const blob = new BlobService(new LocalDiskStore(dir), { readPieceSize: Number(process.env.BENCH_PIECE_MIB ?? 1) * MiB });
  const pool = randomBytes(64 * MiB);
  try {
    let t = performance.now();
    cpuMark = process.cpuUsage();
    const big = await blob.write(body(size, pool), { intentId: 'bench-big' }, ctx);
    console.log(`write ${size / MiB} MiB: ${rate(size, performance.now() - t)} (${big.chunks.length} chunks)`);

    t = performance.now();
    const n = await drain(blob.read(big, undefined, ctx));
    console.log(`read ${n / MiB} MiB: ${rate(n, performance.now() - t)}`);

    const small: BlobManifest[] = [];
    for (let i = 0; i < 64; i++) small.push(await blob.write(body(MiB, pool.subarray(i * MiB)), { intentId: `bench-s${i}` }, ctx));
    for (const concurrency of [1, 4]) {
      const rounds = 1500;
      let next = 0;
      t = performance.now();
      cpuMark = process.cpuUsage();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < rounds) await drain(blob.read(small[next++ % small.length], undefined, ctx));
        }),
      );
      console.log(`1 MiB GETs x${concurrency}: ${rate(rounds * MiB, performance.now() - t)}`);
    }
    console.log(`peak RSS ${(peakRss / MiB).toFixed(0)} MiB (includes the 64 MiB source pool)`);
  } finally {
    clearInterval(sampleRss);
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
