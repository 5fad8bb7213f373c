import { Backoffer } from '../backoff';
import { EMPTY } from '../codec/keys';
import { RpcClient, type TikvProtos } from '../grpc/rpc';
import type { PdClient, PdRegion } from '../pd/pd-client';
import { withLeaderFromWire } from '../region-cache/convert';
import type { RegionInfo } from '../region-cache/region';
import { groupByRegion, RegionCache, type KeyGroup } from '../region-cache/region-cache';

const CHANNEL_GRACE_MS = 30_000;

/**
 * Where requests go: the region cache backed by PD, and the store address cache with one gRPC
 * channel per TiKV address.
 */
export class RegionRouter {
  readonly cache = new RegionCache();
  private readonly storeAddresses = new Map<bigint, string>();
  private readonly clients = new Map<string, RpcClient>();
  private closed = false;

  constructor(
    readonly pd: PdClient,
    private readonly protos: TikvProtos,
    private readonly maxMessageBytes: number,
    /** A key above every key this client writes (the reverse-scan ceiling): it lies in the last region. */
    private readonly ceiling: Buffer,
  ) {}

  /** The region holding `key` (cache first, then PD). */
  async locateKey(bo: Backoffer, key: Buffer): Promise<RegionInfo> {
    for (;;) {
      const hit = this.cache.lookup(key);
      if (hit) return hit;
      const r = this.adopt(await this.pd.getRegion(key));
      if (r.kind === 'ok') return r.region;
      await bo.backoff(r.kind === 'noLeader' ? 'regionScheduling' : 'regionMiss', new Error(`no region for key ${key.toString('hex')}: ${r.kind}`));
    }
  }

  /** The region holding the keys just below `key` (start < key <= end; empty key = the last region). */
  async locateEndKey(bo: Backoffer, key: Buffer): Promise<RegionInfo> {
    for (;;) {
      const hit = this.cache.lookupEnd(key);
      if (hit) return hit;
      if (key.length === 0) {
        const last = await this.findLast(bo);
        if (last) return last;
        continue;
      }
      const holder = await this.locateKey(bo, key);
      if (Buffer.compare(holder.startKey, key) < 0) return holder;
      const r = this.adopt(await this.pd.getPrevRegion(key));
      if (r.kind === 'ok') return r.region;
      await bo.backoff(r.kind === 'noLeader' ? 'regionScheduling' : 'regionMiss', new Error(`no region before ${key.toString('hex')}`));
    }
  }

  /** Keys grouped by the regions holding them (ascending). */
  groupByRegion(bo: Backoffer, keys: readonly Buffer[]): Promise<KeyGroup[]> {
    return groupByRegion(keys, (k) => this.locateKey(bo, k));
  }

  /**
   * The channel to a store, resolving its address through PD when not cached; undefined when PD
   * does not know the store (removed, tombstone): the caller drops the region and relocates it,
   * since PD will name another peer once the store's peers moved.
   */
  async storeClient(storeId: bigint): Promise<RpcClient | undefined> {
    if (this.closed) throw new Error('TiKV client closed');
    let address = this.storeAddresses.get(storeId);
    if (!address) {
      address = await this.pd.getStoreAddress(storeId);
      if (!address) return undefined;
      this.storeAddresses.set(storeId, address);
    }
    let c = this.clients.get(address);
    if (!c) {
      c = new RpcClient(address, this.protos.tikv, { maxMessageBytes: this.maxMessageBytes });
      this.clients.set(address, c);
    }
    return c;
  }

  /**
   * A store failed or denied being who we thought: re-resolve its address, reload its regions.
   * `dropChannel` (connection refused or reset) also retires its channel, whose reconnect backoff
   * would otherwise keep failing calls fast for a while after the store is back; calls still in
   * flight on it get a grace period.
   */
  onStoreFailure(storeId: bigint, dropChannel = false): void {
    const address = this.storeAddresses.get(storeId);
    this.storeAddresses.delete(storeId);
    this.cache.invalidateStore(storeId);
    const channel = address === undefined ? undefined : this.clients.get(address);
    if (dropChannel && channel && address !== undefined) {
      this.clients.delete(address);
      setTimeout(() => channel.close(), CHANNEL_GRACE_MS).unref();
    }
  }

  close(): void {
    this.closed = true;
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  /**
   * The last region: one GetRegion on the ceiling key, which lies above every key we write. Only
   * if a region boundary sits above it (keys written by someone else) does it walk forward.
   */
  private async findLast(bo: Backoffer): Promise<RegionInfo | undefined> {
    const probe = this.adopt(await this.pd.getRegion(this.ceiling));
    if (probe.kind === 'ok' && probe.region.endKey.length === 0) return probe.region;
    const cached = this.cache.all();
    let from = cached.length ? cached[cached.length - 1].startKey : EMPTY;
    for (;;) {
      const batch = await this.pd.scanRegions(from, EMPTY, 64);
      let last: RegionInfo | undefined;
      for (const pr of batch) {
        const r = this.adopt(pr);
        if (r.kind === 'ok') last = r.region;
      }
      const tail = batch[batch.length - 1];
      if (!tail || !last) {
        await bo.backoff('regionMiss', new Error('ScanRegions found no last region'));
        return undefined;
      }
      if (tail.region.endKey.length === 0) return last.endKey.length === 0 ? last : undefined;
      from = tail.region.endKey;
    }
  }

  /** Caches a PD answer (unless PD is behind the cache, then it is used once without caching). */
  private adopt(pr: PdRegion | undefined): { kind: 'ok'; region: RegionInfo } | { kind: 'missing' | 'noLeader' } {
    if (!pr) return { kind: 'missing' };
    const region = withLeaderFromWire(pr.region, pr.leader);
    if (!region) return { kind: 'noLeader' };
    this.cache.insert(region);
    return { kind: 'ok', region };
  }
}
