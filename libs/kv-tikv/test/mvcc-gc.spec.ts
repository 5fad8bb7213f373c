import { KvConflictError, KvUnknownOutcomeError } from '@massive/kv';
import { logicalOf, physicalOf } from '../src';
import { get, k, metric, put, startFixture, str, type ClientFixture } from './client-fixture';

// MVCC GC driven by this client (what TiDB's GC worker does for a cluster): resolve every lock older
// than `now - lifetime`, then move PD's GC safe point there; TiKV (the fake) then drops the versions
// no read at or above it can see, and no read of ours runs below it.

const LIFETIME_MS = 30_000;

describe('TikvKv MVCC garbage collection', () => {
  let fx: ClientFixture;
  beforeEach(async () => {
    fx = await startFixture({ splitKeys: ['m'] });
  });
  afterEach(() => fx.stop());

  /** A writer that dies at `step` and never cleans up: its locks stay until someone resolves them. */
  async function crashedWriter(step: 'commit-primary' | 'commit-secondaries', entries: Record<string, string>): Promise<void> {
    const writer = fx.client({ commitBudgetMs: 150, cleanupBudgetMs: 150 });
    const crash = fx.cluster.crashTxnAt(step);
    const noRollback = fx.cluster.failNext({ method: 'KvBatchRollback' }, { kind: 'Unavailable' }, Infinity);
    await put(writer, entries).catch((e: unknown) => {
      if (!(e instanceof KvUnknownOutcomeError)) throw e;
    });
    fx.cluster.removeFault(crash);
    fx.cluster.removeFault(noRollback);
  }

  it('settles the locks of transactions older than the lifetime, then advances the safe point; younger locks stay', async () => {
    await put(fx.kv, { a: 'old', q: 'old', z: 'old' });
    await crashedWriter('commit-primary', { a: 'never', z: 'never' }); // primary not committed: rolled back
    await crashedWriter('commit-secondaries', { b: 'yes', q: 'yes', y: 'yes' }); // primary committed: rolled forward
    fx.cluster.advanceClock(LIFETIME_MS + 5_000);
    await crashedWriter('commit-primary', { c: 'young', r: 'young' }); // inside the lifetime: left alone
    expect(fx.cluster.locks().map((l) => str(l.key))).toEqual(['a', 'c', 'q', 'r', 'y', 'z']);

    const before = fx.cluster.timestamp();
    const r = await fx.kv.collectMvccGarbage(LIFETIME_MS);
    const after = fx.cluster.timestamp();
    expect(r).toMatchObject({ outcome: 'advanced', previous: 0n, txnsResolved: 2, locksResolved: 4 });
    // now - lifetime by PD's clock, logical 0.
    expect(logicalOf(r.safePoint)).toBe(0n);
    expect(physicalOf(r.safePoint)).toBeGreaterThanOrEqual(physicalOf(before) - BigInt(LIFETIME_MS));
    expect(physicalOf(r.safePoint)).toBeLessThanOrEqual(physicalOf(after) - BigInt(LIFETIME_MS));
    expect(r.safePointMs).toBe(Number(physicalOf(r.safePoint)));
    expect(fx.cluster.gcSafePoint).toBe(r.safePoint);
    expect(fx.cluster.locks().map((l) => str(l.key))).toEqual(['c', 'r']); // the young txn is left alone
    fx.cluster.advanceClock(60_000); // the young writer's TTL passes: readers may roll it back
    expect(await fx.kv.txn((tx) => tx.batchGet(['a', 'b', 'q', 'y', 'z', 'c'].map(k))).then((vs) => vs.map(str))).toEqual([
      'old',
      'yes',
      'yes',
      'yes',
      'old',
      undefined,
    ]);
  });

  it('never moves the safe point back: a longer lifetime, asking for an older one, leaves it', async () => {
    await put(fx.kv, { a: '1' });
    fx.cluster.advanceClock(LIFETIME_MS + 1000);
    const first = await fx.kv.collectMvccGarbage(LIFETIME_MS);
    expect(first.outcome).toBe('advanced');
    const longer = await fx.kv.collectMvccGarbage(10 * LIFETIME_MS);
    expect(longer).toMatchObject({ outcome: 'unchanged', safePoint: first.safePoint, previous: first.safePoint, locksResolved: 0 });
    expect(fx.cluster.gcSafePoint).toBe(first.safePoint);
    fx.cluster.advanceClock(1000);
    const later = await fx.kv.collectMvccGarbage(LIFETIME_MS);
    expect(later.outcome).toBe('advanced');
    expect(later.safePoint).toBeGreaterThan(first.safePoint);
  });

  it('refuses reads below the safe point as conflicts, in this client and, after a refresh, in others', async () => {
    await put(fx.kv, { a: 'v1' });
    const other = fx.client({ safePointRefreshMs: 0 });
    const old = fx.kv.snapshotAt(fx.cluster.timestamp());
    const otherOld = other.snapshotAt(fx.cluster.timestamp());
    expect(str(await old.get(k('a')))).toBe('v1');
    fx.cluster.advanceClock(LIFETIME_MS + 1000);
    await put(fx.kv, { a: 'v2' });
    await fx.kv.collectMvccGarbage(LIFETIME_MS);
    await expect(old.get(k('a'))).rejects.toBeInstanceOf(KvConflictError);
    await expect(old.scan(k(''), k(''))).rejects.toBeInstanceOf(KvConflictError);
    expect(str(await otherOld.get(k('a')))).toBe('v1'); // it has not seen the new safe point yet
    await other.refreshSafePoint();
    expect(other.gcSafePoint).toBe(fx.cluster.gcSafePoint);
    await expect(otherOld.batchGet([k('a')])).rejects.toBeInstanceOf(KvConflictError);
    expect(await get(fx.kv, 'a')).toBe('v2'); // a fresh transaction reads on
    // A transaction that read before GC passed its start does not commit what it read.
    await expect(
      fx.kv.txn(async (tx) => {
        const seen = await tx.get(k('a'));
        fx.cluster.advanceClock(LIFETIME_MS + 1000);
        await fx.kv.collectMvccGarbage(LIFETIME_MS);
        tx.put(k('copy'), seen!);
      }),
    ).rejects.toThrow(/below the GC safe point/);
    expect(await get(fx.kv, 'copy')).toBeUndefined();
    expect(await metric(fx.registry, 'tikv_gc_safe_point_seconds')).toBe(Number(physicalOf(fx.cluster.gcSafePoint)) / 1000);
  });

  it('walks every region through region errors, a region at a time and 1,024 locks per scan', async () => {
    const keys: Record<string, string> = {};
    for (let i = 0; i < 1100; i++) keys[`a${String(i).padStart(4, '0')}`] = 'x'; // two scans in the first region
    for (let i = 0; i < 20; i++) keys[`p${String(i).padStart(4, '0')}`] = 'x';
    await crashedWriter('commit-primary', keys);
    fx.cluster.advanceClock(LIFETIME_MS + 1000);
    fx.cluster.failNext({ method: 'KvScanLock' }, { kind: 'NotLeader' }, 1);
    fx.cluster.failNext({ method: 'KvScanLock' }, { kind: 'EpochNotMatch' }, 1);
    const r = await fx.kv.collectMvccGarbage(LIFETIME_MS);
    expect(r).toMatchObject({ outcome: 'advanced', txnsResolved: 1, locksResolved: 1120 });
    expect(fx.cluster.locks()).toHaveLength(0);
    expect(await get(fx.kv, 'p0019')).toBeUndefined();
  });

  it('stops at a service safe point (a backup holding GC back) and says whose', async () => {
    await put(fx.kv, { a: '1' });
    const held = fx.cluster.timestamp();
    fx.cluster.setServiceSafePoint('br-backup', held, 3600);
    fx.cluster.advanceClock(LIFETIME_MS + 1000);
    const r = await fx.kv.collectMvccGarbage(LIFETIME_MS);
    expect(r).toMatchObject({ outcome: 'advanced', safePoint: held, heldBy: 'br-backup' });
    expect(fx.cluster.gcSafePoint).toBe(held);
    fx.cluster.setServiceSafePoint('br-backup', held, 0); // the backup is done
    const free = await fx.kv.collectMvccGarbage(LIFETIME_MS);
    expect(free.heldBy).toBeUndefined();
    expect(free.safePoint).toBeGreaterThan(held);
  });

  it('lets TiKV drop the versions no read at or after the safe point sees, and every such read still answers the same', async () => {
    for (let i = 0; i < 5; i++) await put(fx.kv, { a: `v${i}`, n: `v${i}`, gone: i < 4 ? `v${i}` : null });
    const at = fx.cluster.timestamp();
    const before = await fx.kv.snapshotAt(at).scan(k(''), k(''));
    fx.cluster.advanceClock(LIFETIME_MS + 1000);
    await put(fx.kv, { a: 'newest' });
    const r = await fx.kv.collectMvccGarbage(LIFETIME_MS);
    expect(r.safePoint).toBeGreaterThan(at);
    // 4 older versions of a and of n, 4 puts and the delete of `gone`: collected.
    expect(fx.cluster.gcStats()).toMatchObject({ versionsRemoved: 13, keysRemoved: 1 });
    expect((await fx.kv.snapshot().then((s) => s.scan(k(''), k('')))).map((p) => `${str(p.key)}=${str(p.value)}`)).toEqual(['a=newest', 'n=v4']);
    expect(before.map((p) => `${str(p.key)}=${str(p.value)}`)).toEqual(['a=v4', 'n=v4']);
  });

  it('leaves the safe point where it was when a lock cannot be settled', async () => {
    await crashedWriter('commit-primary', { a: 'x', z: 'x' });
    fx.cluster.advanceClock(LIFETIME_MS + 1000);
    fx.cluster.failNext({ method: 'KvCheckTxnStatus' }, { kind: 'Unavailable' }, Infinity);
    await expect(fx.kv.collectMvccGarbage(LIFETIME_MS)).rejects.toThrow();
    expect(fx.cluster.gcSafePoint).toBe(0n);
    fx.cluster.clearFaults();
    expect((await fx.kv.collectMvccGarbage(LIFETIME_MS)).outcome).toBe('advanced');
  });
});
