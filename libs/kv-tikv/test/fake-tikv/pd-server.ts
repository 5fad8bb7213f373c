/**
 * Fake PD members, each its own grpc-js server. One member leads; GetMembers works on any member and
 * needs no cluster id. Other calls on a follower, or with a wrong cluster id, fail the way PD's
 * `validateRequest` does: as a gRPC status (PD <= 7.x: UNAVAILABLE "not leader" / FAILED_PRECONDITION)
 * or, in 'header' style, as ResponseHeader.error UNKNOWN (newer PD wraps them so). The Tso stream
 * always ends with a gRPC status. Region keys are ENCODED: PD compares whatever bytes it is sent.
 */
import * as grpc from '@grpc/grpc-js';
import { physicalOf, stripDefaults, u64, wire } from './codec';
import { FaultPlan, PdFault, PdMatch, PdRequestInfo } from './faults';
import { ServiceSafePoints } from './gc';
import { TikvProtos } from './proto';
import { FakeRegion, RegionTable, leaderOf, peerToWire, regionToWire } from './regions';
import { FakeTso } from './tso';
import { PdErrorType, PdMethod } from './types';

export type PdErrorStyle = 'header' | 'status';

export interface PdShared {
  readonly clusterId: bigint;
  readonly tso: FakeTso;
  readonly regions: RegionTable;
  readonly errorStyle: PdErrorStyle;
  readonly faults: FaultPlan<PdRequestInfo, PdMatch, PdFault>;
  readonly record: (info: PdRequestInfo) => void;
  stores(): { id: bigint; address: string; tombstone?: boolean }[];
  members(): FakePdMember[];
  leaderIndex(): number | undefined;
  /** The GC safe point (GetGCSafePoint) and UpdateGCSafePoint, which may set TiKV's GC going (gc.ts). */
  readonly gc: { safePoint(): bigint; update(safePoint: bigint): bigint };
  readonly serviceSafePoints: ServiceSafePoints;
  /** Listed before each member's own URL in client_urls (addresses that do not route from the client). */
  readonly unreachableClientUrls: readonly string[];
}

type Req = { header?: { cluster_id?: string } } & Record<string, unknown>;
type Res = Record<string, unknown>;
type Unary = (req: Req) => Res;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class FakePdMember {
  private server: grpc.Server | undefined;
  private readonly streams = new Set<grpc.ServerDuplexStream<Req, Res>>();
  private readonly silenced = new WeakSet<grpc.ServerDuplexStream<Req, Res>>();
  private readonly hung = new Set<() => void>();

  constructor(
    readonly index: number,
    readonly memberId: bigint,
    private readonly shared: PdShared,
    private readonly protos: TikvProtos,
    private readonly host: string,
    private port = 0,
  ) {}

  get name(): string {
    return `pd-${this.index}`;
  }

  get endpoint(): string {
    return `${this.host}:${this.port}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  toWire(): Res {
    const url = `http://${this.endpoint}`;
    return { name: this.name, member_id: wire(this.memberId), peer_urls: [url], client_urls: [...this.shared.unreachableClientUrls, url] };
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = new grpc.Server();
    const impl: grpc.UntypedServiceImplementation = { Tso: (call: grpc.ServerDuplexStream<Req, Res>) => this.tso(call) };
    const unary: Record<Exclude<PdMethod, 'Tso'>, Unary> = {
      GetMembers: () => this.getMembers(),
      GetRegion: (r) => this.regionReply(this.shared.regions.locateEncoded(bytes(r.region_key), this.view())),
      GetPrevRegion: (r) => this.regionReply(this.prevRegion(bytes(r.region_key))),
      GetRegionByID: (r) => this.regionReply(this.view().find((x) => x.id === u64(r.region_id as string))),
      ScanRegions: (r) => this.scanRegions(bytes(r.start_key), bytes(r.end_key), Number(r.limit ?? 0)),
      GetStore: (r) => this.getStore(u64(r.store_id as string)),
      GetAllStores: () => ({ header: this.header(), stores: this.shared.stores().map(storeToWire) }),
      GetGCSafePoint: () => ({ header: this.header(), safe_point: wire(this.shared.gc.safePoint()) }),
      UpdateGCSafePoint: (r) => ({ header: this.header(), new_safe_point: wire(this.shared.gc.update(u64(r.safe_point as string))) }),
      UpdateServiceGCSafePoint: (r) => {
        // PD reads "now" off its own TSO: service TTLs run on the fake clock (advanceClock).
        const now = physicalOf(this.shared.tso.next()) / 1000n;
        const serviceId = bytes(r.service_id).toString();
        const min = this.shared.serviceSafePoints.update(serviceId, BigInt((r.TTL as string | undefined) ?? 0), u64(r.safe_point as string), now);
        return { header: this.header(), service_id: Buffer.from(min.serviceId), TTL: wire(min.expiredAt - now), min_safe_point: wire(min.safePoint) };
      },
    };
    for (const [name, fn] of Object.entries(unary) as [Exclude<PdMethod, 'Tso'>, Unary][]) {
      impl[name] = (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => void this.serve(name, call.request, fn, cb);
    }
    server.addService(this.protos.pd.service, impl);
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.host}:${this.port}`, grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    this.server = server;
  }

  stop(): void {
    this.server?.forceShutdown();
    this.server = undefined;
    this.streams.clear();
    for (const release of this.hung) release();
    this.hung.clear();
  }

  /**
   * Open Tso streams stop answering, without an error (a partitioned old leader: the client only
   * learns from its own timeout). New streams behave normally.
   */
  silenceTsoStreams(): void {
    for (const s of this.streams) this.silenced.add(s);
  }

  /** Ends every open Tso stream with UNAVAILABLE (e.g. after losing leadership). */
  breakTsoStreams(details = 'not leader'): void {
    for (const s of this.streams) s.emit('error', { code: grpc.status.UNAVAILABLE, details });
    this.streams.clear();
  }

  private isLeader(): boolean {
    return this.shared.leaderIndex() === this.index;
  }

  private header(): Res {
    return { cluster_id: wire(this.shared.clusterId) };
  }

  private view(): readonly FakeRegion[] {
    return this.shared.regions.pdView();
  }

  /** PD's validateRequest: leader first, then cluster id. */
  private validate(req: Req, fault: PdFault | undefined): grpc.StatusObject | undefined {
    if (!this.isLeader() || fault?.kind === 'NotLeader') {
      return { code: grpc.status.UNAVAILABLE, details: 'not leader', metadata: new grpc.Metadata() };
    }
    const got = u64(req.header?.cluster_id);
    if (got !== this.shared.clusterId) {
      const details = `mismatch cluster id, need ${this.shared.clusterId} but got ${got}`;
      return { code: grpc.status.FAILED_PRECONDITION, details, metadata: new grpc.Metadata() };
    }
    return undefined;
  }

  private async serve(method: Exclude<PdMethod, 'Tso'>, req: Req, fn: Unary, cb: grpc.sendUnaryData<Res>): Promise<void> {
    const server = this.server;
    const reply = (err: Partial<grpc.StatusObject> | null, res?: Res): void => {
      if (this.server === server) cb(err, res && stripDefaults(res));
    };
    const info: PdRequestInfo = { method, member: this.index, request: req };
    this.shared.record(info);
    const fault = this.shared.faults.take(info);
    if (fault?.kind === 'Unavailable') return reply({ code: grpc.status.UNAVAILABLE, details: 'fake-pd: injected unavailable' });
    if (fault?.kind === 'Hang') {
      this.hung.add(() => cb({ code: grpc.status.UNAVAILABLE, details: 'fake-pd: member stopped' }));
      return;
    }
    if (fault?.kind === 'Delay') await sleep(fault.ms);
    if (method !== 'GetMembers') {
      const invalid = this.validate(req, fault);
      if (invalid && this.shared.errorStyle === 'status') return reply(invalid);
      if (invalid) {
        return reply(null, { header: { ...this.header(), error: { type: PdErrorType.UNKNOWN, message: `rpc error: code = ${GO_CODE[invalid.code] ?? invalid.code} desc = ${invalid.details}` } } });
      }
    }
    let res: Res;
    try {
      res = fn(req);
    } catch (e) {
      // An error PD itself returns carries its gRPC code; anything else is a fault of the fake.
      const code = (e as { code?: number }).code;
      return reply(code === undefined ? { code: grpc.status.INTERNAL, details: `fake-pd: ${(e as Error).message}` } : { code, details: (e as Error).message });
    }
    if (fault?.kind === 'LostReply') return reply({ code: grpc.status.UNAVAILABLE, details: 'fake-pd: reply lost (injected)' });
    reply(null, res);
  }

  private tso(call: grpc.ServerDuplexStream<Req, Res>): void {
    this.streams.add(call);
    call.on('data', (req: Req) => {
      if (this.silenced.has(call)) return;
      const info: PdRequestInfo = { method: 'Tso', member: this.index, request: req };
      this.shared.record(info);
      const fault = this.shared.faults.take(info);
      const invalid =
        fault?.kind === 'Unavailable' || fault?.kind === 'LostReply'
          ? { code: grpc.status.UNAVAILABLE, details: 'fake-pd: injected unavailable' }
          : this.validate(req, fault);
      if (invalid) {
        this.streams.delete(call);
        call.emit('error', invalid);
        return;
      }
      const count = Number(req.count ?? 0);
      if (count < 1) {
        this.streams.delete(call);
        call.emit('error', { code: grpc.status.UNKNOWN, details: 'tso count should be positive' });
        return;
      }
      const { physical, logical } = this.shared.tso.allocate(count);
      call.write(stripDefaults({ header: this.header(), count, timestamp: { physical: wire(physical), logical: wire(logical) } }));
    });
    call.on('end', () => {
      this.streams.delete(call);
      call.end();
    });
    call.on('error', () => this.streams.delete(call));
  }

  private getMembers(): Res {
    const members = this.shared.members().map((m) => m.toWire());
    const li = this.shared.leaderIndex();
    const leader = li === undefined ? undefined : this.shared.members()[li].toWire();
    return { header: this.header(), members, leader, etcd_leader: leader };
  }

  /** Found: region + leader; not found: a bare header (PD's GetRegion does not flag an error). */
  private regionReply(r: FakeRegion | undefined): Res {
    if (!r) return { header: this.header() };
    return { header: this.header(), region: regionToWire(r), leader: peerToWire(leaderOf(r)) };
  }

  private prevRegion(encKey: Buffer): FakeRegion | undefined {
    const view = this.view();
    const cur = this.shared.regions.locateEncoded(encKey, view);
    return cur && cur.start.length > 0 ? view.find((r) => r.end.equals(cur.start)) : undefined;
  }

  private scanRegions(start: Buffer, end: Buffer, limit: number): Res {
    const hits = this.view().filter(
      (r) => (r.end.length === 0 || Buffer.compare(r.end, start) > 0) && (end.length === 0 || Buffer.compare(r.start, end) < 0),
    );
    const picked = limit > 0 ? hits.slice(0, limit) : hits;
    return {
      header: this.header(),
      region_metas: picked.map(regionToWire),
      leaders: picked.map((r) => peerToWire(leaderOf(r))),
      regions: picked.map((r) => ({ region: regionToWire(r), leader: peerToWire(leaderOf(r)) })),
    };
  }

  private getStore(id: bigint): Res {
    const s = this.shared.stores().find((x) => x.id === id);
    if (!s) return { header: { ...this.header(), error: { type: PdErrorType.UNKNOWN, message: `invalid store ID ${id}, not found` } } };
    return { header: this.header(), store: storeToWire(s) };
  }
}

/** Go's names for the codes PD's validateRequest uses (its header messages quote the Go status). */
const GO_CODE: Partial<Record<number, string>> = { [grpc.status.UNAVAILABLE]: 'Unavailable', [grpc.status.FAILED_PRECONDITION]: 'FailedPrecondition' };

const bytes = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.alloc(0));

const storeToWire = (s: { id: bigint; address: string; tombstone?: boolean }): Res => ({
  id: wire(s.id),
  address: s.address,
  state: s.tombstone ? 2 : 0, // metapb.StoreState.Tombstone after a scale-in
  version: '8.5.0-fake',
  peer_address: s.address,
});
