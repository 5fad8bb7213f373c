import type { KvSnapshot, KvStore, KvTxn, MvccGcReport } from '@massive/kv';
import { MemoryKv } from '@massive/kv/testing';
import { Registry } from 'prom-client';
import { MvccGcWorker } from './mvcc-gc-worker';

/** A store that keeps versions: MemoryKv for the lease, and a scripted MVCC GC. */
class VersionedKv implements KvStore {
  readonly mem = new MemoryKv();
  calls: number[] = [];
  next: () => MvccGcReport = () => ({ outcome: 'advanced', safePointMs: 1_000, txnsResolved: 1, locksResolved: 3 });
  txn<T>(fn: (tx: KvTxn) => Promise<T>): Promise<T> {
    return this.mem.txn(fn);
  }
  snapshot(): Promise<KvSnapshot> {
    return this.mem.snapshot();
  }
  close(): Promise<void> {
    return this.mem.close();
  }
  async collectMvccGarbage(lifetimeMs: number): Promise<MvccGcReport> {
    this.calls.push(lifetimeMs);
    return this.next();
  }
}

async function value(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = registry.getSingleMetric(name);
  const { values } = await m!.get();
  return values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)).reduce((s, v) => s + v.value, 0);
}

describe('MvccGcWorker', () => {
  it('runs the store\'s MVCC GC with the lifetime, on one replica at a time, and reports it', async () => {
    const kv = new VersionedKv();
    const clock = { now: 1_000_000 };
    const registry = new Registry();
    const reports: MvccGcReport[] = [];
    const opts = { kv, lifetimeMs: 600_000, intervalMs: 600_000, clock: () => clock.now };
    const a = new MvccGcWorker({ ...opts, holderId: 'a', registry, onRun: (r) => reports.push(r) });
    const b = new MvccGcWorker({ ...opts, holderId: 'b', registry: new Registry() });
    expect(await a.runOnce()).toMatchObject({ outcome: 'advanced', locksResolved: 3 });
    expect(await b.runOnce()).toBeUndefined(); // a holds the lease
    expect(kv.calls).toEqual([600_000]);
    expect(reports).toHaveLength(1);
    expect(await value(registry, 'metadata_mvcc_gc_runs_total', { result: 'advanced' })).toBe(1);
    expect(await value(registry, 'metadata_mvcc_gc_locks_resolved_total')).toBe(3);
    expect(await value(registry, 'metadata_mvcc_gc_safe_point_seconds')).toBe(1);

    kv.next = () => ({ outcome: 'unchanged', safePointMs: 1_000, txnsResolved: 0, locksResolved: 0, heldBy: 'br-backup' });
    await a.runOnce();
    expect(await value(registry, 'metadata_mvcc_gc_runs_total', { result: 'held' })).toBe(1);

    clock.now += 3 * 600_000 + 1; // a's lease lapses (it stopped renewing): b takes over
    expect(await b.runOnce()).toBeDefined();
    expect(kv.calls).toHaveLength(3);
  });

  it('counts a failed run and goes on at the next interval', async () => {
    const kv = new VersionedKv();
    const registry = new Registry();
    const errors: unknown[] = [];
    kv.next = () => {
      throw new Error('PD unreachable');
    };
    const w = new MvccGcWorker({ kv, registry, lifetimeMs: 1000, intervalMs: 10, holderId: 'a', onError: (e) => errors.push(e) });
    w.start();
    while (errors.length < 2) await new Promise((r) => setTimeout(r, 5));
    kv.next = () => ({ outcome: 'advanced', safePointMs: 5_000, txnsResolved: 0, locksResolved: 0 });
    while ((await value(registry, 'metadata_mvcc_gc_runs_total', { result: 'advanced' })) === 0) await new Promise((r) => setTimeout(r, 5));
    await w.stop();
    expect(await value(registry, 'metadata_mvcc_gc_runs_total', { result: 'error' })).toBeGreaterThanOrEqual(2);
    expect((errors[0] as Error).message).toBe('PD unreachable');
  });

  it('refuses a store that keeps no old versions', () => {
    expect(() => new MvccGcWorker({ kv: new MemoryKv(), lifetimeMs: 1000, intervalMs: 1000, holderId: 'a' })).toThrow(/keeps no old versions/);
  });
});
