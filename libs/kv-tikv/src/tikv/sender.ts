import * as grpc from '@grpc/grpc-js';
import { KvStoreFullError, KvUnavailableError } from '@massive/kv';
import type { Backoffer } from '../backoff';
import { isGrpcError } from '../grpc/rpc';
import type { DiskFullOptCode, RegionError, TikvMethod, TikvResponse, WContext } from '../grpc/wire';
import type { TikvMetrics } from '../metrics';
import { toU64 } from '../pd/timestamp';
import { regionFromWire, withLeaderFromWire } from '../region-cache/convert';
import { describeRegion, type RegionInfo } from '../region-cache/region';
import type { KeyGroup } from '../region-cache/region-cache';
import { REGION_ERROR_KINDS, type RegionErrorKind } from './region-error-kinds';
import type { RegionRouter } from './router';

/** `ok: false`: the region changed (cache updated, backoff taken): locate and split again. */
export type SendOutcome<R> = { readonly ok: true; readonly resp: R } | { readonly ok: false };

export interface SendOptions {
  /**
   * Called when a request may have been applied although no success came back: a gRPC error
   * (the reply may be lost), or StaleCommand / RegionNotFound / UndeterminedResult, which TiKV can
   * send after a proposal was applied (leader change, region moved away). Writes whose outcome
   * matters (the primary commit) must then not be reported as "not done".
   */
  readonly onMaybeApplied?: (why: string, via: 'transport' | 'region') => void;
  /** Context.disk_full_opt of a write (unset: NotAllowedOnFull). Reads need none. */
  readonly diskFullOpt?: DiskFullOptCode;
}

/**
 * The reply would exceed a gRPC message limit (TiKV's `server.max-grpc-send-msg-len`, 10 MiB by
 * default): resending the same request fails the same way, so the caller must ask for less.
 */
export class ReplyTooLargeError extends Error {
  override readonly name = 'ReplyTooLargeError';
}

const TOO_LARGE = /larger than max|message too large|exceeds? .*max/i;

/**
 * Region errors that may follow an applied proposal. Not DiskFull: TiKV checks the disk before it
 * proposes (raftstore `check_proposal_with_disk_full_opt`), so a DiskFull write was never applied.
 */
const MAYBE_APPLIED = new Set(['stale_command', 'region_not_found', 'undetermined_result']);

/**
 * Sends one request to one region's leader with a proper Context, and handles region errors the
 * client-go way (`region_request.go onRegionError`): NotLeader moves the leader, EpochNotMatch
 * adopts the current regions, RegionNotFound / KeyNotInRegion / StoreNotMatch invalidate and back
 * off, ServerIsBusy / StaleCommand back off, DiskFull fails (see `onDiskFull`). Every backoff
 * draws on the caller's budget.
 */
export class TikvSender {
  constructor(
    readonly router: RegionRouter,
    private readonly metrics: TikvMetrics,
    private readonly rpcTimeoutMs: number,
  ) {}

  async send<R extends TikvResponse>(
    bo: Backoffer,
    region: RegionInfo,
    method: TikvMethod,
    body: object,
    opts: SendOptions = {},
  ): Promise<SendOutcome<R>> {
    const client = await this.router.storeClient(region.leader.storeId);
    if (!client) {
      // PD no longer knows the leader's store (scaled in): relocate the region, PD names a live peer.
      this.router.onStoreFailure(region.leader.storeId);
      this.router.cache.invalidate(region.id);
      await bo.backoff('regionMiss', new Error(`${method}: PD does not know store ${region.leader.storeId} of ${describeRegion(region)}`));
      return { ok: false };
    }
    const context: WContext = {
      region_id: toU64(region.id),
      region_epoch: { conf_ver: toU64(region.epoch.confVer), version: toU64(region.epoch.version) },
      peer: { id: toU64(region.leader.id), store_id: toU64(region.leader.storeId) },
      ...(opts.diskFullOpt ? { disk_full_opt: opts.diskFullOpt } : {}),
    };
    let resp: R;
    const stop = this.metrics.rpcDuration.startTimer({ method });
    try {
      resp = await client.unary<R>(method, { context, ...body }, this.rpcTimeoutMs);
    } catch (err) {
      if (!isGrpcError(err)) throw err;
      if (err.code === grpc.status.RESOURCE_EXHAUSTED && TOO_LARGE.test(err.message)) {
        throw new ReplyTooLargeError(`${method} to store ${region.leader.storeId}: ${err.message}`);
      }
      const e = new Error(`${method} to store ${region.leader.storeId}: ${err.message}`);
      opts.onMaybeApplied?.(e.message, 'transport');
      if (err.code === grpc.status.DEADLINE_EXCEEDED) {
        // A slow answer says nothing about the store's other regions: reload only this one.
        this.router.cache.invalidate(region.id);
      } else {
        // Unreachable or connection lost: every region led from there needs a new leader.
        this.router.onStoreFailure(region.leader.storeId, err.code === grpc.status.UNAVAILABLE);
      }
      await bo.backoff('tikvRpc', e);
      return { ok: false };
    } finally {
      stop();
    }
    if (resp.region_error == null) return { ok: true, resp };
    const kind = regionErrorKind(resp.region_error);
    if (MAYBE_APPLIED.has(kind)) opts.onMaybeApplied?.(`${method}: ${kind} (${resp.region_error.message ?? ''})`, 'region');
    await this.onRegionError(bo, region, method, resp.region_error);
    return { ok: false };
  }

  /** Sends to the region of `key`, relocating after region errors, until a reply comes. */
  async onKey<R extends TikvResponse>(
    bo: Backoffer,
    key: Buffer,
    method: TikvMethod,
    body: (region: RegionInfo) => object,
    opts?: SendOptions,
  ): Promise<{ region: RegionInfo; resp: R }> {
    for (;;) {
      const region = await this.router.locateKey(bo, key);
      const out = await this.send<R>(bo, region, method, body(region), opts);
      if (out.ok) return { region, resp: out.resp };
    }
  }

  /**
   * Sends `keys` grouped by region, in parallel; a group that meets a region error is split again
   * against the refreshed cache and resent. Returns one reply per final group.
   */
  async onKeys<R extends TikvResponse>(
    bo: Backoffer,
    keys: readonly Buffer[],
    method: TikvMethod,
    body: (region: RegionInfo, keys: Buffer[]) => object,
    opts?: SendOptions,
  ): Promise<(KeyGroup & { resp: R })[]> {
    if (keys.length === 0) return [];
    const groups = (await this.router.groupByRegion(bo, keys)).flatMap((g) => chunk(g, MAX_KEYS_PER_REQUEST));
    // Each parallel group backs off on its own copy of the budget (client-go forks per batch).
    const parts = await Promise.all(
      groups.map(async (g) => {
        const gbo = groups.length > 1 ? bo.branch() : bo;
        const out = await this.send<R>(gbo, g.region, method, body(g.region, g.keys), opts);
        return out.ok ? [{ ...g, resp: out.resp }] : this.onKeys<R>(gbo, g.keys, method, body, opts);
      }),
    );
    return parts.flat();
  }

  private async onRegionError(bo: Backoffer, region: RegionInfo, method: TikvMethod, e: RegionError): Promise<void> {
    const cache = this.router.cache;
    const what = new Error(`${method} on ${describeRegion(region)}: ${e.message ?? 'region error'}`);
    const kind = regionErrorKind(e);
    this.metrics.regionErrors.inc({ kind });
    switch (kind) {
      case 'not_leader': {
        const leader = e.not_leader?.leader;
        const moved = leader?.store_id && leader.store_id !== toU64(region.leader.storeId);
        if (moved && cache.updateLeader(region.id, { id: BigInt(leader.id ?? 0), storeId: BigInt(leader.store_id ?? 0) })) {
          return bo.retryFast('regionScheduling', what);
        }
        cache.invalidate(region.id);
        return bo.backoff('regionScheduling', what);
      }
      case 'epoch_not_match': {
        cache.invalidate(region.id);
        const current = e.epoch_not_match?.current_regions ?? [];
        let adopted = 0;
        for (const w of current) {
          const meta = regionFromWire(w);
          // The store that answered is likely still the leader; NotLeader corrects it if not.
          const leader = meta.peers.find((p) => p.storeId === region.leader.storeId) ?? meta.peers[0];
          const r = withLeaderFromWire(meta, leader);
          if (r && cache.insert(r)) adopted++;
        }
        return adopted ? bo.retryFast('regionMiss', what) : bo.backoff('regionMiss', what);
      }
      case 'server_is_busy':
        // TiKV's suggested wait, when it gives one, is a floor under client-go's schedule.
        return bo.backoffAtLeast('serverBusy', what, Number(e.server_is_busy?.backoff_ms ?? 0));
      case 'stale_command':
      case 'undetermined_result':
        return bo.backoff('staleCommand', what);
      case 'store_not_match':
      case 'mismatch_peer_id':
        this.router.onStoreFailure(region.leader.storeId);
        cache.invalidate(region.id);
        return bo.backoff('regionMiss', what);
      case 'raft_entry_too_large':
        // Not retryable: the same write is too large for one raft entry (raft-entry-max-size, 8 MiB).
        throw new Error(
          `${what.message}: the write is larger than TiKV accepts in one raft entry ` +
            `(${e.raft_entry_too_large && 'entry_size' in e.raft_entry_too_large ? String(e.raft_entry_too_large.entry_size) : '?'} bytes; raft-entry-max-size)`,
        );
      case 'disk_full':
        return this.onDiskFull(bo, region, method, e);
      case 'max_timestamp_not_synced':
      case 'read_index_not_ready':
      case 'proposal_in_merging_mode':
      case 'data_is_not_ready':
      case 'region_not_initialized':
        return bo.backoff('regionScheduling', what);
      default:
        cache.invalidate(region.id);
        return bo.backoff('regionMiss', what);
    }
  }

  /**
   * DiskFull: a store of the region is below its reserved space (`storage.reserve-space`) and
   * refused the write before proposing it, so nothing was applied; the region is fine (no cache
   * change). Space does not come back in a backoff's time, so unlike client-go (BoTiKVDiskFull,
   * retried until the 40 s budget is spent) this fails with KvStoreFullError, with ONE exception:
   * when the refusal names only the leader's own store, TiKV moves the leader to a peer with room
   * if a quorum of peers has room (raftstore `pre_transfer_leader` in the same check), and one
   * retry after client-go's first DiskFull step (~500 ms) lands there (NotLeader points to it).
   * A second DiskFull in the same operation, or one naming followers (a quorum is full: TiKV moves
   * nothing), fails at once.
   */
  private async onDiskFull(bo: Backoffer, region: RegionInfo, method: TikvMethod, e: RegionError): Promise<void> {
    const stores = (e.disk_full?.store_id ?? []).map(String);
    const full = new KvStoreFullError(
      `${method} on ${describeRegion(region)}: TiKV store ${stores.join(', ') || '?'} has no room for the write ` +
        `(${e.disk_full?.reason || e.message || 'disk full'})`,
    );
    const onlyLeader = stores.length === 1 && stores[0] === String(region.leader.storeId);
    if (!onlyLeader || bo.sleepsOf('diskFull') > 0) throw full;
    try {
      await bo.backoff('diskFull', full);
    } catch (err) {
      // The budget is spent: still the store's refusal, not an outage.
      throw err instanceof KvUnavailableError ? full : err;
    }
  }
}

/** Keys per commit / rollback / resolve / batch-get request, well below TiKV's raft entry limit. */
const MAX_KEYS_PER_REQUEST = 2048;

function chunk(g: KeyGroup, size: number): KeyGroup[] {
  if (g.keys.length <= size) return [g];
  const out: KeyGroup[] = [];
  for (let i = 0; i < g.keys.length; i += size) out.push({ region: g.region, keys: g.keys.slice(i, i + size) });
  return out;
}

const KINDS = REGION_ERROR_KINDS.filter((k): k is Exclude<RegionErrorKind, 'other'> => k !== 'other');

/** The metric label of a region error: the name of its (first) present variant. */
export function regionErrorKind(e: RegionError): RegionErrorKind {
  return KINDS.find((k) => e[k] != null) ?? 'other';
}
