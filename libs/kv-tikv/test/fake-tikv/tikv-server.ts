/**
 * One fake TiKV store: its own grpc-js server on 127.0.0.1, sharing the cluster's region map and
 * MVCC engine. Every request runs: record -> injected fault -> store delay -> beforeApply hooks ->
 * region check (Context) -> disk check (writes) -> command -> reply (or a lost reply).
 */
import * as grpc from '@grpc/grpc-js';
import { stripDefaults, u64, wire } from './codec';
import { DiskUsages } from './disk';
import { AfterApplyError, FaultPlan, TikvFault, TikvMatch, TikvRequestInfo } from './faults';
import { TikvProtos } from './proto';
import { COMMANDS, CommandEnv, Reply } from './tikv-commands';
import { FakeRegion, RegionTable, keyNotInRegion, leaderOf, notLeader } from './regions';
import { RegionError, TIKV_METHODS, TikvMethod, WireContext } from './types';

export type ApiVersionName = 'V1' | 'V1TTL' | 'V2';

/**
 * TiKV `Storage::check_api_version` for transactional commands: a V1 request (api_version 0) is
 * refused by a V1TTL store (ApiVersionNotMatched), and accepted by a V2 store only for TiDB keys
 * ('m' / 't' prefix; InvalidKeyMode otherwise). TiKV reports both as KeyError.abort (Debug text).
 */
function apiVersionError(store: ApiVersionName, req: unknown): string | undefined {
  const asked = (req as { context?: { api_version?: number } }).context?.api_version ?? 0;
  const storeNum = { V1: 0, V1TTL: 1, V2: 2 }[store];
  if (asked === storeNum && store !== 'V1TTL') return undefined;
  if (store === 'V1' && asked === 0) return undefined;
  if (store === 'V2' && asked === 0) {
    const key = firstKey(req);
    if (key.length > 0 && (key[0] === 0x6d || key[0] === 0x74)) return undefined; // 'm', 't'
    return `InvalidKeyMode { cmd: Get, storage_api_version: V2, key: "${key.toString('hex')}" }`;
  }
  return `ApiVersionNotMatched { storage_api_version: ${store}, req_api_version: ${asked} }`;
}

export type BeforeApplyHook = (info: TikvRequestInfo) => void | Promise<void>;

export interface StoreShared extends CommandEnv {
  readonly regions: RegionTable;
  readonly faults: FaultPlan<TikvRequestInfo, TikvMatch, TikvFault>;
  readonly hooks: Set<BeforeApplyHook>;
  readonly record: (info: TikvRequestInfo) => void;
  readonly apiVersion: ApiVersionName;
  /** server.max-grpc-send-msg-len (TiKV default 10 MiB). */
  readonly maxSendBytes: number;
  /** raftstore.raft-entry-max-size (TiKV default 8 MiB): larger writes get RaftEntryTooLarge. */
  readonly raftEntryMaxBytes: number;
  /** Each store's disk usage (Normal unless set): full stores refuse writes with DiskFull. */
  readonly disk: DiskUsages;
  /** Whether a store is up (a leader moving off a full disk picks a running peer). */
  readonly storeRunning: (storeId: bigint) => boolean;
}

const WRITES = new Set<TikvMethod>(['KvPrewrite', 'KvCommit', 'KvBatchRollback', 'KvResolveLock', 'KvCleanup', 'KvTxnHeartBeat']);

/** Roughly the raft entry a write proposes: its keys and values. */
function entryBytes(req: unknown): number {
  const r = req as { keys?: Buffer[]; mutations?: { key?: Buffer; value?: Buffer }[] };
  return (r.keys ?? []).reduce((n, k) => n + k.length, 0) + (r.mutations ?? []).reduce((n, m) => n + (m.key?.length ?? 0) + (m.value?.length ?? 0), 0);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function unavailable(details: string): Partial<grpc.StatusObject> {
  return { code: grpc.status.UNAVAILABLE, details };
}

/** The region error an injected RegionFault stands for. */
function injectedRegionError(fault: TikvFault, shared: StoreShared, regionId: bigint, req: unknown): RegionError | undefined {
  const region = shared.regions.byId(regionId);
  const missing: RegionError = { message: `region ${regionId} not found (injected)`, region_not_found: { region_id: regionId.toString() } };
  switch (fault.kind) {
    case 'NotLeader': {
      if (!region) return missing;
      if (fault.leaderStoreId === null) return notLeader(region, null);
      const storeId = fault.leaderStoreId === undefined ? region.leaderStoreId : BigInt(fault.leaderStoreId);
      return notLeader(region, region.peers.find((p) => p.storeId === storeId) ?? leaderOf(region));
    }
    case 'EpochNotMatch':
      return region ? shared.regions.epochNotMatch(region) : missing;
    case 'RegionNotFound':
      return missing;
    case 'KeyNotInRegion':
      return region ? keyNotInRegion(firstKey(req), region) : missing;
    case 'ServerIsBusy':
      return { message: 'server is busy (injected)', server_is_busy: { reason: 'injected', backoff_ms: String(fault.backoffMs ?? 0) } };
    case 'StaleCommand':
      return { message: 'stale command (injected)', stale_command: {} };
    case 'UndeterminedResult':
      return { message: 'undetermined result (injected)', undetermined_result: { message: 'injected' } };
    case 'DiskFull': {
      const stores = fault.storeIds?.map((id) => wire(BigInt(id))) ?? (region ? [wire(region.leaderStoreId)] : []);
      const reason = fault.reason ?? 'propose failed: tikv disk full (injected)';
      return { message: reason, disk_full: { store_id: stores, reason } };
    }
    default:
      return undefined;
  }
}

/** The region error that follows an applied write (the request's effects stay). */
function appliedThen(error: AfterApplyError, regionId: bigint): RegionError {
  switch (error) {
    case 'StaleCommand':
      return { message: 'stale command (after apply, injected)', stale_command: {} };
    case 'RegionNotFound':
      return { message: `region ${regionId} not found (after apply, injected)`, region_not_found: { region_id: regionId.toString() } };
    case 'UndeterminedResult':
      return { message: 'undetermined result (after apply, injected)', undetermined_result: { message: 'leader changed' } };
  }
}

function firstKey(req: unknown): Buffer {
  const r = req as { key?: Buffer; keys?: Buffer[]; start_key?: Buffer; primary_key?: Buffer; primary_lock?: Buffer; mutations?: { key?: Buffer }[] };
  return r.key ?? r.keys?.[0] ?? r.mutations?.[0]?.key ?? r.start_key ?? r.primary_key ?? r.primary_lock ?? Buffer.alloc(0);
}

export class FakeStore {
  private server: grpc.Server | undefined;
  /** Extra latency of every request (a slow store). */
  delayMs = 0;
  private readonly hung = new Set<() => void>();

  constructor(
    readonly storeId: bigint,
    private readonly shared: StoreShared,
    private readonly protos: TikvProtos,
    private readonly host: string,
    private port = 0,
  ) {}

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Binds an ephemeral port the first time, the same port on restart (a store keeps its address). */
  async start(): Promise<void> {
    if (this.server) return;
    // TiKV's server.max-grpc-send-msg-len: a reply above it fails with RESOURCE_EXHAUSTED.
    const server = new grpc.Server({ 'grpc.max_send_message_length': this.shared.maxSendBytes });
    const impl: grpc.UntypedServiceImplementation = {};
    for (const m of TIKV_METHODS) {
      impl[m] = (call: grpc.ServerUnaryCall<unknown, Reply>, cb: grpc.sendUnaryData<Reply>) => {
        void this.serve(m, call.request, cb);
      };
    }
    server.addService(this.protos.tikv.service, impl);
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.host}:${this.port}`, grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    this.server = server;
  }

  /** Kills the store: open calls fail, new connections are refused. */
  stop(): void {
    this.server?.forceShutdown();
    this.server = undefined;
    for (const release of this.hung) release();
    this.hung.clear();
  }

  private async serve(method: TikvMethod, req: unknown, cb: grpc.sendUnaryData<Reply>): Promise<void> {
    const ctx = (req as { context?: WireContext }).context;
    const info: TikvRequestInfo = { method, storeId: this.storeId, regionId: u64(ctx?.region_id), request: req };
    const server = this.server;
    const reply = (err: Partial<grpc.StatusObject> | null, res?: Reply): void => {
      if (this.server !== server) return; // the store died meanwhile: the call is already cancelled
      cb(err, res && stripDefaults(res));
    };
    try {
      this.shared.record(info);
      const fault = this.shared.faults.take(info);
      if (fault?.kind === 'Unavailable') return reply(unavailable('fake-tikv: injected unavailable'));
      if (fault?.kind === 'Hang') {
        this.hung.add(() => cb(unavailable('fake-tikv: store stopped')));
        return;
      }
      if (fault?.kind === 'Delay') await sleep(fault.ms);
      if (fault?.kind === 'Abort') {
        const abort = fault.message ?? 'fake-tikv: injected unclassified storage error';
        return reply(null, method === 'KvPrewrite' ? { errors: [{ abort }] } : { error: { abort } });
      }
      const injected = fault ? injectedRegionError(fault, this.shared, info.regionId, req) : undefined;
      if (injected) return reply(null, { region_error: injected });
      if (this.delayMs > 0) await sleep(this.delayMs);
      for (const hook of this.shared.hooks) await hook(info);
      const checked = this.shared.regions.check(ctx, this.storeId);
      if ('error' in checked) return reply(null, { region_error: checked.error });
      const entry = WRITES.has(method) ? entryBytes(req) : 0;
      if (entry > this.shared.raftEntryMaxBytes) {
        return reply(null, {
          region_error: {
            message: `raft entry is too large, region ${info.regionId}, entry size ${entry}`,
            raft_entry_too_large: { region_id: String(info.regionId), entry_size: String(entry) },
          },
        });
      }
      const apiError = apiVersionError(this.shared.apiVersion, req);
      if (apiError) return reply(null, method === 'KvPrewrite' ? { errors: [{ abort: apiError }] } : { error: { abort: apiError } });
      const full = this.shared.disk.check(method, ctx, checked.region, this.shared.storeRunning);
      if (full) {
        if (full.transferTo !== undefined) this.shared.regions.transferLeader(checked.region.id, full.transferTo);
        return reply(null, { region_error: full.error });
      }
      const res = this.execute(method, checked.region, req);
      if (fault?.kind === 'LostReply') return reply(unavailable('fake-tikv: reply lost after apply (injected)'));
      if (fault?.kind === 'AppliedThen') return reply(null, { region_error: appliedThen(fault.error, info.regionId) });
      reply(null, res);
    } catch (e) {
      reply({ code: grpc.status.INTERNAL, details: `fake-tikv: ${(e as Error).message}` });
    }
  }

  private execute(method: TikvMethod, region: FakeRegion, req: unknown): Reply {
    return COMMANDS[method](this.shared, region, req as never);
  }
}
