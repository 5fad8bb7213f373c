import { KvConflictError, type KvPair } from '@massive/kv';
import type { Backoffer } from '../backoff';
import { compareEnds, EMPTY, hexOf, minEnd, nextKey } from '../codec/keys';
import type { BatchGetResponse, GetResponse, ScanResponse, WKvPair } from '../grpc/wire';
import { toU64 } from '../pd/timestamp';
import { backoffer, reverseScanCeiling, type ClientCore } from './core';
import { keyErrorToError, lockFromWire, type Lock } from './lock';
import { ReplyTooLargeError, type SendOutcome } from './sender';

/**
 * Snapshot reads at one start_ts: KvGet, KvBatchGet grouped by region, and KvScan walking region
 * by region (forward or reverse) with a limit. Locks met on the way are resolved through their
 * primary, waiting (with backoff) while their owner is alive.
 */
export class SnapshotReader {
  /** Pairs per KvScan; halved when a reply exceeds TiKV's gRPC message limit (large values). */
  private scanBatch: number;

  constructor(
    private readonly core: ClientCore,
    readonly ts: bigint,
  ) {
    this.scanBatch = core.limits.scanBatchSize;
  }

  async get(key: Buffer, bo = this.bo('get')): Promise<Buffer | undefined> {
    this.checkVisible();
    for (;;) {
      const { resp } = await this.core.sender.onKey<GetResponse>(bo, key, 'KvGet', () => ({
        key,
        version: toU64(this.ts),
      }));
      if (resp.error?.locked) {
        await this.resolveAndWait(bo, [lockFromWire(resp.error.locked)]);
        continue;
      }
      if (resp.error) throw keyErrorToError(resp.error, 'get');
      if (resp.not_found) return undefined;
      return resp.value ?? Buffer.alloc(0);
    }
  }

  /**
   * The values of the keys that exist, by hex key. A reply that would pass the store's message limit
   * (many large values) is asked for again in halves, down to single keys.
   */
  async batchGet(keys: readonly Buffer[]): Promise<Map<string, Buffer>> {
    this.checkVisible();
    try {
      return await this.batchGetOnce(keys);
    } catch (e) {
      if (!(e instanceof ReplyTooLargeError) || keys.length <= 1) throw e;
      const mid = keys.length >> 1;
      const [a, b] = await Promise.all([this.batchGet(keys.slice(0, mid)), this.batchGet(keys.slice(mid))]);
      return new Map([...a, ...b]);
    }
  }

  private async batchGetOnce(keys: readonly Buffer[]): Promise<Map<string, Buffer>> {
    const bo = this.bo('batchGet');
    const found = new Map<string, Buffer>();
    let pending = dedupe(keys);
    while (pending.length) {
      const replies = await this.core.sender.onKeys<BatchGetResponse>(bo, pending, 'KvBatchGet', (_r, ks) => ({
        keys: ks,
        version: toU64(this.ts),
      }));
      const locks: Lock[] = [];
      const retry: Buffer[] = [];
      for (const { keys: groupKeys, resp } of replies) {
        if (resp.error?.locked) {
          locks.push(lockFromWire(resp.error.locked));
          retry.push(...groupKeys);
          continue;
        }
        if (resp.error) throw keyErrorToError(resp.error, 'batchGet');
        for (const p of resp.pairs ?? []) {
          if (p.error?.locked) {
            const lock = lockFromWire(p.error.locked);
            locks.push(lock);
            retry.push(lock.key);
          } else if (p.error) throw keyErrorToError(p.error, 'batchGet');
          else if (p.key) found.set(hexOf(p.key), p.value ?? Buffer.alloc(0));
        }
      }
      if (locks.length) await this.resolveAndWait(bo, locks);
      pending = dedupe(retry);
    }
    return found;
  }

  /** Pairs with start <= key < end (empty end: unbounded), at most `limit`, in key order or reverse. */
  async scan(start: Buffer, end: Buffer, limit = Infinity, reverse = false): Promise<KvPair[]> {
    this.checkVisible();
    if (limit <= 0 || (end.length > 0 && Buffer.compare(start, end) >= 0)) return [];
    const bo = this.bo('scan');
    return reverse ? this.scanBackward(bo, start, end, limit) : this.scanForward(bo, start, end, limit);
  }

  /**
   * client-go `CheckVisibility`: below the GC safe point TiKV may have dropped versions this read
   * needs, and it would answer as if they never existed. A conflict, so the transaction is retried at
   * a fresh timestamp.
   */
  private checkVisible(): void {
    const sp = this.core.gcSafePoint.value;
    if (this.ts < sp) throw new KvConflictError(`snapshot at ts ${this.ts} is below the GC safe point ${sp}: retry at a new timestamp`);
  }

  private async scanForward(bo: Backoffer, start: Buffer, end: Buffer, limit: number): Promise<KvPair[]> {
    const out: KvPair[] = [];
    let cursor = start;
    while (out.length < limit) {
      const region = await this.core.router.locateKey(bo, cursor);
      const upper = minEnd(end, region.endKey);
      const batch = Math.min(this.scanBatch, limit - out.length);
      const pairs = await this.scanRegion(bo, region, { start_key: cursor, end_key: upper, limit: batch });
      if (!pairs) continue; // region changed: locate again from the same cursor
      const last = await this.collect(bo, pairs, out);
      if (pairs.length < batch) {
        if (region.endKey.length === 0 || compareEnds(region.endKey, end) >= 0) break;
        cursor = region.endKey;
      } else cursor = nextKey(last ?? cursor);
      if (end.length > 0 && Buffer.compare(cursor, end) >= 0) break;
    }
    return out;
  }

  private async scanBackward(bo: Backoffer, start: Buffer, end: Buffer, limit: number): Promise<KvPair[]> {
    const out: KvPair[] = [];
    let upper = end; // exclusive; empty = +inf
    while (out.length < limit) {
      const region = await this.core.router.locateEndKey(bo, upper);
      const lower = Buffer.compare(region.startKey, start) > 0 ? region.startKey : start;
      const batch = Math.min(this.scanBatch, limit - out.length);
      const ceiling = upper.length ? upper : reverseScanCeiling(this.core.limits);
      const req = { start_key: ceiling, end_key: lower, limit: batch, reverse: true };
      const pairs = await this.scanRegion(bo, region, req);
      if (!pairs) continue;
      const last = await this.collect(bo, pairs, out);
      if (pairs.length < batch) {
        if (region.startKey.length === 0 || Buffer.compare(region.startKey, start) <= 0) break;
        upper = region.startKey;
      } else upper = last ?? upper;
      if (upper.length > 0 && Buffer.compare(upper, start) <= 0) break;
    }
    return out;
  }

  /** One KvScan on one region; undefined after a region error; a whole-scan lock is resolved and redone. */
  private async scanRegion(
    bo: Backoffer,
    region: Parameters<ClientCore['sender']['send']>[1],
    req: { start_key: Buffer; end_key: Buffer; limit: number; reverse?: boolean },
  ): Promise<WKvPair[] | undefined> {
    for (;;) {
      let sent: SendOutcome<ScanResponse>;
      try {
        sent = await this.core.sender.send<ScanResponse>(bo, region, 'KvScan', { ...req, version: toU64(this.ts) });
      } catch (err) {
        if (!(err instanceof ReplyTooLargeError) || req.limit <= 1) throw err;
        this.scanBatch = Math.max(1, Math.floor(req.limit / 2)); // large values: ask for fewer pairs
        return undefined;
      }
      if (!sent.ok) return undefined;
      const { resp } = sent;
      if (resp.error?.locked) {
        await this.resolveAndWait(bo, [lockFromWire(resp.error.locked)]);
        continue;
      }
      if (resp.error) throw keyErrorToError(resp.error, 'scan');
      return resp.pairs ?? [];
    }
  }

  /**
   * Appends the pairs of one KvScan reply. Locked pairs (empty key, error.locked) are resolved
   * together, then each key is read again (client-go `resolveCurrentLock`). Returns the last key
   * the reply covered.
   */
  private async collect(bo: Backoffer, pairs: WKvPair[], out: KvPair[]): Promise<Buffer | undefined> {
    const locks = pairs.flatMap((p) => (p.error?.locked ? [lockFromWire(p.error.locked)] : []));
    if (locks.length) {
      const waitMs = await this.core.resolver.resolve(bo, locks, this.ts);
      if (waitMs > 0) await bo.backoff('txnLock', new Error(`${locks.length} scanned key(s) locked`), waitMs);
    }
    let last: Buffer | undefined;
    for (const p of pairs) {
      if (p.error?.locked) {
        last = p.error.locked.key ?? EMPTY;
        const value = await this.get(last); // its own budget: a scan may meet many locks
        if (value !== undefined) out.push({ key: last, value });
        continue;
      }
      if (p.error) throw keyErrorToError(p.error, 'scan');
      last = p.key ?? EMPTY;
      out.push({ key: last, value: p.value ?? Buffer.alloc(0) });
    }
    return last;
  }

  private async resolveAndWait(bo: Backoffer, locks: Lock[]): Promise<void> {
    const waitMs = await this.core.resolver.resolve(bo, locks, this.ts);
    const cause = new Error(`key ${locks[0].key.toString('hex')} is locked`);
    if (waitMs > 0) await bo.backoff('txnLock', cause, waitMs);
    else await bo.retryFast('txnLock', cause);
  }

  private bo(what: string): Backoffer {
    return backoffer(this.core, this.core.limits.readBudgetMs, what);
  }
}

function dedupe(keys: readonly Buffer[]): Buffer[] {
  const seen = new Map<string, Buffer>();
  for (const k of keys) seen.set(hexOf(k), k);
  return [...seen.values()];
}
