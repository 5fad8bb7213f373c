/**
 * FIFO mutual exclusion per key, in process memory. Writers of one object key take their turn here
 * before their transaction starts, so on one metadata process they never race each other into a KV
 * write conflict: the later one reads what the earlier one committed and replaces it (last writer
 * wins without a retry). Writers on other processes (several metadata replicas) still meet as OCC
 * conflicts, which TxnRunner retries; the gRPC client sends one key's writes to one replica so that
 * stays rare. The map only holds keys with a writer queued or running.
 */
export class KeyQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier `run` of `key` has settled. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev ? prev.then(() => mine) : mine;
    this.tails.set(key, tail);
    try {
      if (prev) await prev;
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with a writer queued or running (for tests and gauges). */
  get size(): number {
    return this.tails.size;
  }
}
