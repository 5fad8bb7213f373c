import { createHash } from 'node:crypto';
import { signFidJwt } from '../../src/jwt';
import { FakeSeaweed } from './cluster';

// The fake against the wire facts of shared/reference/seaweedfs-protocol.md, spoken to with plain
// fetch (no client of ours), so the store's tests run against SeaweedFS's behaviour, not our guesses.

let fake: FakeSeaweed;
afterEach(async () => fake?.stop());

async function assign(q = ''): Promise<{ fid: string; url: string; jwt?: string; status: number }> {
  const r = await fetch(`${fake.masterUrl}/dir/assign?${q}`);
  const j = (await r.json()) as { fid: string; url: string };
  return { ...j, status: r.status, jwt: r.headers.get('authorization')?.replace(/^Bearer /, '') };
}
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64');
const put = (url: string, fid: string, body: Buffer, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`http://${url}/${fid}`, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream', ...headers } });

describe('fake SeaweedFS master', () => {
  it('assigns fids of the real shape, with a fresh cookie each time', async () => {
    fake = await FakeSeaweed.start();
    const a = await assign('replication=001&collection=c&dataSize=10');
    const b = await assign('replication=001&collection=c');
    expect(a.status).toBe(200);
    expect(a.fid).toMatch(/^\d+,(?:[0-9a-f]{2}){1,8}[0-9a-f]{8}$/);
    expect(a.fid.slice(-8)).not.toBe(b.fid.slice(-8));
    expect(a.url).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('answers bad replication and impossible placement 406, unknown volumes 404, warm-up 503 + Retry-After', async () => {
    fake = await FakeSeaweed.start({ servers: 1 });
    const bad = await fetch(`${fake.masterUrl}/dir/assign?replication=0x1`);
    expect([bad.status, ((await bad.json()) as { error: string }).error]).toEqual([406, 'unknown replication type: 0x1']);
    const none = await fetch(`${fake.masterUrl}/dir/assign?replication=001`);
    expect(none.status).toBe(406);
    expect(((await none.json()) as { error: string }).error).toMatch(/No writable volumes and no free volumes left/);
    const missing = await fetch(`${fake.masterUrl}/dir/lookup?volumeId=77`);
    expect([missing.status, await missing.json()]).toEqual([404, { volumeOrFileId: '77', error: 'volume id 77 not found' }]);
    fake.setWarmingUp(1000);
    const warm = await fetch(`${fake.masterUrl}/dir/assign`);
    expect([warm.status, warm.headers.get('retry-after')]).toEqual([503, '1']);
  });

  it('forwards an assign from a follower to the leader and names the leader in /cluster/status', async () => {
    fake = await FakeSeaweed.start({ masters: 2 });
    fake.setLeader(1);
    const follower = fake.masterUrls[0];
    const r = await fetch(`${follower}/dir/assign`);
    expect(r.status).toBe(200);
    const st = (await (await fetch(`${follower}/cluster/status`)).json()) as { IsLeader: boolean; Leader: string };
    expect(st).toMatchObject({ IsLeader: false, Leader: fake.masters[1].hostPort });
    expect(fake.requestLog().some((l) => l.target === 'master1' && l.url.startsWith('/dir/assign'))).toBe(true);
  });
});

describe('fake SeaweedFS volume server', () => {
  it('stores, replicates, ranges, 304s, wrong cookies 404, deletes 202 then 404', async () => {
    fake = await FakeSeaweed.start();
    const a = await assign('replication=001');
    const body = Buffer.from('hello seaweed');
    const w = await put(a.url, a.fid, body, { 'content-md5': md5(body) });
    expect(w.status).toBe(201);
    const etag = w.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{8}"$/);
    expect((await put(a.url, a.fid, body)).status).toBe(204); // same bytes again
    expect(fake.liveNeedles()[0].servers).toHaveLength(2);
    const r = await fetch(`http://${a.url}/${a.fid}`, { headers: { range: 'bytes=6-9' } });
    expect([r.status, r.headers.get('content-range'), await r.text()]).toEqual([206, 'bytes 6-9/13', 'seaw']);
    expect((await fetch(`http://${a.url}/${a.fid}`, { headers: { range: 'bytes=20-30' } })).status).toBe(416);
    expect((await fetch(`http://${a.url}/${a.fid}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const wrongCookie = a.fid.slice(0, -1) + (a.fid.endsWith('0') ? '1' : '0');
    const miss = await fetch(`http://${a.url}/${wrongCookie}`);
    expect([miss.status, await miss.text()]).toEqual([404, '']);
    expect((await fetch(`http://${a.url}/${a.fid}`, { method: 'DELETE' })).status).toBe(202);
    const again = await fetch(`http://${a.url}/${a.fid}`, { method: 'DELETE' });
    expect([again.status, await again.json()]).toEqual([404, { size: 0 }]);
    expect((await fetch(`http://${a.url}/${a.fid}?readDeleted=true`)).status).toBe(200);
    expect(fake.liveNeedles()).toEqual([]);
  });

  it('refuses an MD5 mismatch (400), a read-only volume (500), a mismatching cookie (500)', async () => {
    fake = await FakeSeaweed.start();
    const a = await assign();
    const bad = await put(a.url, a.fid, Buffer.from('x'), { 'content-md5': md5(Buffer.from('y')) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^Content-MD5 did not match md5 of file data/);
    expect((await put(a.url, a.fid, Buffer.from('x'))).status).toBe(201);
    const clash = a.fid.slice(0, -1) + (a.fid.endsWith('0') ? '1' : '0');
    const c = await put(a.url, clash, Buffer.from('z'));
    expect([c.status, ((await c.json()) as { error: string }).error]).toEqual([500, `failed to write to local disk: mismatching cookie ${clash.slice(-8)}`]);
    const vid = Number(a.fid.split(',')[0]);
    fake.setReadOnly(vid);
    const ro = await put(a.url, a.fid, Buffer.from('w'));
    expect([ro.status, ((await ro.json()) as { error: string }).error]).toEqual([500, `failed to write to local disk: volume ${vid} is read only`]);
    const del = await fetch(`http://${a.url}/${a.fid}`, { method: 'DELETE' });
    expect([del.status, ((await del.json()) as { error: string }).error]).toEqual([500, `Deletion Failed: volume ${vid} is read only`]);
  });

  it('keeps the primary copy when a replica is down (500), and forwards writes sent to a non-holder', async () => {
    fake = await FakeSeaweed.start({ servers: 3 });
    const a = await assign('replication=001');
    const holders = fake.volumeOf(a.fid)!.holders;
    const replica = holders.find((i) => fake.servers[i].hostPort !== a.url)!;
    await fake.kill(replica, { unregister: false });
    const w = await put(a.url, a.fid, Buffer.from('data'));
    expect(w.status).toBe(500);
    expect(((await w.json()) as { error: string }).error).toMatch(/^failed to write to replicas for volume \d+: \[127\.0\.0\.1:\d+\]/);
    expect(fake.liveNeedles()).toHaveLength(1); // the local copy stays
    await fake.revive(replica);
    const b = await assign('replication=001');
    const outsider = fake.servers.find((s) => !fake.volumeOf(b.fid)!.holders.includes(s.index));
    expect((await put(outsider!.hostPort, b.fid, Buffer.from('fwd'))).status).toBe(201);
    expect(await (await fetch(`http://${outsider!.hostPort}/${b.fid}`)).text()).toBe('fwd'); // proxied read
  });

  it('checks JWTs: signature, fid claim and expiry on writes and deletes', async () => {
    fake = await FakeSeaweed.start({ signingKey: 'k' });
    const a = await assign();
    expect(a.jwt).toBeDefined();
    expect((await put(a.url, a.fid, Buffer.from('x'))).status).toBe(401);
    expect((await put(a.url, a.fid, Buffer.from('x'), { authorization: `Bearer ${signFidJwt('other', a.fid, 10)}` })).status).toBe(401);
    expect((await put(a.url, a.fid, Buffer.from('x'), { authorization: `Bearer ${signFidJwt('k', '9,0a0b0c0d0e', 10)}` })).status).toBe(401);
    expect((await put(a.url, a.fid, Buffer.from('x'), { authorization: `Bearer ${signFidJwt('k', a.fid, 10, Date.now() - 20_000)}` })).status).toBe(401);
    expect((await put(a.url, a.fid, Buffer.from('x'), { authorization: `Bearer ${a.jwt}` })).status).toBe(201);
    expect((await fetch(`http://${a.url}/${a.fid}`)).status).toBe(200); // reads are open without a read key
    expect((await fetch(`http://${a.url}/${a.fid}`, { method: 'DELETE' })).status).toBe(401);
    expect((await fetch(`http://${a.url}/${a.fid}?jwt=${signFidJwt('k', a.fid, 10)}`, { method: 'DELETE' })).status).toBe(202);
  });
});

describe('fake SeaweedFS vacuum', () => {
  interface VolumeInfo {
    Id: number;
    Size: number;
    FileCount: number;
    DeleteCount: number;
    DeletedByteCount: number;
  }
  const volumeInfo = async (server: number, vid: number): Promise<VolumeInfo | undefined> => {
    const st = (await (await fetch(`http://${fake.servers[server].hostPort}/status`)).json()) as { Volumes: VolumeInfo[] };
    return st.Volumes.find((v) => v.Id === vid);
  };
  const del = (url: string, fid: string): Promise<Response> => fetch(`http://${url}/${fid}`, { method: 'DELETE' });
  const readDeleted = async (url: string, fid: string): Promise<number> => (await fetch(`http://${url}/${fid}?readDeleted=true`)).status;

  it('compacts, on /vol/vacuum, only the copies whose deleted bytes exceed the garbage threshold', async () => {
    fake = await FakeSeaweed.start({ servers: 2, volumesPerServer: 1 });
    const fids: { fid: string; url: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await assign('replication=001');
      expect((await put(a.url, a.fid, Buffer.alloc(100, i))).status).toBe(201);
      fids.push(a);
    }
    const vid = Number(fids[0].fid.split(',')[0]);
    expect(fids.every((a) => Number(a.fid.split(',')[0]) === vid)).toBe(true); // one volume: one slot per server
    expect((await del(fids[0].url, fids[0].fid)).status).toBe(202);
    // 100 of 300 bytes deleted on each copy: a garbage ratio of 0.33.
    for (const server of [0, 1]) expect(await volumeInfo(server, vid)).toEqual({ Id: vid, Size: 300, Collection: '', FileCount: 3, DeleteCount: 1, DeletedByteCount: 100, ReadOnly: false });

    const notYet = await fetch(`${fake.masterUrl}/vol/vacuum?garbageThreshold=0.4`);
    expect(notYet.status).toBe(200);
    expect(await notYet.json()).toMatchObject({ Topology: { Max: 2 } }); // answered as /dir/status
    expect(await readDeleted(fids[0].url, fids[0].fid)).toBe(200); // still held: below 0.4

    const bad = await fetch(`${fake.masterUrl}/vol/vacuum?garbageThreshold=lots`);
    expect([bad.status, await bad.json()]).toEqual([406, { error: 'garbageThreshold lots is not a valid float number' }]);

    expect((await fetch(`${fake.masterUrl}/vol/vacuum`)).status).toBe(200); // the default 0.3
    expect(await readDeleted(fids[0].url, fids[0].fid)).toBe(404);
    for (const server of [0, 1]) expect(await volumeInfo(server, vid)).toMatchObject({ Size: 200, FileCount: 2, DeleteCount: 0, DeletedByteCount: 0 });
    for (const a of fids.slice(1)) expect((await fetch(`http://${a.url}/${a.fid}`)).status).toBe(200); // live needles untouched
    expect(fake.liveNeedles()).toHaveLength(2);
  });

  it('skips a dead server, and gives a full volume its assigns back once compacted', async () => {
    fake = await FakeSeaweed.start({ servers: 1, volumesPerServer: 1, volumeSizeLimit: 250 });
    const fids: { fid: string; url: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await assign();
      expect(a.status).toBe(200);
      expect((await put(a.url, a.fid, Buffer.alloc(100, i))).status).toBe(201);
      fids.push(a);
    }
    const full = await fetch(`${fake.masterUrl}/dir/assign`);
    expect(full.status).toBe(406); // 300 bytes on a 250-byte volume, and no slot for another
    for (const a of fids.slice(0, 2)) expect((await del(a.url, a.fid)).status).toBe(202);
    await fake.kill(0, { unregister: false });
    expect(fake.vacuum(0.3)).toBe(0);
    await fake.revive(0);
    expect(fake.vacuum(0.3)).toBe(1);
    expect(fake.volumeOf(fids[2].fid)!.size).toBe(100);
    expect((await assign()).status).toBe(200);
  });

  it('runs the check periodically when asked to, and only with a live leader', async () => {
    fake = await FakeSeaweed.start({ servers: 1, vacuumIntervalMs: 20 });
    const a = await assign();
    expect((await put(a.url, a.fid, Buffer.from('gone soon'))).status).toBe(201);
    await fake.killMaster(0);
    expect((await del(a.url, a.fid)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 100));
    expect(await readDeleted(a.url, a.fid)).toBe(200); // no leader, no vacuum
    await fake.reviveMaster(0);
    const deadline = Date.now() + 5000;
    while ((await readDeleted(a.url, a.fid)) === 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await readDeleted(a.url, a.fid)).toBe(404);
  });
});
