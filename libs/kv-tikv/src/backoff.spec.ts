import { KvUnavailableError } from '@massive/kv';
import { Backoffer, DEFAULT_BACKOFF_POLICIES, type BackoffKind } from './backoff';

function make(budgetMs: number, random = () => 1) {
  const slept: number[] = [];
  const kinds: BackoffKind[] = [];
  const bo = new Backoffer(
    {
      policies: { ...DEFAULT_BACKOFF_POLICIES, regionMiss: { baseMs: 10, capMs: 50 } },
      sleep: async (ms) => void slept.push(ms),
      onBackoff: (k) => kinds.push(k),
      random,
    },
    budgetMs,
    'get',
  );
  return { bo, slept, kinds };
}

describe('Backoffer', () => {
  it('doubles per kind up to the cap', async () => {
    const { bo, slept, kinds } = make(10_000);
    for (let i = 0; i < 5; i++) await bo.backoff('regionMiss', new Error('x'));
    expect(slept).toEqual([10, 20, 40, 50, 50]);
    expect(kinds).toEqual(Array(5).fill('regionMiss'));
    expect(bo.totalSleptMs).toBe(170);
  });

  it('keeps separate schedules per kind and applies equal jitter', async () => {
    const { bo, slept } = make(10_000, () => 0);
    await bo.backoff('regionMiss', 'a');
    await bo.backoff('regionMiss', 'a');
    await bo.backoff('txnLock', 'b');
    expect(slept).toEqual([5, 10, 1]);
  });

  it('counts sleeps per kind, and a branch starts from its parent\'s count', async () => {
    const { bo } = make(10_000);
    expect(bo.sleepsOf('diskFull')).toBe(0);
    await bo.backoff('diskFull', 'full');
    await bo.backoff('regionMiss', 'x');
    expect(bo.sleepsOf('diskFull')).toBe(1);
    expect(bo.branch().sleepsOf('diskFull')).toBe(1);
    expect(bo.fork(1000, 'cleanup').sleepsOf('diskFull')).toBe(0);
  });

  it('caps one sleep at maxMs (time left on a lock)', async () => {
    const { bo, slept } = make(10_000);
    await bo.backoff('regionMiss', 'x', 3);
    expect(slept).toEqual([3]);
  });

  it('throws KvUnavailableError naming the cause once the budget is spent', async () => {
    const { bo, slept } = make(35);
    await bo.backoff('regionMiss', new Error('store down'));
    await bo.backoff('regionMiss', new Error('store down'));
    const err = await bo.backoff('regionMiss', new Error('store down')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvUnavailableError);
    expect((err as Error).message).toMatch(/get: gave up after 30 ms .*regionMiss.*store down/);
    expect(slept).toEqual([10, 20]);
  });

  it('forks a fresh budget', async () => {
    const { bo } = make(10);
    await bo.backoff('regionMiss', 'x');
    const child = bo.fork(100, 'cleanup');
    expect(child.totalSleptMs).toBe(0);
    await child.backoff('regionMiss', 'x');
    expect(child.totalSleptMs).toBe(10);
  });
});

describe('Backoffer.branch and backoffAtLeast', () => {
  it('gives each parallel branch the remaining budget, not a share of it', async () => {
    const { bo } = make(100);
    await bo.backoff('regionMiss', 'x'); // 10 of 100 spent
    const branches = [bo.branch(), bo.branch(), bo.branch()];
    // each branch can sleep 20 + 40 = 60 more (70 <= 100); sharing one budget, the third would fail
    for (const b of branches) for (let i = 0; i < 2; i++) await b.backoff('regionMiss', 'x');
    expect(branches.map((b) => b.totalSleptMs)).toEqual([70, 70, 70]);
    await expect(branches[0].backoff('regionMiss', 'x')).rejects.toBeInstanceOf(KvUnavailableError);
    expect(bo.totalSleptMs).toBe(10);
  });

  it('sleeps at least the server-suggested time, within the budget', async () => {
    const { bo, slept } = make(1000);
    await bo.backoffAtLeast('regionMiss', 'busy', 300);
    await bo.backoffAtLeast('regionMiss', 'busy', 1);
    expect(slept).toEqual([300, 20]);
    await expect(bo.backoffAtLeast('regionMiss', 'busy', 900)).rejects.toBeInstanceOf(KvUnavailableError);
  });

  it('uses client-go\'s ServerIsBusy schedule (2 s doubling to 10 s)', () => {
    expect(DEFAULT_BACKOFF_POLICIES.serverBusy).toEqual({ baseMs: 2000, capMs: 10_000 });
  });
});

describe('Backoffer.retryFast', () => {
  it('sleeps only after a run of fast retries', async () => {
    const { bo, slept } = make(10_000);
    for (let i = 0; i < 8; i++) await bo.retryFast('regionMiss', 'x');
    expect(slept).toEqual([]);
    await bo.retryFast('regionMiss', 'x');
    expect(slept).toEqual([10]);
  });
});
