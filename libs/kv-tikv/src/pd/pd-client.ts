import * as grpc from '@grpc/grpc-js';
import { KvUnavailableError } from '@massive/kv';
import { Backoffer, type BackoffEnv } from '../backoff';
import { encodeBoundary, encodeKey } from '../codec/memcomparable';
import { isGrpcError, RpcClient, stripScheme, type TikvProtos } from '../grpc/rpc';
import type {
  GetGcSafePointResponse,
  UpdateGcSafePointResponse,
  UpdateServiceGcSafePointResponse,
  GetMembersResponse,
  GetRegionResponse,
  GetStoreResponse,
  PdMethod,
  PdRequestHeader,
  PdResponseHeader,
  ScanRegionsResponse,
  WPeer,
  WRegion,
} from '../grpc/wire';
import { peerFromWire, regionFromWire, type RegionMeta } from '../region-cache/convert';
import type { Peer } from '../region-cache/region';
import { TsoStream } from './tso';
import { fromU64, toU64 } from './timestamp';

export interface PdClientOptions {
  readonly endpoints: readonly string[];
  readonly protos: TikvProtos;
  /** Per PD RPC. */
  readonly timeoutMs: number;
  /** Total backoff of one PD operation (and of a TSO outage) before KvUnavailableError. */
  readonly budgetMs: number;
  readonly backoff: BackoffEnv;
  readonly maxMessageBytes: number;
  /** Observes each PD RPC (metrics). */
  readonly observe?: (method: string, seconds: number) => void;
}

export interface PdRegion {
  readonly region: RegionMeta;
  /** Absent while the region has no leader (an election is going on). */
  readonly leader?: Peer;
}

/**
 * PD: member discovery over several endpoints with leader failover, the batched TSO stream, and
 * region / store lookups (keys memcomparable-encoded on the way in, boundaries decoded on the way
 * out). Every call retries on another member within the budget, then throws KvUnavailableError.
 */
export class PdClient {
  private readonly clients = new Map<string, RpcClient>();
  private readonly retired = new Set<RpcClient>();
  private readonly tso: TsoStream;
  private members: string[] = [];
  private leaderUrl: string | undefined;
  private clusterId = '0';
  /** The leader failed a call: rediscover before the next one (it stays the fallback meanwhile). */
  private suspect = false;
  private discovering: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly opts: PdClientOptions) {
    if (opts.endpoints.length === 0) throw new Error('at least one PD endpoint is required');
    this.tso = new TsoStream({
      open: async () => {
        const leader = await this.leader();
        return { stream: leader.bidi('Tso'), header: this.header() };
      },
      onFailure: () => this.forgetLeader(),
      backoff: opts.backoff,
      budgetMs: opts.budgetMs,
      timeoutMs: opts.timeoutMs,
    });
  }

  get tsoRequestCount(): number {
    return this.tso.requestCount;
  }

  get currentLeader(): string | undefined {
    return this.leaderUrl;
  }

  getTimestamp(): Promise<bigint> {
    return this.tso.getTimestamp();
  }

  async getRegion(rawKey: Buffer): Promise<PdRegion | undefined> {
    const res = await this.call<GetRegionResponse>('GetRegion', { region_key: encodeKey(rawKey) });
    return toPdRegion(res.region && { region: res.region, leader: res.leader });
  }

  /** The region before the one holding `rawKey`. */
  async getPrevRegion(rawKey: Buffer): Promise<PdRegion | undefined> {
    const res = await this.call<GetRegionResponse>('GetPrevRegion', { region_key: encodeKey(rawKey) });
    return toPdRegion(res.region && { region: res.region, leader: res.leader });
  }

  async getRegionById(id: bigint): Promise<PdRegion | undefined> {
    const res = await this.call<GetRegionResponse>('GetRegionByID', { region_id: toU64(id) });
    return toPdRegion(res.region && { region: res.region, leader: res.leader });
  }

  /** Regions covering [start, end) (empty end = +inf), at most `limit` (<= 0: all). */
  async scanRegions(start: Buffer, end: Buffer, limit: number): Promise<PdRegion[]> {
    const res = await this.call<ScanRegionsResponse>('ScanRegions', {
      start_key: encodeBoundary(start),
      end_key: encodeBoundary(end),
      limit,
    });
    const regions = res.regions?.length
      ? res.regions
      : (res.region_metas ?? []).map((region, i) => ({ region, leader: res.leaders?.[i] }));
    return regions.map(toPdRegion).filter((r): r is PdRegion => r !== undefined);
  }

  /**
   * The address of a store, or undefined when PD does not know it or says it is gone (tombstone,
   * removed): PD answered, so retrying the same question for 20 s would only stall the caller,
   * which relocates the region instead. Transport failures still retry within the PD budget.
   */
  async getStoreAddress(storeId: bigint): Promise<string | undefined> {
    const res = await this.call<GetStoreResponse>('GetStore', { store_id: toU64(storeId) }, true);
    if (res.header?.error?.type) return undefined;
    if (res.store?.state === STORE_TOMBSTONE) return undefined;
    return res.store?.address || undefined;
  }

  /** PD's GC safe point: TiKV may drop every version a read below it would need. */
  async getGcSafePoint(): Promise<bigint> {
    const res = await this.call<GetGcSafePointResponse>('GetGCSafePoint', {});
    return fromU64(res.safe_point);
  }

  /**
   * Moves the GC safe point to `safePoint` (PD never moves it back: it answers the one it keeps).
   * TiKV's GC worker reads it from PD and collects versions below it.
   */
  async updateGcSafePoint(safePoint: bigint): Promise<bigint> {
    const res = await this.call<UpdateGcSafePointResponse>('UpdateGCSafePoint', { safe_point: toU64(safePoint) });
    return fromU64(res.new_safe_point);
  }

  /**
   * Sets `serviceId`'s service safe point (`ttlSeconds` <= 0 removes it) and answers the smallest
   * service safe point PD keeps, with its owner: BR and TiCDC hold GC back this way.
   */
  async updateServiceGcSafePoint(serviceId: string, ttlSeconds: bigint, safePoint: bigint): Promise<{ serviceId: string; minSafePoint: bigint }> {
    const res = await this.call<UpdateServiceGcSafePointResponse>('UpdateServiceGCSafePoint', {
      service_id: Buffer.from(serviceId),
      TTL: ttlSeconds.toString(),
      safe_point: toU64(safePoint),
    });
    return { serviceId: res.service_id?.toString() ?? '', minSafePoint: fromU64(res.min_safe_point) };
  }

  close(): void {
    this.closed = true;
    this.tso.close();
    for (const c of [...this.clients.values(), ...this.retired]) c.close();
    this.clients.clear();
    this.retired.clear();
  }

  /** One PD RPC on the leader, with re-discovery and backoff on failure. */
  private async call<Res extends { header?: PdResponseHeader }>(method: PdMethod, body: object, headerErrorsAreAnswers = false): Promise<Res> {
    const bo = new Backoffer(this.opts.backoff, this.opts.budgetMs, `PD ${method}`);
    for (;;) {
      let err: Error;
      const t0 = process.hrtime.bigint();
      try {
        const leader = await this.leader();
        const res = await leader.unary<Res>(method, { header: this.header(), ...body }, this.opts.timeoutMs);
        const e = res.header?.error;
        if (!e || !e.type) return res;
        // Errors of the request itself (not of the member: not leader, wrong cluster) are answers.
        if (headerErrorsAreAnswers && !isMemberError(e)) return res;
        err = new Error(`PD ${method}: ${e.message || `error type ${e.type}`}`);
      } catch (caught) {
        if (caught instanceof KvUnavailableError || this.closed) throw caught;
        err = caught as Error;
      } finally {
        this.opts.observe?.(method, Number(process.hrtime.bigint() - t0) / 1e9);
      }
      this.forgetLeader();
      await bo.backoff('pdRpc', err);
    }
  }

  private header(): PdRequestHeader {
    return { cluster_id: this.clusterId };
  }

  /** The leader failed us: ask again, but keep it as the fallback until a better one is known. */
  private forgetLeader(): void {
    this.suspect = true;
  }

  private async leader(): Promise<RpcClient> {
    while (!this.leaderUrl || this.suspect) {
      this.discovering ??= this.discover().finally(() => (this.discovering = undefined));
      try {
        await this.discovering;
      } catch (err) {
        // Nobody named a (reachable) leader: the last good one is still the best guess.
        if (this.leaderUrl) return this.client(this.leaderUrl);
        throw err;
      }
    }
    return this.client(this.leaderUrl);
  }

  /**
   * GetMembers on the known members and the configured endpoints until one names a leader that
   * answers on one of its client URLs. Members of another cluster (a different cluster id than the
   * one first seen, e.g. a stale endpoint list after a redeploy) are ignored.
   */
  private async discover(): Promise<void> {
    const candidates = [...new Set([...this.members, ...this.opts.endpoints.map(stripScheme)])];
    let last: Error = new Error('no PD endpoint answered');
    for (const url of candidates) {
      try {
        const res = await this.getMembers(url);
        const id = res.header?.cluster_id ?? '0';
        if (this.clusterId !== '0' && id !== '0' && id !== this.clusterId) {
          last = new Error(`PD ${url} belongs to cluster ${id}, not to cluster ${this.clusterId}: ignored`);
          continue;
        }
        const leaderUrls = (res.leader?.client_urls ?? []).map(stripScheme);
        if (leaderUrls.length === 0) {
          last = new Error(`PD ${url} knows no leader`);
          continue;
        }
        const leaderUrl = await this.firstReachable(leaderUrls, url);
        if (!leaderUrl) {
          last = new Error(`PD leader ${res.leader?.name ?? ''} answers on none of ${leaderUrls.join(', ')}`);
          continue;
        }
        if (this.clusterId === '0') this.clusterId = id;
        this.members = (res.members ?? []).flatMap((m) => (m.client_urls ?? []).map(stripScheme));
        this.leaderUrl = leaderUrl;
        this.suspect = false;
        return;
      } catch (err) {
        last = isGrpcError(err) ? new Error(`PD ${url}: ${err.message}`) : (err as Error);
      }
    }
    throw last;
  }

  /** The first of the leader's client URLs that answers (the one we just asked answers, by definition). */
  private async firstReachable(urls: readonly string[], asked: string): Promise<string | undefined> {
    if (urls.includes(asked) || urls.length === 1) return urls.includes(asked) ? asked : urls[0];
    for (const u of urls) {
      try {
        await this.getMembers(u);
        return u;
      } catch {
        // try the next advertised URL
      }
    }
    return undefined;
  }

  private getMembers(url: string): Promise<GetMembersResponse> {
    const t0 = process.hrtime.bigint();
    const c = this.client(url);
    return c
      .unary<GetMembersResponse>('GetMembers', { header: { cluster_id: '0' } }, this.opts.timeoutMs)
      .catch((err: unknown) => {
        if (isGrpcError(err) && err.code === grpc.status.UNAVAILABLE) this.retire(url, c);
        throw err;
      })
      .finally(() => this.opts.observe?.('GetMembers', Number(process.hrtime.bigint() - t0) / 1e9));
  }

  /**
   * A member did not answer GetMembers (any member answers it, so this is the transport: refused,
   * reset). Its channel is retired, as the router does for stores: a channel that failed to
   * connect sits in reconnect backoff (up to 1 s) and fails every call fast meanwhile, so a PD
   * back from an outage would stay unreachable for that long. Discovery is where every failed PD
   * call ends up, so the next round dials afresh. Calls still in flight get one RPC timeout.
   */
  private retire(url: string, c: RpcClient): void {
    if (this.clients.get(url) !== c) return;
    this.clients.delete(url);
    this.retired.add(c);
    setTimeout(() => {
      this.retired.delete(c);
      c.close();
    }, this.opts.timeoutMs).unref();
  }

  private client(url: string): RpcClient {
    if (this.closed) throw new Error('PD client closed');
    let c = this.clients.get(url);
    if (!c) {
      c = new RpcClient(url, this.opts.protos.pd, { maxMessageBytes: this.opts.maxMessageBytes });
      this.clients.set(url, c);
    }
    return c;
  }
}

/** metapb.StoreState.Tombstone. */
const STORE_TOMBSTONE = 2;
/**
 * A header error about the member that answered (a follower, another cluster, not bootstrapped;
 * PD 8 reports validateRequest failures in the header as UNKNOWN "rpc error: ... not leader"),
 * as opposed to an answer about the request (store not found = UNKNOWN, STORE_TOMBSTONE = 3).
 */
function isMemberError(e: { type?: number; message?: string }): boolean {
  return e.type === 2 /* NOT_BOOTSTRAPPED */ || /not leader|mismatch cluster id|not bootstrapped/i.test(e.message ?? '');
}

function toPdRegion(r: { region?: WRegion; leader?: WPeer } | undefined): PdRegion | undefined {
  if (!r?.region) return undefined;
  const leader = r.leader && r.leader.id && r.leader.id !== '0' ? peerFromWire(r.leader) : undefined;
  return { region: regionFromWire(r.region), leader };
}
