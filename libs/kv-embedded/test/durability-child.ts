/**
 * Child process for durability.spec.ts: commits numbered keys, reports each one to the parent as
 * soon as its commit resolves, and SIGKILLs itself right after the last one (no clean shutdown).
 * argv: <lmdb dir> <commits>
 */
import { LmdbKv } from '../src/lmdb-kv';

async function main(): Promise<void> {
  const [dir, count] = process.argv.slice(2);
  const kv = new LmdbKv({ path: dir });
  const n = Number(count);
  const key = (i: number) => Buffer.from(`k${String(i).padStart(6, '0')}`);
  // Concurrent commits (batched into shared fsyncs), then one last commit on its own.
  await Promise.all(
    Array.from({ length: n - 1 }, (_, i) =>
      kv.txn(async (tx) => tx.put(key(i), Buffer.from(String(i)))).then(() => process.send?.(i)),
    ),
  );
  await kv.txn(async (tx) => tx.put(key(n - 1), Buffer.from(String(n - 1))));
  process.send?.(n - 1, () => process.kill(process.pid, 'SIGKILL'));
}

void main();
