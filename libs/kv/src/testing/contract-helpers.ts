import type { KvPair, KvStore } from '../kv';

/** Small helpers shared by the contract suites (not exported from @massive/kv/testing). */
export const b = (s: string): Buffer => Buffer.from(s, 'latin1');
export const names = (pairs: KvPair[]): string[] => pairs.map((p) => p.key.toString('latin1'));
export const read = (kv: KvStore, key: string) => kv.txn((tx) => tx.get(b(key)));
/** Commits puts (string) and deletes (null) in one transaction. */
export const write = (kv: KvStore, entries: Record<string, string | null>): Promise<void> =>
  kv.txn(async (tx) => {
    for (const [k, v] of Object.entries(entries)) {
      if (v === null) tx.delete(b(k));
      else tx.put(b(k), b(v));
    }
  });

export function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
