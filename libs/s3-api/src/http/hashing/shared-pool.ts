import { inlineHashing, type Hashing } from './hash-job';
import { HashPool } from './hash-pool';

const pools = new Map<number, HashPool>();

/**
 * The process's hash pool with `threads` threads (0: hash on the event loop). Shared by every S3 API
 * in the process, started on first use; its threads do not keep the process alive.
 */
export function sharedHashPool(threads: number): Hashing {
  if (threads <= 0) return inlineHashing;
  let pool = pools.get(threads);
  if (!pool) pools.set(threads, (pool = new HashPool({ threads })));
  return pool;
}
