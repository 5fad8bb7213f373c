/**
 * Micro-benchmark of LmdbKv's hot paths (not a test). Run from the repo root:
 *   npx esbuild libs/kv-embedded/bench/lmdb-kv.bench.ts --bundle --platform=node --external:lmdb \
 *     --tsconfig=tsconfig.base.json --outfile=tmp/lmdb-kv.bench.js && node tmp/lmdb-kv.bench.js [dir]
 * Uses a fresh directory under the OS temp dir unless one is given (pick a real disk: fsync matters).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KvStore } from '@massive/kv';
import { LmdbKv } from '../src/lmdb-kv';

const key = (i: number) => Buffer.from(`bench/${String(i).padStart(8, '0')}`);
const value = Buffer.alloc(200, 7);

async function measure(label: string, ops: number, run: () => Promise<void>): Promise<void> {
  const t0 = process.hrtime.bigint();
  await run();
  const ns = Number(process.hrtime.bigint() - t0);
  const perOp = ns / ops / 1000;
  console.log(`${label.padEnd(46)} ${Math.round((ops / ns) * 1e9).toString().padStart(9)} ops/s ${perOp.toFixed(2).padStart(9)} µs/op`);
}

async function bench(kv: KvStore): Promise<void> {
  const n = 100_000;
  for (let i = 0; i < n; i += 5000) {
    await kv.txn(async (tx) => {
      for (let j = i; j < i + 5000; j++) tx.put(key(j), value);
    });
  }
  const reads = 200_000;
  await measure('snapshot() + get + close', reads, async () => {
    for (let i = 0; i < reads; i++) {
      const s = await kv.snapshot();
      await s.get(key((i * 7919) % n));
      s.close();
    }
  });
  const snap = await kv.snapshot();
  await measure('get on an open snapshot', reads, async () => {
    for (let i = 0; i < reads; i++) await snap.get(key((i * 7919) % n));
  });
  await measure('scan of 100 pairs on an open snapshot', 10_000, async () => {
    for (let i = 0; i < 10_000; i++) await snap.scan(key((i * 7919) % n), Buffer.alloc(0), { limit: 100 });
  });
  snap.close();
  await measure('read-only txn (one get)', reads, async () => {
    for (let i = 0; i < reads; i++) await kv.txn((tx) => tx.get(key((i * 7919) % n)));
  });
  await measure('serial write txns (get + put)', 2000, async () => {
    for (let i = 0; i < 2000; i++) {
      await kv.txn(async (tx) => {
        await tx.get(key(i));
        tx.put(key(i), value);
      });
    }
  });
  for (const inFlight of [100, 1000]) {
    const total = 20_000;
    await measure(`concurrent write txns, ${inFlight} in flight`, total, async () => {
      for (let done = 0; done < total; done += inFlight) {
        await Promise.all(
          Array.from({ length: inFlight }, (_, j) =>
            kv.txn(async (tx) => {
              await tx.get(key(done + j));
              tx.put(key(done + j), value);
            }),
          ),
        );
      }
    });
  }
}

async function main(): Promise<void> {
  const given = process.argv[2];
  const dir = given ?? mkdtempSync(join(tmpdir(), 'lmdb-kv-bench-'));
  const kv = new LmdbKv({ path: join(dir, 'db') });
  try {
    await bench(kv);
  } finally {
    await kv.close();
    if (!given) rmSync(dir, { recursive: true, force: true });
  }
}

void main();
