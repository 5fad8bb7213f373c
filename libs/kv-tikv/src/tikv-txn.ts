import {
  mergeScan,
  WriteBuffer,
  type KvKey,
  type KvPair,
  type KvReader,
  type KvSnapshot,
  type KvTxn,
  type KvValue,
  type ScanOptions,
} from '@massive/kv';
import { hexOf } from './codec/keys';
import type { SnapshotReader } from './tikv/snapshot-reader';

const copy = (b: Buffer): Buffer => Buffer.from(b);

/** Reads at one start_ts; results are copies the caller owns. */
class ReaderView implements KvReader {
  private finished = false;

  constructor(
    protected readonly reader: SnapshotReader,
    private readonly what: string,
  ) {}

  finish(): void {
    this.finished = true;
  }

  protected check(): void {
    if (this.finished) throw new Error(`${this.what} used after it ended`);
  }

  async get(key: KvKey): Promise<KvValue | undefined> {
    this.check();
    const v = await this.reader.get(key);
    return v && copy(v);
  }

  async batchGet(keys: readonly KvKey[]): Promise<(KvValue | undefined)[]> {
    this.check();
    if (keys.length === 0) return [];
    const found = await this.reader.batchGet(keys);
    return keys.map((k) => {
      const v = found.get(hexOf(k));
      return v && copy(v);
    });
  }

  async scan(start: KvKey, end: KvKey, opts: ScanOptions = {}): Promise<KvPair[]> {
    this.check();
    const pairs = await this.reader.scan(start, end, opts.limit ?? Infinity, opts.reverse ?? false);
    return pairs.map((p) => ({ key: copy(p.key), value: copy(p.value) }));
  }
}

/** A read-only view at a start_ts (KvStore.snapshot). */
export class TikvSnapshot extends ReaderView implements KvSnapshot {
  constructor(reader: SnapshotReader) {
    super(reader, 'snapshot');
  }

  get ts(): bigint {
    return this.reader.ts;
  }

  close(): void {
    this.finish();
  }
}

/** A transaction: snapshot reads at start_ts merged with its buffered writes. */
export class TikvTxn extends ReaderView implements KvTxn {
  readonly buffer = new WriteBuffer();

  constructor(
    reader: SnapshotReader,
    private readonly maxKeyBytes: number,
  ) {
    super(reader, 'transaction');
  }

  get startTs(): bigint {
    return this.reader.ts;
  }

  override async get(key: KvKey): Promise<KvValue | undefined> {
    this.check();
    const own = this.buffer.get(key);
    if (own !== undefined) return own ?? undefined;
    return super.get(key);
  }

  override async batchGet(keys: readonly KvKey[]): Promise<(KvValue | undefined)[]> {
    this.check();
    const own = keys.map((k) => this.buffer.get(k));
    const remote = keys.filter((_k, i) => own[i] === undefined);
    const fetched = await super.batchGet(remote);
    let j = 0;
    return own.map((v) => (v === undefined ? fetched[j++] : (v ?? undefined)));
  }

  override async scan(start: KvKey, end: KvKey, opts: ScanOptions = {}): Promise<KvPair[]> {
    this.check();
    const reverse = opts.reverse ?? false;
    const limit = opts.limit ?? Infinity;
    if (limit <= 0) return [];
    const overlay = this.buffer.range(start, end, reverse);
    // Each buffered delete can hide at most one stored pair: fetch that many more.
    const hidden = overlay.filter(([, v]) => v === null).length;
    const base = await super.scan(start, end, { limit: limit + hidden, reverse });
    return mergeScan(base, overlay, reverse, limit);
  }

  put(key: KvKey, value: KvValue): void {
    this.check();
    checkKey(key, this.maxKeyBytes);
    this.buffer.put(key, value);
  }

  delete(key: KvKey): void {
    this.check();
    checkKey(key, this.maxKeyBytes);
    this.buffer.delete(key);
  }

  lock(key: KvKey): void {
    this.check();
    checkKey(key, this.maxKeyBytes);
    this.buffer.lock(key);
  }
}

function checkKey(key: KvKey, maxKeyBytes: number): void {
  if (key.length === 0) throw new Error('TiKV keys must not be empty');
  if (key.length > maxKeyBytes) throw new Error(`key of ${key.length} bytes is longer than maxKeyBytes (${maxKeyBytes})`);
}
