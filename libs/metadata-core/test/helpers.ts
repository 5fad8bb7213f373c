import type { CallCtx } from '@massive/contracts';
import { prefixEnd, type KvPair, type KvSnapshot, type KvStore, type KvTxn, type TxnOptions } from '@massive/kv';
import type { GcBlobPort } from '../src/gc/collector';
import { decodeGcKey, gcPrefix } from '../src/keys/keys';

/** A blob side that records what the GC asked it to delete. */
export class FakeBlob implements GcBlobPort {
  readonly deletedChunks: string[] = [];
  readonly deletedIntents: string[] = [];
  failNext = 0;

  async deleteChunks(ids: readonly string[], _ctx: CallCtx): Promise<void> {
    if (this.failNext > 0 && this.failNext--) throw new Error('blob down');
    this.deletedChunks.push(...ids);
  }

  async deleteIntent(intentId: string, _ctx: CallCtx): Promise<void> {
    if (this.failNext > 0 && this.failNext--) throw new Error('blob down');
    this.deletedIntents.push(intentId);
  }
}

/** Every chunk id on the GC queue, due or not (with repeats, if any). */
export async function gcQueue(kv: KvStore): Promise<string[]> {
  const snap = await kv.snapshot();
  try {
    return (await snap.scan(gcPrefix(), prefixEnd(gcPrefix()))).map((p) => decodeGcKey(p.key).chunkId);
  } finally {
    snap.close();
  }
}

/** Counts the pairs every scan returns (to prove listing cost is O(page)). */
export class CountingKv implements KvStore {
  scanned = 0;
  scans = 0;
  constructor(private readonly inner: KvStore) {}

  private count = (pairs: KvPair[]): KvPair[] => {
    this.scans++;
    this.scanned += pairs.length;
    return pairs;
  };

  txn<T>(fn: (tx: KvTxn) => Promise<T>, opts?: TxnOptions): Promise<T> {
    return this.inner.txn((tx) =>
      fn({
        get: (k) => tx.get(k),
        batchGet: (ks) => tx.batchGet(ks),
        scan: async (s, e, o) => this.count(await tx.scan(s, e, o)),
        put: (k, v) => tx.put(k, v),
        delete: (k) => tx.delete(k),
        lock: (k) => tx.lock(k),
      }),
      opts,
    );
  }

  async snapshot(): Promise<KvSnapshot> {
    const snap = await this.inner.snapshot();
    return {
      get: (k) => snap.get(k),
      batchGet: (ks) => snap.batchGet(ks),
      scan: async (s, e, o) => this.count(await snap.scan(s, e, o)),
      close: () => snap.close(),
    };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * Holds the next transaction after its body ran and before it commits, until released: makes a
 * chosen interleaving of two transactions deterministic.
 */
export class GatedKv implements KvStore {
  private gate: { reached: () => void; release: Promise<void> } | undefined;
  constructor(private readonly inner: KvStore) {}

  /** Arms the gate; returns `reached` (the held txn is about to commit) and `release`. */
  holdNext(): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const releaseP = new Promise<void>((r) => (release = r));
    this.gate = { reached, release: releaseP };
    return { reached: reachedP, release };
  }

  txn<T>(fn: (tx: KvTxn) => Promise<T>, opts?: TxnOptions): Promise<T> {
    return this.inner.txn(async (tx) => {
      const out = await fn(tx);
      const g = this.gate;
      if (g) {
        this.gate = undefined;
        g.reached();
        await g.release;
      }
      return out;
    }, opts);
  }

  snapshot(): Promise<KvSnapshot> {
    return this.inner.snapshot();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
