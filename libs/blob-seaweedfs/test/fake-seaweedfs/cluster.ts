import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyFaults, sameTarget, type FaultRule, type FaultTarget } from './faults';
import { handleMaster, json } from './master';
import { FakeDisk } from './persistence';
import { copiesOf, formatFid, parseFidPath, type LiveNeedle, type LoggedRequest, type Needle, type Proc, type Volume, type VolumeServerState, volumeUsage } from './state';
import { handleVolume } from './volume-server';

export interface FakeSeaweedOptions {
  /** Volume servers. Default 3. */
  readonly servers?: number;
  /** Masters (the first leads). Default 1. */
  readonly masters?: number;
  /** Rack of each server (e.g. ['r1','r1','r2']); default all 'rack1'. */
  readonly racks?: readonly string[];
  readonly volumesPerServer?: number;
  /** Bytes after which a volume stops taking new assigns. Default 30 GiB. */
  readonly volumeSizeLimit?: number;
  /** Largest upload. Default 256 MiB. */
  readonly fileSizeLimit?: number;
  /** `-defaultReplication`. Default '000'. */
  readonly defaultReplication?: string;
  /** `[jwt.signing] key`: assign hands out write JWTs, PUT/DELETE require them. */
  readonly signingKey?: string;
  /** `[jwt.signing.read] key`: GET requires a read JWT. */
  readonly readSigningKey?: string;
  /** JWT lifetime (`expires_after_seconds`). Default 10. */
  readonly jwtTtlSeconds?: number;
  /** When > 0, growing a volume takes this long and assign answers 503 + Retry-After meanwhile. Default 0. */
  readonly growDelayMs?: number;
  readonly host?: string;
  /** Fixed ports for the masters (standalone use); ephemeral otherwise. */
  readonly masterPorts?: readonly number[];
  /** Keep needles and topology in files here (standalone use across restarts); in memory otherwise. */
  readonly dataDir?: string;
  /** `-garbageThreshold`: the share of a volume copy's bytes that must be deleted before vacuum compacts it. Default 0.3. */
  readonly garbageThreshold?: number;
  /**
   * How often the leader runs its vacuum check (SeaweedFS: every 14-16 min, `topology_event_handling.go`).
   * Default 0: no periodic check, vacuum runs only through `vacuum()` and `/vol/vacuum`.
   */
  readonly vacuumIntervalMs?: number;
}

type Optional = 'racks' | 'signingKey' | 'readSigningKey' | 'masterPorts' | 'dataDir';
type Resolved = Required<Omit<FakeSeaweedOptions, Optional>> & Pick<FakeSeaweedOptions, Optional>;

/**
 * An in-memory SeaweedFS (masters + volume servers over HTTP on loopback) following
 * shared/reference/seaweedfs-protocol.md section 4, with fault injection and leak inspection.
 * TEST FAKE: nothing is durable.
 */
export class FakeSeaweed {
  readonly masters: Proc[] = [];
  readonly servers: VolumeServerState[] = [];
  readonly volumes = new Map<number, Volume>();
  readonly options: Resolved;
  leader = 0;
  maxVolumeId = 0;
  warmUntil = 0;
  growing = false;
  private seq = 0n;
  private readonly rules: FaultRule[] = [];
  private readonly log: LoggedRequest[] = [];
  private vacuumTimer?: NodeJS.Timeout;

  private constructor(o: FakeSeaweedOptions) {
    this.options = {
      servers: o.servers ?? 3,
      masters: o.masters ?? 1,
      racks: o.racks,
      volumesPerServer: o.volumesPerServer ?? 8,
      volumeSizeLimit: o.volumeSizeLimit ?? 30 * 2 ** 30,
      fileSizeLimit: o.fileSizeLimit ?? 256 * 2 ** 20,
      defaultReplication: o.defaultReplication ?? '000',
      signingKey: o.signingKey,
      readSigningKey: o.readSigningKey,
      jwtTtlSeconds: o.jwtTtlSeconds ?? 10,
      growDelayMs: o.growDelayMs ?? 0,
      host: o.host ?? '127.0.0.1',
      masterPorts: o.masterPorts,
      dataDir: o.dataDir,
      garbageThreshold: o.garbageThreshold ?? 0.3,
      vacuumIntervalMs: o.vacuumIntervalMs ?? 0,
    };
    this.disk = o.dataDir ? new FakeDisk(o.dataDir) : undefined;
  }

  /** Files behind the state when `dataDir` is set. */
  readonly disk?: FakeDisk;

  static async start(o: FakeSeaweedOptions = {}): Promise<FakeSeaweed> {
    const c = new FakeSeaweed(o);
    const saved = c.disk?.loadTopology();
    if (saved) {
      c.maxVolumeId = saved.maxVolumeId;
      c.seq = saved.seq;
      for (const v of saved.volumes) c.volumes.set(v.id, v);
    }
    for (let i = 0; i < c.options.masters; i++) {
      const m: Proc = { index: i, hostPort: '', alive: false, sockets: new Set() };
      c.masters.push(m);
      await c.listen(m, { master: i }, c.options.masterPorts?.[i] ?? 0);
    }
    for (let i = 0; i < c.options.servers; i++) {
      const s: VolumeServerState = {
        index: i,
        hostPort: '',
        alive: false,
        sockets: new Set(),
        rack: c.options.racks?.[i] ?? 'rack1',
        dataCenter: 'dc1',
        registered: true,
        needles: new Map(),
      };
      c.servers.push(s);
      c.disk?.loadNeedles(s);
      await c.listen(s, { server: i }, 0);
    }
    if (c.options.vacuumIntervalMs > 0) {
      // Only a leader vacuums (`if t.IsLeader()`); with none alive, the check is skipped.
      c.vacuumTimer = setInterval(() => {
        if (c.masters[c.leader]?.alive) c.vacuum(c.options.garbageThreshold);
      }, c.options.vacuumIntervalMs);
      c.vacuumTimer.unref();
    }
    return c;
  }

  /** The leader's URL (`http://host:port`). */
  get masterUrl(): string {
    return `http://${this.masters[this.leader].hostPort}`;
  }

  get masterUrls(): string[] {
    return this.masters.map((m) => `http://${m.hostPort}`);
  }

  /** Control surface (kill, revive, faults, inspection); the cluster itself. */
  get ctl(): this {
    return this;
  }

  // ---------- topology (used by the handlers) ----------

  writableVolumes(collection: string, replication: string): Volume[] {
    return [...this.volumes.values()].filter(
      (v) =>
        v.collection === collection &&
        v.replication === replication &&
        !v.readOnly &&
        v.size < this.options.volumeSizeLimit &&
        v.holders.every((i) => this.servers[i].alive && this.servers[i].registered),
    );
  }

  canGrow(replication: string): boolean {
    return this.placement(replication) !== undefined;
  }

  /** Grows one volume onto x+y+z+1 distinct live servers (rack-aware); false when impossible. */
  grow(collection: string, replication: string): boolean {
    const holders = this.placement(replication);
    if (!holders) return false;
    const id = ++this.maxVolumeId;
    this.volumes.set(id, { id, collection, replication, holders, readOnly: false, size: 0 });
    for (const i of holders) this.servers[i].needles.set(id, new Map());
    this.saveTopology();
    return true;
  }

  freeSlots(): number {
    return this.servers.reduce((n, s) => n + Math.max(0, this.options.volumesPerServer - this.load(s.index)), 0);
  }

  nextKey(count: number): bigint {
    const key = this.seq + 1n;
    this.seq += BigInt(count);
    this.saveTopology();
    return key;
  }

  saveTopology(): void {
    this.disk?.saveTopology(this.volumes.values(), this.maxVolumeId, this.seq);
  }

  // ---------- control ----------

  /** Stops a volume server (sockets destroyed). `unregister: false` models the window before the master notices. */
  async kill(i: number, { unregister = true } = {}): Promise<void> {
    const s = this.servers[i];
    if (unregister) s.registered = false;
    await this.close(s);
  }

  async revive(i: number): Promise<void> {
    const s = this.servers[i];
    await this.listen(s, { server: i }, Number(s.hostPort.split(':').pop()));
    s.registered = true;
  }

  register(i: number): void {
    this.servers[i].registered = true;
  }

  unregister(i: number): void {
    this.servers[i].registered = false;
  }

  /** Stops a master; if it led, the next live one takes over (as raft would). */
  async killMaster(i: number): Promise<void> {
    await this.close(this.masters[i]);
    if (this.leader === i) {
      const next = this.masters.find((m) => m.alive);
      if (next) this.leader = next.index;
    }
  }

  async reviveMaster(i: number): Promise<void> {
    const m = this.masters[i];
    await this.listen(m, { master: i }, Number(m.hostPort.split(':').pop()));
  }

  setLeader(i: number): void {
    this.leader = i;
  }

  setReadOnly(vid: number, readOnly = true): void {
    this.mustVolume(vid).readOnly = readOnly;
    this.saveTopology();
  }

  /** Marks a volume full: no new assigns land on it (already assigned fids still upload). */
  fillVolume(vid: number): void {
    this.mustVolume(vid).size = this.options.volumeSizeLimit;
  }

  /** The next `n` matching requests answer `status` (with a JSON `{"error": body}` when body is given). */
  failNext(target: FaultTarget, method: string | undefined, status: number, body?: string, n = 1, path?: string): void {
    const text = body === undefined ? '' : JSON.stringify({ error: body });
    this.rules.push({ target, method, path, action: { kind: 'status', status, body: text, ...(status === 503 && { headers: { 'Retry-After': '1' } }) }, remaining: n });
  }

  /** The next `n` matching requests lose their connection without an answer. */
  drop(target: FaultTarget, method?: string, n = 1, path?: string): void {
    this.rules.push({ target, method, path, action: { kind: 'drop' }, remaining: n });
  }

  delay(target: FaultTarget, ms: number, n = Infinity, method?: string): void {
    this.rules.push({ target, method, action: { kind: 'delay', ms }, remaining: n });
  }

  hang(target: FaultTarget, n = Infinity, method?: string, path?: string): void {
    this.rules.push({ target, method, path, action: { kind: 'hang' }, remaining: n });
  }

  clearFaults(target?: FaultTarget): void {
    for (let i = this.rules.length - 1; i >= 0; i--) if (!target || sameTarget(this.rules[i].target, target)) this.rules.splice(i, 1);
  }

  /** Assign and lookup answer 503 + Retry-After for `ms`. */
  setWarmingUp(ms: number): void {
    this.warmUntil = Date.now() + ms;
  }

  /** Changes a stored needle's bytes on one server behind everyone's back. */
  corrupt(i: number, fid: string, damage: (data: Buffer) => Buffer): void {
    const n = this.needle(i, fid);
    if (!n) throw new Error(`server ${i} holds no needle ${fid}`);
    n.data = damage(Buffer.from(n.data));
  }

  /** Removes a needle from one server only: a write that never reached it (a crash mid-replication). */
  forget(i: number, fid: string): void {
    const [vid] = fid.split(',');
    for (const [key, n] of this.servers[i].needles.get(Number(vid)) ?? new Map()) {
      if (formatFid(Number(vid), key, n.cookie) === fid) this.servers[i].needles.get(Number(vid))!.delete(key);
    }
  }

  /**
   * `Topology.Vacuum`: compacts every volume copy on a live server whose garbage ratio (deleted bytes
   * over all the bytes it holds, `garbageLevel`) exceeds `garbageThreshold`. Compaction drops its
   * tombstones and expired needles, so `readDeleted` finds them no more, and the volume shrinks to its
   * largest copy, so a full volume takes assigns again. Live needles stay, orphans included: vacuum
   * cannot tell them apart. With the default threshold 0, any tombstone is garbage enough.
   * Returns how many volume copies were compacted.
   */
  vacuum(garbageThreshold = 0): number {
    const now = Date.now();
    let compacted = 0;
    for (const s of this.servers) {
      if (!s.alive) continue; // its VacuumVolumeCheck fails: the master skips that copy
      for (const m of s.needles.values()) {
        const { bytes, deletes, deletedBytes } = volumeUsage(m);
        // A needle's header and footer make even an empty one take space: a tombstone is never weightless.
        if (deletes === 0 || (bytes > 0 && deletedBytes / bytes <= garbageThreshold)) continue;
        for (const [k, n] of m) if (n.deleted || (n.expiresAt !== undefined && n.expiresAt <= now)) m.delete(k);
        compacted++;
      }
    }
    if (compacted > 0) {
      for (const v of this.volumes.values()) v.size = Math.max(0, ...v.holders.map((i) => volumeUsage(this.servers[i].needles.get(v.id)).bytes));
      this.saveTopology();
    }
    return compacted;
  }

  /** Every undeleted needle, with the servers holding it: what leak assertions look at. */
  liveNeedles(): LiveNeedle[] {
    const out = new Map<string, { fid: string; volumeId: number; servers: number[]; size: number }>();
    for (const s of this.servers) {
      for (const [vid, m] of s.needles) {
        for (const [key, n] of m) {
          if (n.deleted) continue;
          const fid = formatFid(vid, key, n.cookie);
          const e = out.get(fid) ?? { fid, volumeId: vid, servers: [], size: n.data.length };
          e.servers.push(s.index);
          out.set(fid, e);
        }
      }
    }
    return [...out.values()];
  }

  requestLog(): readonly LoggedRequest[] {
    return this.log;
  }

  /** The volume ids holding a fid's needle, and where. */
  volumeOf(fid: string): Volume | undefined {
    return this.volumes.get(Number(fid.split(',')[0]));
  }

  async stop(): Promise<void> {
    clearInterval(this.vacuumTimer);
    await Promise.all([...this.masters, ...this.servers].map((p) => this.close(p)));
  }

  // ---------- internals ----------

  private needle(i: number, fid: string): Needle | undefined {
    const f = parseFidPath(`/${fid}`);
    const n = f ? this.servers[i].needles.get(f.vid)?.get(f.key) : undefined;
    return n && f && n.cookie === f.cookie ? n : undefined;
  }

  private mustVolume(vid: number): Volume {
    const v = this.volumes.get(vid);
    if (!v) throw new Error(`no volume ${vid}`);
    return v;
  }

  private load(i: number): number {
    let n = 0;
    for (const v of this.volumes.values()) if (v.holders.includes(i)) n++;
    return n;
  }

  private placement(replication: string): number[] | undefined {
    const copies = copiesOf(replication);
    const [x, y, z] = [Number(replication[0]), Number(replication[1]), Number(replication[2])];
    const live = this.servers.filter((s) => s.alive && s.registered && this.load(s.index) < this.options.volumesPerServer);
    const shuffled = live.sort(() => Math.random() - 0.5);
    for (const p of shuffled) {
      const sameRack = shuffled.filter((s) => s !== p && s.rack === p.rack && s.dataCenter === p.dataCenter).slice(0, z);
      const otherRack = uniqueBy(shuffled.filter((s) => s.rack !== p.rack && s.dataCenter === p.dataCenter), (s) => s.rack).slice(0, y);
      const otherDc = uniqueBy(shuffled.filter((s) => s.dataCenter !== p.dataCenter), (s) => s.dataCenter).slice(0, x);
      const all = [p, ...sameRack, ...otherRack, ...otherDc];
      if (all.length === copies) return all.map((s) => s.index);
    }
    return undefined;
  }

  private async listen(p: Proc, target: FaultTarget, port: number): Promise<void> {
    const server = createServer((req, res) => void this.dispatch(p, target, req, res));
    server.keepAliveTimeout = 30_000;
    server.on('connection', (sock) => {
      p.sockets.add(sock);
      sock.on('close', () => p.sockets.delete(sock));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host, () => resolve());
    });
    p.server = server;
    p.hostPort = `${this.options.host}:${(server.address() as AddressInfo).port}`;
    p.alive = true;
  }

  private async close(p: Proc): Promise<void> {
    if (!p.server) return;
    p.alive = false;
    const server = p.server;
    p.server = undefined;
    for (const s of p.sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }

  private async dispatch(p: Proc, target: FaultTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry: LoggedRequest = { target: 'master' in target ? `master${target.master}` : `server${target.server}`, method: req.method ?? '', url: req.url ?? '' };
    if (this.log.length > 10_000) this.log.shift();
    this.log.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    try {
      if (await applyFaults(this.rules, target, req, res)) return;
      const url = new URL(req.url ?? '/', 'http://fake');
      if ('master' in target) handleMaster(this, target.master, req, res, url);
      else await handleVolume(this, this.servers[target.server], req, res, url);
    } catch (e) {
      if (!res.headersSent) json(res, 500, { error: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    }
    void p;
  }
}

function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
}
