import { randomBytes } from 'node:crypto';
import { isServiceError } from '@massive/contracts';
import { parseChunkId } from '../src/fid';
import { SeaweedFsChunkStore } from '../src/seaweedfs-chunk-store';
import { startSeaweedHarness, type SeaweedHarness } from './harness';

// SeaweedFsChunkStore against the fake's fault injection: replicas dying before and during reads,
// volumes turning read-only or losing a replica mid-upload, expired JWTs, assign outages, master
// failover, GC idempotence, data loss. Every test ends by checking nothing leaked.

let h: SeaweedHarness;
let n = 0;
const intent = (): string => `faults-${n++}`;
afterEach(async () => h?.close());

async function put(data: Buffer, intentId = intent(), seq = 0): Promise<string> {
  const id = await h.store.allocate(intentId, seq, data.length);
  return (await h.store.put(id, [data])) || id;
}

const holdersOf = (id: string): number[] => h.fake.volumeOf(parseChunkId(id).fid)!.holders;
const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
  const m = (await h.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? []).filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((s, v) => s + v.value, 0);
};
async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  return isServiceError(e) ? e.code : `not a ServiceError: ${String(e)}`;
}
/** Lets best-effort background deletes land. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 100));
const live = (): string[] => h.fake.liveNeedles().map((x) => `sw1:${x.fid}`).sort();

describe('reads with replicas failing', () => {
  it.each([true, false])('fail over when a replica is killed before the read (master notices: %s)', async (unregister) => {
    h = await startSeaweedHarness();
    const data = randomBytes(200_000);
    const id = await put(data);
    const [a, b] = holdersOf(id);
    expect(h.fake.liveNeedles()[0].servers.sort()).toEqual([a, b].sort());
    await h.store.read(id, { offset: 0, length: 1 }); // warm the location cache
    await h.fake.kill(a, { unregister });
    expect((await h.store.read(id)).equals(data)).toBe(true);
    expect((await h.store.read(id, { offset: 70_000, length: 100_000 })).equals(data.subarray(70_000, 170_000))).toBe(true);
    await h.fake.revive(a);
    await h.fake.kill(b, { unregister });
    expect((await h.store.read(id)).equals(data)).toBe(true);
    expect(await metric('seaweedfs_failovers_total', { operation: 'read' })).toBeGreaterThan(0);
  });

  it('keeps serving every read while a replica dies in the middle of a burst', async () => {
    h = await startSeaweedHarness();
    const data = randomBytes(400_000);
    const id = await put(data);
    const [a] = holdersOf(id);
    h.fake.delay({ server: a }, 30);
    const reads = Array.from({ length: 40 }, (_, k) => {
      const off = (k * 9973) % 390_000;
      return h.store.read(id, { offset: off, length: 10_000 }).then((b) => b.equals(data.subarray(off, off + 10_000)));
    });
    await new Promise((r) => setTimeout(r, 10));
    await h.fake.kill(a, { unregister: false });
    expect(await Promise.all(reads)).toEqual(reads.map(() => true));
  });

  it('re-looks-up once after every cached location failed, and reads from where the volume is now', async () => {
    h = await startSeaweedHarness({ servers: 2 }, { replication: '000' });
    const data = randomBytes(1000);
    const id = await put(data);
    await h.store.read(id); // cached: the one holder
    const vid = parseChunkId(id).volumeId;
    const [a] = holdersOf(id);
    const b = 1 - a;
    // The volume moves to the other server (as volume.move does) and the old one goes away.
    h.fake.servers[b].needles.set(vid, h.fake.servers[a].needles.get(vid)!);
    h.fake.volumes.get(vid)!.holders.splice(0, 1, b);
    await h.fake.kill(a);
    expect((await h.store.read(id)).equals(data)).toBe(true);
    expect(h.fake.requestLog().filter((r) => r.url.startsWith('/dir/lookup')).length).toBe(2);
  });

  it('does not retry the same dead location after a relookup that changed nothing', async () => {
    h = await startSeaweedHarness({ servers: 2 }, { replication: '000' });
    const id = await put(randomBytes(10));
    h.fake.drop({ server: holdersOf(id)[0] }, 'GET', 1);
    expect(await codeOf(h.store.read(id))).toBe('Unavailable');
    expect((await h.store.read(id)).length).toBe(10);
  });

  it('merges concurrent cache misses for one volume into one lookup', async () => {
    h = await startSeaweedHarness({ servers: 2 }, { replication: '000' });
    h.fake.grow('', '000');
    const id = await put(randomBytes(100));
    const fresh = new (h.store.constructor as typeof import('../src/seaweedfs-chunk-store').SeaweedFsChunkStore)({
      masters: h.fake.masterUrls,
      intentLog: h.log,
    });
    try {
      const before = h.fake.requestLog().filter((r) => r.url.startsWith('/dir/lookup')).length;
      await Promise.all(Array.from({ length: 10 }, () => fresh.read(id)));
      expect(h.fake.requestLog().filter((r) => r.url.startsWith('/dir/lookup')).length - before).toBe(1);
    } finally {
      fresh.close();
    }
  });

  it('uses a replica with good bytes when one copy is corrupt, and fails DataCorrupted only when all are', async () => {
    h = await startSeaweedHarness();
    const data = randomBytes(5000);
    const id = await put(data);
    const [a, b] = holdersOf(id);
    const fid = parseChunkId(id).fid;
    h.fake.corrupt(a, fid, (x) => Buffer.concat([x.subarray(0, 10), Buffer.from([x[10] ^ 1]), x.subarray(11)]));
    expect((await h.store.read(id)).equals(data)).toBe(true);
    h.fake.corrupt(b, fid, (x) => x.subarray(0, 100));
    expect(await codeOf(h.store.read(id))).toBe('DataCorrupted');
  });

  it('calls a chunk missing on every replica data loss (DataCorrupted + metric), and unreachable replicas Unavailable', async () => {
    h = await startSeaweedHarness();
    const id = await put(randomBytes(10));
    const lost = id.replace(/[0-9a-f]{8}$/, (c) => ((parseInt(c, 16) ^ 1) >>> 0).toString(16).padStart(8, '0')); // wrong cookie: 404
    expect(await codeOf(h.store.read(lost))).toBe('DataCorrupted');
    expect(await metric('seaweedfs_chunks_lost_total')).toBe(1);
    for (const i of holdersOf(id)) await h.fake.kill(i, { unregister: false });
    expect(await codeOf(h.store.read(id))).toBe('Unavailable');
    expect(await metric('seaweedfs_chunks_lost_total')).toBe(1);
  });
});

describe('uploads with faults', () => {
  it('re-assigns when the volume turns read-only between assign and upload, and leaks nothing', async () => {
    h = await startSeaweedHarness();
    const i = intent();
    const data = randomBytes(3000);
    const first = await h.store.allocate(i, 0, data.length);
    h.fake.setReadOnly(parseChunkId(first).volumeId);
    const final = await h.store.put(first, [data]);
    expect(final).not.toBe(first);
    expect(h.log.recorded.get(i)).toEqual([first, final]); // both recorded, each before its upload
    expect((await h.store.read(final)).equals(data)).toBe(true);
    await settle();
    expect(live()).toEqual([final]);
    expect(await metric('seaweedfs_reassigns_total')).toBe(1);
  });

  it('deletes the primary copy and re-assigns when a replica dies mid-upload', async () => {
    h = await startSeaweedHarness();
    const i = intent();
    const data = randomBytes(3000);
    const first = await h.store.allocate(i, 0, data.length);
    const [, replica] = holdersOf(first);
    await h.fake.kill(replica, { unregister: false }); // the master has not noticed yet
    const final = (await h.store.put(first, [data])) as string;
    expect(final).not.toBe(first);
    expect(holdersOf(final)).not.toContain(replica); // the new volume has no dead holder
    await h.fake.revive(replica);
    await settle();
    expect(live()).toEqual([final]);
    expect((await h.store.read(final)).equals(data)).toBe(true);
  });

  it('re-assigns after an upload times out on a hung volume server', async () => {
    h = await startSeaweedHarness({}, { requestTimeoutMs: 300 });
    const i = intent();
    const data = randomBytes(1000);
    const first = await h.store.allocate(i, 0, data.length);
    // Whichever server the assign named, the PUT of that fid gets no answer at all.
    for (const s of [0, 1, 2]) h.fake.hang({ server: s }, 1, 'PUT', `/${parseChunkId(first).fid}`);
    const final = (await h.store.put(first, [data])) as string;
    expect(final).not.toBe(first);
    expect((await h.store.read(final)).equals(data)).toBe(true);
    expect(await metric('seaweedfs_errors_total', { operation: 'upload', kind: 'timeout' })).toBeGreaterThanOrEqual(1);
  });

  it('stops assigning a full volume but still takes uploads to fids it already handed out', async () => {
    h = await startSeaweedHarness();
    const i = intent();
    const early = await h.store.allocate(i, 0, 10);
    const vid = parseChunkId(early).volumeId;
    h.fake.fillVolume(vid);
    const later = await put(randomBytes(10), i, 1);
    expect(parseChunkId(later).volumeId).not.toBe(vid);
    expect(await h.store.put(early, [Buffer.from('0123456789')])).toBe(early);
    expect((await h.store.read(early)).toString()).toBe('0123456789');
  });

  it('re-assigns on an expired JWT (401) and on dropped connections', async () => {
    h = await startSeaweedHarness({ signingKey: 'k' });
    const data = randomBytes(100);
    for (const s of [0, 1, 2]) h.fake.failNext({ server: s }, 'PUT', 401, 'wrong jwt', 1);
    const a = await put(data);
    expect((await h.store.read(a)).equals(data)).toBe(true);
    h.fake.clearFaults();
    for (const s of [0, 1, 2]) h.fake.drop({ server: s }, 'PUT', 1);
    const b = await put(data);
    expect((await h.store.read(b)).equals(data)).toBe(true);
    await settle();
    expect(live()).toEqual([a, b].sort());
  });

  it('gives up with Unavailable after the attempt budget, leaving no needle behind', async () => {
    h = await startSeaweedHarness();
    for (const s of [0, 1, 2]) h.fake.failNext({ server: s }, 'PUT', 500, 'failed to write to replicas for volume 1: boom', 10);
    expect(await codeOf(put(randomBytes(100)))).toBe('Unavailable');
    await settle();
    expect(live()).toEqual([]);
  });

  it('fails the allocation (and uploads nothing) when the intent log refuses the fid', async () => {
    h = await startSeaweedHarness();
    h.log.failWith = new Error('intent expired');
    await expect(h.store.allocate(intent(), 0, 10)).rejects.toThrow('intent expired');
    expect(h.fake.requestLog().some((r) => r.method === 'PUT')).toBe(false);
  });
});

describe('masters', () => {
  it('maps an assign outage to Unavailable within the budget, and 406 (no space) at once', async () => {
    h = await startSeaweedHarness({}, { assignBudgetMs: 600 });
    h.fake.failNext({ master: 0 }, 'GET', 503, 'no writable volumes for collection: replication:001 ttl:, volume growth in progress', 1000, '/dir/assign');
    const t0 = Date.now();
    expect(await codeOf(h.store.allocate(intent(), 0, 10))).toBe('Unavailable');
    expect(Date.now() - t0).toBeLessThan(3000);
    h.fake.clearFaults();
    await h.fake.killMaster(0);
    expect(await codeOf(h.store.allocate(intent(), 0, 10))).toBe('Unavailable');
    await h.fake.reviveMaster(0);
    h.fake.setLeader(0);
    expect(await h.store.allocate(intent(), 0, 10)).toMatch(/^sw1:/); // recovers
  });

  it('answers 406 from a cluster that cannot place the replication as Unavailable', async () => {
    h = await startSeaweedHarness({ servers: 1 }, { replication: '001' });
    const t0 = Date.now();
    expect(await codeOf(h.store.allocate(intent(), 0, 10))).toBe('Unavailable');
    expect(Date.now() - t0).toBeLessThan(500); // no retrying a permanent condition
  });

  it('waits out a warming-up master and a volume growth in progress (503 + Retry-After)', async () => {
    h = await startSeaweedHarness({ growDelayMs: 300 }, { assignBudgetMs: 5000 });
    h.fake.setWarmingUp(300);
    const id = await put(randomBytes(10));
    expect(id).toMatch(/^sw1:/);
    expect(h.fake.requestLog().filter((r) => r.url.startsWith('/dir/assign') && r.status === 503).length).toBeGreaterThanOrEqual(1);
  });

  it('works through a follower (assign forwarded to the leader) and survives the leader dying', async () => {
    h = await startSeaweedHarness({ masters: 3 });
    h.fake.setLeader(1);
    const a = await put(randomBytes(10));
    await h.fake.killMaster(1);
    const b = await put(randomBytes(10));
    expect((await h.store.read(b)).length).toBe(10);
    expect((await h.store.read(a)).length).toBe(10);
    expect(await h.store.reachable()).toBe(true);
  });
});

describe('any store instance (blob replica)', () => {
  it('reads and deletes chunks another instance wrote: the id carries the fid', async () => {
    h = await startSeaweedHarness();
    const data = randomBytes(70_000);
    const id = await put(data);
    const other = new SeaweedFsChunkStore({ masters: [...h.fake.masterUrls].reverse(), intentLog: h.log });
    try {
      expect((await other.read(id, { offset: 65_000, length: 5000 })).equals(data.subarray(65_000, 70_000))).toBe(true);
      await other.deleteMany([id, await put(randomBytes(5))]);
      expect(live()).toEqual([]);
    } finally {
      other.close();
    }
  });

  it('reports readiness from the masters', async () => {
    h = await startSeaweedHarness({ masters: 2 });
    expect(await h.store.reachable()).toBe(true);
    await h.fake.killMaster(0);
    expect(await h.store.reachable()).toBe(true);
    await h.fake.killMaster(1);
    expect(await h.store.reachable()).toBe(false);
  });
});

describe('deletes', () => {
  it('in batches: grouped per volume, every id tried, a failure rejects after the rest are done', async () => {
    h = await startSeaweedHarness({ servers: 4 });
    for (let v = 0; v < 3; v++) h.fake.grow('', '001');
    const ids = await Promise.all(Array.from({ length: 12 }, (_, k) => put(randomBytes(100), intent(), k)));
    expect(new Set(ids.map((id) => parseChunkId(id).volumeId)).size).toBeGreaterThan(1);
    const stuck = ids[0];
    h.fake.setReadOnly(parseChunkId(stuck).volumeId);
    const stuckVolume = ids.filter((id) => parseChunkId(id).volumeId === parseChunkId(stuck).volumeId);
    expect(await codeOf(h.store.deleteMany(ids))).toBe('Unavailable');
    expect(live()).toEqual([...stuckVolume].sort());
    h.fake.setReadOnly(parseChunkId(stuck).volumeId, false);
    await h.store.deleteMany(ids);
    expect(live()).toEqual([]);
  });


  it('are idempotent: 202 then 404 both done, and a volume that is gone counts as deleted', async () => {
    h = await startSeaweedHarness();
    const id = await put(randomBytes(10));
    await h.store.delete(id);
    await h.store.delete(id);
    expect(live()).toEqual([]);
    await h.store.delete('sw1:999,0a0b0c0d0e'); // no such volume
    expect(await metric('seaweedfs_deletes_total', { result: 'absent' })).toBe(2);
  });

  it('upload with fsync=true, to every replica: a 201 means the needle is on disk, not in a page cache', async () => {
    h = await startSeaweedHarness();
    await put(randomBytes(10));
    const puts = h.fake.requestLog().filter((r) => r.method === 'PUT' && r.target.startsWith('server'));
    expect(puts.length).toBeGreaterThanOrEqual(2); // the primary and its replica (replication 001)
    for (const r of puts) expect(new URL(r.url, 'http://x').searchParams.get('fsync')).toBe('true');
  });

  it('reach a copy that only a replica holds (a crash cut the write between primary and replica)', async () => {
    h = await startSeaweedHarness();
    for (let holder = 0; holder < 2; holder++) {
      const id = await put(randomBytes(10));
      const fid = id.slice('sw1:'.length);
      const servers = h.fake.liveNeedles().find((n) => n.fid === fid)!.servers;
      expect(servers).toHaveLength(2);
      h.fake.forget(servers[holder], fid); // whichever one the client asks first, it may be the one without it
      await h.store.delete(id);
      expect(live()).toEqual([]);
    }
  });

  it('retry a 500 with backoff and finish the replicas the failed attempt left', async () => {
    h = await startSeaweedHarness();
    const id = await put(randomBytes(10));
    h.fake.setReadOnly(parseChunkId(id).volumeId);
    setTimeout(() => h.fake.setReadOnly(parseChunkId(id).volumeId, false), 150);
    await h.store.delete(id);
    expect(live()).toEqual([]);
  });

  it('reject with Unavailable when every attempt fails (the GC queue keeps the entry)', async () => {
    h = await startSeaweedHarness({}, { deleteAttempts: 2 });
    const id = await put(randomBytes(10));
    h.fake.setReadOnly(parseChunkId(id).volumeId);
    expect(await codeOf(h.store.delete(id))).toBe('Unavailable');
    h.fake.setReadOnly(parseChunkId(id).volumeId, false);
    await h.store.delete(id);
    expect(live()).toEqual([]);
  });
});
