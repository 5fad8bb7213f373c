/** The fake PD over gRPC: members and leadership, TSO, region lookups with ENCODED keys, stores. */
import * as grpc from '@grpc/grpc-js';
import { FakeCluster } from './cluster';
import { decodeKey, encodeKey } from './codec';
import { RawClient } from './raw-client';

describe('fake PD', () => {
  let c: FakeCluster;
  let pd: RawClient[];
  let header: { cluster_id: string };

  beforeEach(async () => {
    c = await FakeCluster.start({ pdMembers: 3, splitKeys: ['g', 'p'] });
    pd = c.pdEndpoints.map((e) => new RawClient(e, 'pd'));
    header = { cluster_id: c.clusterId.toString() };
  });
  afterEach(async () => {
    pd.forEach((p) => p.close());
    await c.stop();
  });

  test('GetMembers on any member (no cluster id) names the leader; followers refuse other calls', async () => {
    const m = await pd[2].call('GetMembers', {});
    expect(m.header.cluster_id).toBe(c.clusterId.toString());
    expect(m.members).toHaveLength(3);
    expect(m.leader.client_urls).toEqual([`http://${c.pdEndpoints[0]}`]);
    const r = await pd[1].call('GetRegion', { header, region_key: encodeKey(Buffer.from('a')) });
    expect(r.region).toBeUndefined();
    expect(r.header.error).toEqual({ type: 1, message: 'rpc error: code = Unavailable desc = not leader' });
    const wrongId = await pd[0].call('GetRegion', { header: { cluster_id: '1' }, region_key: encodeKey(Buffer.from('a')) });
    expect(wrongId.header.error.message).toMatch(/mismatch cluster id/);
  });

  test('leader failover: stopping the leader elects another; GetMembers follows', async () => {
    c.stopPd(0);
    const m = await pd[1].call('GetMembers', {});
    expect(m.leader.name).toBe('pd-1');
    await expect(pd[0].call('GetMembers', {}, 500)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect((await pd[1].call('GetAllStores', { header })).stores).toHaveLength(3);
    const endpoint = c.pdEndpoints[0];
    await c.restartPd(0);
    expect(c.pdEndpoints[0]).toBe(endpoint); // a member comes back on its address
    const again = new RawClient(endpoint, 'pd'); // (the old channel sits in reconnect backoff)
    expect((await again.call('GetMembers', {})).leader.name).toBe('pd-1');
    again.close();
  });

  test('TSO: count n returns the last ts of the batch; strictly increasing; follower streams fail', async () => {
    const replies = await pd[0].tso(header, [1, 10, 1]);
    const ts = replies.map((r) => (BigInt(r.timestamp.physical) << 18n) | BigInt(r.timestamp.logical));
    expect(replies.map((r) => r.count)).toEqual([1, 10, 1]);
    expect(ts[1] - ts[0]).toBeGreaterThanOrEqual(10n);
    expect(ts[2]).toBeGreaterThan(ts[1]);
    expect(typeof replies[0].timestamp.physical).toBe('string');
    await expect(pd[1].tso(header, [1])).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    await expect(pd[0].tso({ cluster_id: '9' }, [1])).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
    await expect(pd[0].tso(header, [0])).rejects.toMatchObject({ details: 'tso count should be positive' });
    const before = c.timestamp();
    c.advanceClock(60_000);
    const [after] = await pd[0].tso(header, [1]);
    expect(BigInt(after.timestamp.physical)).toBeGreaterThanOrEqual((before >> 18n) + 60_000n);
  });

  test('regions: keys and boundaries are memcomparable-encoded; GetPrevRegion, ByID, ScanRegions', async () => {
    const r = await pd[0].call('GetRegion', { header, region_key: encodeKey(Buffer.from('h')) });
    expect(decodeKey(r.region.start_key).toString()).toBe('g');
    expect(decodeKey(r.region.end_key).toString()).toBe('p');
    expect(r.region.peers).toHaveLength(3);
    expect(r.leader.store_id).toBe('1');
    // PD compares bytes: the RAW key 'g' sorts before the encoded boundary 'g\0..\xf8', so it lands in the first region.
    const raw = await pd[0].call('GetRegion', { header, region_key: Buffer.from('g') });
    expect(raw.region.id).not.toBe(r.region.id);
    const prev = await pd[0].call('GetPrevRegion', { header, region_key: encodeKey(Buffer.from('h')) });
    expect(prev.region.end_key).toEqual(r.region.start_key);
    const byId = await pd[0].call('GetRegionByID', { header, region_id: r.region.id });
    expect(byId.region.id).toBe(r.region.id);
    const scan = await pd[0].call('ScanRegions', { header, start_key: encodeKey(Buffer.from('h')), limit: 0 });
    expect(scan.regions.map((x: any) => x.region.id)).toEqual([r.region.id, c.regionOf('q').id.toString()]);
    expect(scan.region_metas).toHaveLength(2);
    expect((await pd[0].call('ScanRegions', { header, limit: 1 })).regions).toHaveLength(1);
  });

  test('stores: GetStore gives the address; an unknown id is a header error', async () => {
    const s = await pd[0].call('GetStore', { header, store_id: '2' });
    expect(s.store.address).toBe(c.storeAddress(2));
    expect((await pd[0].call('GetStore', { header, store_id: '99' })).header.error.type).toBe(1);
  });

  test('a stale PD keeps serving the pre-split map while TiKV moves on', async () => {
    c.setPdStale(true);
    c.split('j');
    const r = await pd[0].call('GetRegion', { header, region_key: encodeKey(Buffer.from('k')) });
    expect(decodeKey(r.region.start_key).toString()).toBe('g');
    c.setPdStale(false);
    const fresh = await pd[0].call('GetRegion', { header, region_key: encodeKey(Buffer.from('k')) });
    expect(decodeKey(fresh.region.start_key).toString()).toBe('j');
  });

  test("pdErrorStyle 'status' answers followers with gRPC UNAVAILABLE; injected PD faults", async () => {
    const s = await FakeCluster.start({ pdMembers: 2, pdErrorStyle: 'status' });
    const follower = new RawClient(s.pdEndpoints[1], 'pd');
    const leader = new RawClient(s.pdEndpoints[0], 'pd');
    const h = { cluster_id: s.clusterId.toString() };
    await expect(follower.call('GetRegion', { header: h })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE, details: 'not leader' });
    s.failNextPd({ method: 'GetRegion' }, { kind: 'Unavailable' });
    await expect(leader.call('GetRegion', { header: h })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect((await leader.call('GetRegion', { header: h })).region).toBeDefined();
    s.transferPdLeader(1);
    expect((await follower.call('GetRegion', { header: h })).region).toBeDefined();
    expect(s.pdCalls('GetRegion')).toBe(4);
    follower.close();
    leader.close();
    await s.stop();
  });
});
