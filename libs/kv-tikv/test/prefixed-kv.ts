import { prefixEnd, type KvKey, type KvPair, type KvReader, type KvSnapshot, type KvStore, type KvTxn, type ScanOptions, type TxnOptions } from '@massive/kv';

/**
 * A KvStore that lives under a key prefix of another one: how the real-cluster suite gets a
 * fresh, empty keyspace per test on a shared cluster it cannot wipe.
 */
export class PrefixedKv implements KvStore {
  constructor(
    private readonly inner: KvStore,
    private readonly prefix: Buffer,
  ) {}

  txn<T>(fn: (tx: KvTxn) => Promise<T>, opts?: TxnOptions): Promise<T> {
    return this.inner.txn((tx) => fn(this.wrapTxn(tx)), opts);
  }

  async snapshot(): Promise<KvSnapshot> {
    const snap = await this.inner.snapshot();
    return { ...this.wrapReader(snap), close: () => snap.close() };
  }

  async close(): Promise<void> {
    // The inner store is shared: its owner closes it.
  }

  private key(k: KvKey): Buffer {
    return Buffer.concat([this.prefix, k]);
  }

  private wrapReader(r: KvReader): KvReader {
    const strip = (pairs: KvPair[]) => pairs.map((p) => ({ key: p.key.subarray(this.prefix.length), value: p.value }));
    return {
      get: (k) => r.get(this.key(k)),
      batchGet: (keys) => r.batchGet(keys.map((k) => this.key(k))),
      scan: (start: KvKey, end: KvKey, opts?: ScanOptions) =>
        r.scan(this.key(start), end.length ? this.key(end) : prefixEnd(this.prefix), opts).then(strip),
    };
  }

  private wrapTxn(tx: KvTxn): KvTxn {
    const nonEmpty = (k: KvKey) => {
      if (k.length === 0) throw new Error('empty key');
      return this.key(k);
    };
    return {
      ...this.wrapReader(tx),
      put: (k, v) => tx.put(nonEmpty(k), v),
      delete: (k) => tx.delete(nonEmpty(k)),
      lock: (k) => tx.lock(nonEmpty(k)),
    };
  }
}
