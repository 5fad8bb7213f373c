/** The fake's DiskFull check, as TiKV's raftstore `check_proposal_with_disk_full_opt` decides it. */
import { DiskUsage, DiskUsages } from './disk';
import { FakeRegion } from './regions';
import { DiskFullOpt, TikvMethod } from './types';

/** Peers on stores 1..3, led from store 1. */
const region: FakeRegion = {
  id: 2n,
  start: Buffer.alloc(0),
  end: Buffer.alloc(0),
  confVer: 1n,
  version: 1n,
  peers: [1n, 2n, 3n].map((storeId) => ({ id: 10n + storeId, storeId })),
  leaderStoreId: 1n,
};

function check(usages: Partial<Record<1 | 2 | 3, DiskUsage>>, method: TikvMethod, opt?: number, running = (_id: bigint) => true) {
  const disk = new DiskUsages();
  for (const [id, u] of Object.entries(usages)) disk.set(BigInt(id), u);
  const out = disk.check(method, opt === undefined ? {} : { disk_full_opt: opt }, region, running);
  return out && { stores: out.error.disk_full?.store_id, transferTo: out.transferTo };
}

const { NotAllowedOnFull: NOT_ALLOWED, AllowedOnAlmostFull: ALLOWED } = DiskFullOpt;

describe('fake TiKV disk usage', () => {
  it('lets everything through while every disk is normal', () => {
    expect(check({}, 'KvPrewrite')).toBeUndefined();
  });

  it('an almost-full leader refuses a plain prewrite and moves the leader to a peer with room', () => {
    expect(check({ 1: 'almostFull' }, 'KvPrewrite')).toEqual({ stores: ['1'], transferTo: 2n });
    expect(check({ 1: 'almostFull', 2: 'almostFull' }, 'KvPrewrite', NOT_ALLOWED, (id) => id !== 3n)).toEqual({ stores: ['1'], transferTo: undefined });
  });

  it('keeps the leader when a quorum is full (nowhere better to go)', () => {
    expect(check({ 1: 'almostFull', 2: 'almostFull', 3: 'almostFull' }, 'KvPrewrite')).toEqual({ stores: ['1'], transferTo: undefined });
  });

  it('an almost-full store takes prewrites flagged AllowedOnAlmostFull, and commits, rollbacks, lock resolution unflagged', () => {
    const all = { 1: 'almostFull', 2: 'almostFull', 3: 'almostFull' } as const;
    expect(check(all, 'KvPrewrite', ALLOWED)).toBeUndefined();
    for (const m of ['KvCommit', 'KvBatchRollback', 'KvCleanup', 'KvResolveLock', 'KvCheckTxnStatus', 'KvTxnHeartBeat'] as const) {
      expect(check(all, m)).toBeUndefined();
    }
  });

  it('an already-full leader refuses every write, flagged or not; reads never meet the check', () => {
    expect(check({ 1: 'alreadyFull' }, 'KvCommit', ALLOWED)).toEqual({ stores: ['1'], transferTo: 2n });
    expect(check({ 1: 'alreadyFull' }, 'KvPrewrite', ALLOWED)?.stores).toEqual(['1']);
    for (const m of ['KvGet', 'KvBatchGet', 'KvScan', 'KvScanLock'] as const) expect(check({ 1: 'alreadyFull', 2: 'alreadyFull', 3: 'alreadyFull' }, m)).toBeUndefined();
  });

  it('a normal leader with a full quorum of followers names the followers; the flag helps only while they are almost full', () => {
    expect(check({ 2: 'almostFull' }, 'KvPrewrite')).toBeUndefined();
    expect(check({ 2: 'almostFull', 3: 'almostFull' }, 'KvPrewrite')).toEqual({ stores: ['2', '3'], transferTo: undefined });
    expect(check({ 2: 'almostFull', 3: 'almostFull' }, 'KvPrewrite', ALLOWED)).toBeUndefined();
    expect(check({ 2: 'almostFull', 3: 'alreadyFull' }, 'KvPrewrite', ALLOWED)).toBeUndefined();
    expect(check({ 2: 'alreadyFull', 3: 'alreadyFull' }, 'KvPrewrite', ALLOWED)?.stores).toEqual(['2', '3']);
  });
});
