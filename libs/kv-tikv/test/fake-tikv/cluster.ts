/**
 * FakeCluster: one or more PD members + N TiKV stores, each a grpc-js server on 127.0.0.1, over one
 * in-memory MVCC engine and region map. TEST FAKE: nothing is durable. See README.md for the API.
 */
import { encodeKey, physicalOf, u64 } from './codec';
import { DiskUsage, DiskUsages } from './disk';
import { FaultPlan, FaultRule, PdFault, PdMatch, PdRequestInfo, TikvFault, TikvMatch, TikvRequestInfo, pdMatches, tikvMatches } from './faults';
import { GcStats, GcWorker, ServiceSafePoint, ServiceSafePoints } from './gc';
import { GcRun, MvccLock, MvccStore, MvccWrite, ReadResult } from './mvcc';
import { PdErrorStyle, FakePdMember, PdShared } from './pd-server';
import { Percolator } from './percolator';
import { loadTikvProtos } from './proto';
import { RegionTable, RegionView, view } from './regions';
import { ApiVersionName, BeforeApplyHook, FakeStore, StoreShared } from './tikv-server';
import { FakeClock, FakeTso } from './tso';
import { TxnStep, txnStepMatch } from './txn-steps';
import { Op, PdMethod, TikvMethod } from './types';

export interface FakeClusterOptions {
  /** TiKV stores (default 3); store ids are 1..n. */
  readonly stores?: number;
  /** PD members (default 1); member 0 leads. */
  readonly pdMembers?: number;
  readonly clusterId?: bigint;
  /** Raw keys to split the key space at, on start. */
  readonly splitKeys?: readonly (Buffer | string)[];
  readonly host?: string;
  /** Fixed ports (default: ephemeral), by index. */
  readonly pdPorts?: readonly number[];
  readonly storePorts?: readonly number[];
  /** How a PD follower / wrong cluster id answers unary calls (default 'header', see pd-server.ts). */
  readonly pdErrorStyle?: PdErrorStyle;
  /** Locks met by BatchGet/Scan fail the whole response instead of one pair (a TiKV variant). */
  readonly wholeRequestLockErrors?: boolean;
  readonly clock?: FakeClock;
  /** Keep every decoded TiKV request for `requests()` (default true). */
  readonly recordRequests?: boolean;
  readonly protoDir?: string;
  /** TiKV's `storage.api-version` (+ `enable-ttl`): V1 (default), V1TTL or V2, checked as TiKV's `check_api_version` does. */
  readonly apiVersion?: ApiVersionName;
  /** URLs every PD member advertises BEFORE its own in client_urls (e.g. an internal address the client cannot reach). */
  readonly pdUnreachableClientUrls?: readonly string[];
  /** TiKV's server.max-grpc-send-msg-len (default 10 MiB, as TiKV): larger replies fail RESOURCE_EXHAUSTED. */
  readonly tikvMaxSendBytes?: number;
  /** TiKV's raftstore.raft-entry-max-size (default 8 MiB): larger writes get RaftEntryTooLarge. */
  readonly raftEntryMaxBytes?: number;
  /** GC as soon as PD's safe point advances, before UpdateGCSafePoint answers (default true); false: only `gc()`. */
  readonly autoGc?: boolean;
  /** Called after each GC pass that ran. */
  readonly onGc?: (run: GcRun) => void;
}

export interface InjectLockSpec {
  readonly primary: Buffer | string;
  readonly startTs: bigint;
  readonly ttl?: bigint | number;
  readonly op?: 'Put' | 'Del' | 'Lock';
  readonly value?: Buffer | string;
  readonly minCommitTs?: bigint;
  readonly txnSize?: bigint | number;
}

export interface InjectWriteSpec {
  readonly startTs: bigint;
  readonly commitTs: bigint;
  readonly kind?: MvccWrite['kind'];
  readonly value?: Buffer | string;
}

const buf = (k: Buffer | string): Buffer => (typeof k === 'string' ? Buffer.from(k) : k);

export class FakeCluster {
  readonly clusterId: bigint;
  readonly clock: FakeClock;
  readonly tso: FakeTso;
  readonly mvcc = new MvccStore();
  readonly txn = new Percolator(this.mvcc);
  private readonly gcWorker: GcWorker;
  private readonly services = new ServiceSafePoints();
  readonly regionTable: RegionTable;
  private readonly stores: FakeStore[] = [];
  private readonly pd: FakePdMember[] = [];
  private pdLeader: number | undefined = 0;
  private readonly tikvFaults = new FaultPlan<TikvRequestInfo, TikvMatch, TikvFault>(tikvMatches);
  private readonly pdFaults = new FaultPlan<PdRequestInfo, PdMatch, PdFault>(pdMatches);
  private readonly hooks = new Set<BeforeApplyHook>();
  private readonly log: TikvRequestInfo[] = [];
  private readonly counts = new Map<string, number>();
  private readonly tombstones = new Map<bigint, 'tombstone' | 'forgotten'>();
  private readonly disk = new DiskUsages();
  private readonly storeShared: StoreShared;
  private readonly protos: ReturnType<typeof loadTikvProtos>;

  private constructor(private readonly opts: FakeClusterOptions) {
    this.clusterId = opts.clusterId ?? 7_000_000_000_000_000_001n;
    this.clock = opts.clock ?? new FakeClock();
    this.tso = new FakeTso(this.clock);
    this.gcWorker = new GcWorker(this.mvcc, { auto: opts.autoGc, onRun: opts.onGc });
    const storeIds = Array.from({ length: opts.stores ?? 3 }, (_, i) => BigInt(i + 1));
    this.regionTable = new RegionTable(storeIds);
    for (const k of opts.splitKeys ?? []) this.regionTable.split(buf(k));
    const protos = loadTikvProtos(opts.protoDir);
    this.protos = protos;
    const host = opts.host ?? '127.0.0.1';
    const storeShared: StoreShared = (this.storeShared = {
      txn: this.txn,
      wholeRequestLockErrors: !!opts.wholeRequestLockErrors,
      regions: this.regionTable,
      faults: this.tikvFaults,
      hooks: this.hooks,
      record: (info) => this.recordTikv(info),
      apiVersion: opts.apiVersion ?? 'V1',
      maxSendBytes: opts.tikvMaxSendBytes ?? 10 * 1024 * 1024,
      raftEntryMaxBytes: opts.raftEntryMaxBytes ?? 8 * 1024 * 1024,
      disk: this.disk,
      storeRunning: (id) => !!this.stores.find((s) => s.storeId === id)?.running,
    });
    storeIds.forEach((id, i) => this.stores.push(new FakeStore(id, storeShared, protos, host, opts.storePorts?.[i] ?? 0)));
    const pdShared: PdShared = {
      clusterId: this.clusterId,
      tso: this.tso,
      regions: this.regionTable,
      errorStyle: opts.pdErrorStyle ?? 'header',
      faults: this.pdFaults,
      record: (info) => this.bump(`pd:${info.method}`),
      stores: () =>
        this.stores
          .filter((s) => this.tombstones.get(s.storeId) !== 'forgotten')
          .map((s) => ({ id: s.storeId, address: s.address, tombstone: this.tombstones.has(s.storeId) })),
      members: () => this.pd,
      leaderIndex: () => this.pdLeader,
      gc: this.gcWorker,
      serviceSafePoints: this.services,
      unreachableClientUrls: opts.pdUnreachableClientUrls ?? [],
    };
    for (let i = 0; i < (opts.pdMembers ?? 1); i++) {
      this.pd.push(new FakePdMember(i, BigInt(1000 + i), pdShared, protos, host, opts.pdPorts?.[i] ?? 0));
    }
  }

  static async start(opts: FakeClusterOptions = {}): Promise<FakeCluster> {
    const c = new FakeCluster(opts);
    await Promise.all([...c.stores.map((s) => s.start()), ...c.pd.map((m) => m.start())]);
    return c;
  }

  async stop(): Promise<void> {
    this.stores.forEach((s) => s.stop());
    this.pd.forEach((m) => m.stop());
  }

  // ------------------------------------------------------------------ endpoints

  /** Every PD member's host:port (pass them all to the client). */
  get pdEndpoints(): string[] {
    return this.pd.map((m) => m.endpoint);
  }

  storeIds(): bigint[] {
    return this.stores.map((s) => s.storeId);
  }

  storeAddress(storeId: bigint | number): string {
    return this.store(storeId).address;
  }

  // ------------------------------------------------------------------ regions

  regions(): RegionView[] {
    return this.regionTable.all().map(view);
  }

  regionOf(key: Buffer | string): RegionView {
    return view(this.regionTable.locateRaw(buf(key)));
  }

  /** Splits at each raw key (epoch version bump; right half keeps the id). Returns the regions after. */
  split(...keys: (Buffer | string)[]): RegionView[] {
    for (const k of keys) this.regionTable.split(buf(k));
    return this.regions();
  }

  /** Merges the region holding `key` into its right neighbour. */
  mergeRight(key: Buffer | string): RegionView | undefined {
    const r = this.regionTable.mergeRight(buf(key));
    return r && view(r);
  }

  transferLeader(regionId: bigint | number, storeId: bigint | number): RegionView {
    return view(this.regionTable.transferLeader(BigInt(regionId), BigInt(storeId)));
  }

  /** Moves every region's leader off `storeId` (e.g. before stopping it), round robin over the others. */
  evacuateLeaders(storeId: bigint | number): void {
    const others = this.storeIds().filter((id) => id !== BigInt(storeId));
    this.regionTable.all().forEach((r, i) => {
      if (r.leaderStoreId === BigInt(storeId)) this.regionTable.transferLeader(r.id, others[i % others.length]);
    });
  }

  /** PD keeps answering from the region map as it is now, while TiKV moves on (real PD lags). */
  setPdStale(stale: boolean): void {
    this.regionTable.freezePd(stale);
  }

  // ------------------------------------------------------------------ processes

  stopStore(storeId: bigint | number): void {
    this.store(storeId).stop();
  }

  /** Scale out: a new store (next id) that PD knows; it holds no peer until `movePeer` puts one there. */
  async addStore(): Promise<bigint> {
    const id = this.stores.reduce((m, s) => (s.storeId > m ? s.storeId : m), 0n) + 1n;
    const store = new FakeStore(id, this.storeShared, this.protos, this.opts.host ?? '127.0.0.1');
    await store.start();
    this.stores.push(store);
    return id;
  }

  /** Conf change: region's peer on `from` moves to `to` (new peer id, conf_ver + 1; a leader there moves along). */
  movePeer(regionId: bigint | number, from: bigint | number, to: bigint | number | undefined): RegionView {
    return view(this.regionTable.movePeer(BigInt(regionId), BigInt(from), to === undefined ? undefined : BigInt(to)));
  }

  /** Scale in: peers move to other live stores, the store stops, PD reports it Tombstone (or, with `forget`, unknown). */
  removeStore(storeId: bigint | number, opts: { forget?: boolean } = {}): void {
    const id = BigInt(storeId);
    const live = this.stores.filter((s) => s.storeId !== id && !this.tombstones.has(s.storeId)).map((s) => s.storeId);
    for (const r of this.regionTable.all()) {
      if (!r.peers.some((p) => p.storeId === id)) continue;
      const target = live.find((t) => !r.peers.some((p) => p.storeId === t));
      this.regionTable.movePeer(r.id, id, target);
    }
    this.store(id).stop();
    this.tombstones.set(id, opts.forget ? 'forgotten' : 'tombstone');
  }

  async restartStore(storeId: bigint | number): Promise<void> {
    await this.store(storeId).start();
  }

  /** Every request to this store waits `ms` first (0 = none). */
  setStoreDelay(storeId: bigint | number, ms: number): void {
    this.store(storeId).delayMs = ms;
  }

  pdLeaderIndex(): number | undefined {
    return this.pdLeader;
  }

  get pdLeaderEndpoint(): string | undefined {
    return this.pdLeader === undefined ? undefined : this.pd[this.pdLeader].endpoint;
  }

  /** Makes member `index` PD leader (undefined = none); the old leader's Tso streams break, or go `silent` (partitioned). */
  transferPdLeader(index: number | undefined, opts: { oldStreams?: 'break' | 'silent' } = {}): void {
    const old = this.pdLeader;
    this.pdLeader = index;
    if (old === undefined || old === index) return;
    if (opts.oldStreams === 'silent') this.pd[old].silenceTsoStreams();
    else this.pd[old].breakTsoStreams();
  }

  /** Stops a PD member; if it led, the next running member is elected (unless `elect` is false). */
  stopPd(index: number, elect = true): void {
    this.pd[index].stop();
    if (this.pdLeader === index) {
      const next = this.pd.find((m) => m.running);
      this.pdLeader = elect ? next?.index : undefined;
    }
  }

  async restartPd(index: number): Promise<void> {
    await this.pd[index].start();
    if (this.pdLeader === undefined) this.pdLeader = index;
  }

  breakTsoStreams(): void {
    this.pd.forEach((m) => m.breakTsoStreams('fake-pd: stream broken (injected)'));
  }

  // ------------------------------------------------------------------ faults

  /** The next `times` TiKV requests matching `match` get `fault` (Infinity = until cleared). */
  failNext(match: TikvMatch, fault: TikvFault, times = 1): FaultRule<TikvFault> {
    return this.tikvFaults.add(match, fault, times);
  }

  failNextPd(match: PdMatch, fault: PdFault, times = 1): FaultRule<PdFault> {
    return this.pdFaults.add(match, fault, times);
  }

  /**
   * A writer that crashes at a 2PC step: that step's requests never arrive (UNAVAILABLE, not
   * applied) by default, or get `fault` (e.g. LostReply for an undetermined primary commit).
   */
  crashTxnAt(step: TxnStep, opts: { startTs?: bigint; fault?: TikvFault; times?: number } = {}): FaultRule<TikvFault> {
    return this.tikvFaults.add(txnStepMatch(step, this.mvcc, opts.startTs), opts.fault ?? { kind: 'Unavailable' }, opts.times ?? Infinity);
  }

  removeFault(rule: FaultRule<TikvFault> | FaultRule<PdFault>): void {
    this.tikvFaults.remove(rule as FaultRule<TikvFault>);
    this.pdFaults.remove(rule as FaultRule<PdFault>);
  }

  clearFaults(): void {
    this.tikvFaults.clear();
    this.pdFaults.clear();
    this.hooks.clear();
    this.disk.clear();
    this.stores.forEach((s) => (s.delayMs = 0));
  }

  /** Disk usage of `storeIds` (none = all) until changed or `clearFaults`: full stores refuse writes (disk.ts). */
  setDiskUsage(usage: DiskUsage, ...storeIds: (bigint | number)[]): void {
    for (const id of storeIds.length > 0 ? storeIds.map(BigInt) : this.storeIds()) this.disk.set(id, usage);
  }

  /** Runs `hook` (awaited) before each TiKV request is applied, after faults; returns an unsubscribe. */
  beforeApply(hook: BeforeApplyHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  // ------------------------------------------------------------------ clock

  /** Moves the TSO clock forward: locks whose start_ts.physical + ttl falls behind it expire. */
  advanceClock(ms: number): void {
    this.clock.advance(ms);
  }

  /** A fresh timestamp from the fake TSO. */
  timestamp(): bigint {
    return this.tso.next();
  }

  // ------------------------------------------------------------------ MVCC inspection / fabrication

  lockOf(key: Buffer | string): MvccLock | undefined {
    return this.mvcc.lockOf(buf(key));
  }

  locks(): { key: Buffer; lock: MvccLock }[] {
    return this.mvcc.locks();
  }

  /** The write column of `key`, newest first (Put records carry their value). */
  versionsOf(key: Buffer | string): (MvccWrite & { value?: Buffer })[] {
    return this.mvcc.versions(buf(key));
  }

  /** What a snapshot read at `ts` (default: now) would see, ignoring regions. */
  read(key: Buffer | string, ts: bigint = this.tso.next()): ReadResult {
    return this.mvcc.read(buf(key), ts);
  }

  /** Fabricates a prewritten lock (a crashed writer's leftover). */
  injectLock(key: Buffer | string, spec: InjectLockSpec): void {
    const op = spec.op === 'Del' ? Op.Del : spec.op === 'Lock' ? Op.Lock : Op.Put;
    if (op === Op.Put) this.mvcc.putData(buf(key), spec.startTs, buf(spec.value ?? 'v'));
    this.mvcc.putLock(buf(key), {
      primary: buf(spec.primary),
      startTs: spec.startTs,
      ttl: BigInt(spec.ttl ?? 3000),
      op,
      minCommitTs: spec.minCommitTs ?? 0n,
      txnSize: BigInt(spec.txnSize ?? 1),
    });
  }

  /** Fabricates a write record (default: a committed Put of `value`). */
  injectWrite(key: Buffer | string, spec: InjectWriteSpec): void {
    const kind = spec.kind ?? 'Put';
    if (kind === 'Put') this.mvcc.putData(buf(key), spec.startTs, buf(spec.value ?? 'v'));
    this.mvcc.putWrite(buf(key), { startTs: spec.startTs, commitTs: kind === 'Rollback' ? spec.startTs : spec.commitTs, kind });
  }

  // ------------------------------------------------------------------ GC (gc.ts)

  /** PD's GC safe point. */
  get gcSafePoint(): bigint {
    return this.gcWorker.safePoint();
  }

  /** A GC pass at PD's safe point, moved to `safePoint` first if given (never back); undefined if already collected there. */
  gc(safePoint?: bigint): GcRun | undefined {
    return this.gcWorker.run(safePoint);
  }

  /** What GC removed since start / `resetCounters`, and the safe point it last collected at. */
  gcStats(): GcStats {
    return this.gcWorker.stats();
  }

  /** As UpdateServiceGCSafePoint from `serviceId` (e.g. a BR backup holding GC back); returns PD's answer, the smallest live one. */
  setServiceSafePoint(serviceId: string, safePoint: bigint, ttlSeconds: bigint | number): ServiceSafePoint {
    return this.services.update(serviceId, BigInt(ttlSeconds), safePoint, this.pdNowSeconds());
  }

  /** PD's live service safe points (`gc_worker` included once anyone asked), by service id. */
  serviceSafePoints(): ServiceSafePoint[] {
    return this.services.list(this.pdNowSeconds());
  }

  private pdNowSeconds(): bigint {
    return physicalOf(this.tso.next()) / 1000n;
  }

  // ------------------------------------------------------------------ accounting

  /** TiKV requests received (before faults), optionally of one method and store. */
  calls(method?: TikvMethod, storeId?: bigint | number): number {
    return this.counts.get(`tikv:${method ?? '*'}:${storeId ?? '*'}`) ?? 0;
  }

  pdCalls(method?: PdMethod): number {
    return this.counts.get(`pd:${method ?? '*'}`) ?? 0;
  }

  /** Decoded TiKV requests received, oldest first. */
  requests(method?: TikvMethod): TikvRequestInfo[] {
    return method ? this.log.filter((r) => r.method === method) : [...this.log];
  }

  /** Zeroes calls, requests and GC totals (not the safe points). */
  resetCounters(): void {
    this.counts.clear();
    this.log.length = 0;
    this.gcWorker.reset();
  }

  /** The encoded form of a raw key, as PD and region errors carry it. */
  static encodeKey(raw: Buffer | string): Buffer {
    return encodeKey(buf(raw));
  }

  private recordTikv(info: TikvRequestInfo): void {
    for (const m of [info.method, '*']) for (const s of [String(info.storeId), '*']) this.bump(`tikv:${m}:${s}`);
    if (this.opts.recordRequests !== false) this.log.push(info);
  }

  private bump(k: string): void {
    if (k.startsWith('pd:')) this.counts.set('pd:*', (this.counts.get('pd:*') ?? 0) + 1);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  private store(id: bigint | number): FakeStore {
    const s = this.stores.find((x) => x.storeId === u64(BigInt(id)));
    if (!s) throw new Error(`fake-tikv: no store ${id}`);
    return s;
  }
}
