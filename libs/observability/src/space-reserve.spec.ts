import { Registry } from 'prom-client';
import { DiskSpaceReserve } from './space-reserve';

const MiB = 2 ** 20;

/** A statfs whose free space the test sets, counting calls; each call settles when the test says. */
function fakeDisk(freeBytes: number) {
  const disk = {
    free: freeBytes,
    calls: 0,
    syncCalls: 0,
    fail: false,
    statSync: () => {
      if (disk.fail) throw new Error('ENOENT');
      return { bsize: 4096, blocks: 1e9, bavail: Math.floor(disk.free / 4096) };
    },
    stat: async () => {
      disk.calls++;
      return disk.statSync();
    },
    sync: () => {
      disk.syncCalls++;
      return disk.statSync();
    },
  };
  return disk;
}

const settle = () => new Promise((r) => setImmediate(r));

describe('DiskSpaceReserve', () => {
  it('is low only below the reserve, from the first measurement on', async () => {
    const disk = fakeDisk(100 * MiB);
    const r = new DiskSpaceReserve('/data', 256 * MiB, { stat: disk.stat, statSync: disk.sync });
    await r.refresh();
    expect(r.low()).toBe(true);
    expect(r.describe()).toBe('100 MiB free on /data, below the 256 MiB reserve kept for deletes');
    expect(new DiskSpaceReserve('/data', 64 * MiB, { stat: disk.stat, statSync: disk.sync }).low()).toBe(false); // not measured yet: never invents a full disk
  });

  it('far from the reserve, answers from the last measurement and asks the disk at most once per maxAge, in the background', async () => {
    const disk = fakeDisk(100 * 1024 * MiB);
    let now = 0;
    const r = new DiskSpaceReserve('/data', 256 * MiB, { stat: disk.stat, statSync: disk.sync, now: () => now, maxAgeMs: 1000 });
    await r.refresh();
    expect(disk.calls).toBe(1);
    disk.free = 10 * MiB;
    for (let i = 0; i < 100; i++) expect(r.low()).toBe(false);
    await settle();
    expect(disk.calls).toBe(1);
    now = 1001;
    expect(r.low()).toBe(false); // this check starts a measurement and answers at once
    expect(r.low()).toBe(false);
    await settle();
    expect(disk.calls).toBe(2); // one measurement for both checks
    expect(disk.syncCalls).toBe(0);
    expect(r.low()).toBe(true);
  });

  it('near the reserve, measures before answering once the disk could have filled the headroom since', async () => {
    const disk = fakeDisk(300 * MiB);
    let now = 0;
    const r = new DiskSpaceReserve('/data', 256 * MiB, { stat: disk.stat, statSync: disk.sync, now: () => now, maxAgeMs: 1000 });
    await r.refresh(); // 44 MiB of headroom: 4 GiB/s fills it in 11 ms
    disk.free = 200 * MiB;
    now = 10;
    expect(r.low()).toBe(false); // 10 ms: could not have been filled yet
    expect(disk.syncCalls).toBe(0);
    now = 12;
    expect(r.low()).toBe(true); // measured now, not a second later
    expect(disk.syncCalls).toBe(1);
    disk.free = 1024 * MiB;
    expect(r.low()).toBe(true); // within a millisecond of the last measurement: not asked again
    expect(disk.syncCalls).toBe(1);
    now = 13;
    expect(r.low()).toBe(false); // below the reserve, every check a millisecond later measures: freed space counts at once
    expect(disk.syncCalls).toBe(2);
    expect(disk.calls).toBe(1);
  });

  it('measures again at once after a write met a full disk, and tells each crossing once', async () => {
    const disk = fakeDisk(100 * 1024 * MiB);
    const told: [boolean, string][] = [];
    const r = new DiskSpaceReserve('/data', 256 * MiB, { stat: disk.stat, statSync: disk.sync, now: () => 0, onChange: (low, what) => told.push([low, what]) });
    await r.refresh();
    disk.free = 0;
    expect(r.low()).toBe(false); // the last measurement is fresh and far from the reserve
    r.noteFull();
    await settle();
    expect(r.low()).toBe(true);
    r.noteFull();
    await settle();
    disk.free = 2048 * MiB;
    r.noteFull();
    await settle();
    expect(r.low()).toBe(false);
    expect(told).toEqual([
      [true, '0 bytes free on /data, below the 256 MiB reserve kept for deletes'],
      [false, '2 GiB free on /data, above the 256 MiB reserve again'],
    ]);
  });

  it('keeps the last value when statfs fails, and a reserve of 0 is never low', async () => {
    const disk = fakeDisk(10 * MiB);
    const r = new DiskSpaceReserve('/data', 256 * MiB, { stat: disk.stat, statSync: disk.sync, now: () => 0 });
    await r.refresh();
    disk.fail = true;
    r.noteFull();
    await settle();
    expect(r.low()).toBe(true);
    const off = new DiskSpaceReserve('/data', 0, { stat: disk.stat, statSync: disk.sync });
    await off.refresh();
    expect(off.low()).toBe(false);
  });

  it('reports each store’s reserve and state at scrape time, several stores on one registry', async () => {
    const registry = new Registry();
    const blobDisk = fakeDisk(100 * MiB);
    const metaDisk = fakeDisk(1024 * MiB);
    const blob = new DiskSpaceReserve('/data/chunks', 256 * MiB, { stat: blobDisk.stat, statSync: blobDisk.sync, now: () => 0, metrics: { registry, store: 'blob' } });
    const meta = new DiskSpaceReserve('/data/metadata', 128 * MiB, { stat: metaDisk.stat, statSync: metaDisk.sync, now: () => 0, metrics: { registry, store: 'metadata' } });
    await Promise.all([blob.refresh(), meta.refresh()]);
    const text = await registry.metrics();
    expect(text).toContain('space_reserve_bytes{store="blob"} 268435456');
    expect(text).toContain('space_reserve_bytes{store="metadata"} 134217728');
    expect(text).toContain('space_reserve_low{store="blob"} 1');
    expect(text).toContain('space_reserve_low{store="metadata"} 0');
  });
});
