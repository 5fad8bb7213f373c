import { KvConflictError, KvUnavailableError, KvUnknownOutcomeError } from '@massive/kv';
import { Registry } from 'prom-client';
import { get, metric, put, startFixture, str, type ClientFixture } from './client-fixture';
import type { TikvRequestInfo } from './fake-tikv';

/** The primary of `put({a, z})` is 'a' (the smallest key): matches its KvCommit only. */
const primaryCommit = {
  method: 'KvCommit' as const,
  when: (i: TikvRequestInfo) => ((i.request as { keys?: Buffer[] }).keys ?? []).some((k) => k.toString() === 'a'),
};

describe('TikvKv never guesses a commit outcome', () => {
  let fx: ClientFixture;
  beforeEach(async () => {
    fx = await startFixture({ splitKeys: ['m'] });
  });
  afterEach(() => fx.stop());

  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'committed',
      (e: Error) => e.name,
    );

  it.each(['StaleCommand', 'RegionNotFound', 'UndeterminedResult'] as const)(
    'a primary commit applied and answered with %s is retried to a definite success',
    async (error) => {
      fx.cluster.failNext(primaryCommit, { kind: 'AppliedThen', error });
      await put(fx.kv, { a: '1', z: '2' });
      expect(await get(fx.kv, 'a')).toBe('1');
      expect(await get(fx.kv, 'z')).toBe('2');
      expect(fx.cluster.calls('KvCommit')).toBeGreaterThanOrEqual(3); // applied, retried, secondary
      expect(fx.cluster.locks()).toHaveLength(0);
    },
  );

  it('an applied commit followed by region errors until the budget runs out is proven committed, not "nothing committed"', async () => {
    const kv = fx.client({ commitBudgetMs: 200 });
    fx.cluster.failNext(primaryCommit, { kind: 'AppliedThen', error: 'StaleCommand' });
    fx.cluster.failNext(primaryCommit, { kind: 'StaleCommand' }, Infinity);
    await put(kv, { a: '1', z: '2' }); // CheckTxnStatus on the primary says committed
    fx.cluster.clearFaults();
    expect(await get(fx.kv, 'a')).toBe('1');
    expect(await get(fx.kv, 'z')).toBe('2');
  });

  it('budget spent on refusals that never reached apply (NotLeader) is a definite abort, rolled back everywhere', async () => {
    const kv = fx.client({ commitBudgetMs: 200 });
    fx.cluster.failNext(primaryCommit, { kind: 'NotLeader', leaderStoreId: null }, Infinity);
    const err = await put(kv, { a: '1', z: '2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvUnavailableError);
    fx.cluster.clearFaults();
    expect(fx.cluster.locks()).toHaveLength(0);
    expect(await get(fx.kv, 'a')).toBeUndefined();
  });

  it('an `abort` answer to the settling rollback is not taken as "committed"', async () => {
    const registry = new Registry();
    const kv = fx.client({ commitBudgetMs: 200, cleanupBudgetMs: 200, registry });
    // Nothing is applied, yet every answer is ambiguous or unclassified.
    fx.cluster.failNext(primaryCommit, { kind: 'Unavailable' }, Infinity);
    fx.cluster.failNext({ method: 'KvCheckTxnStatus' }, { kind: 'Unavailable' }, Infinity);
    fx.cluster.failNext({ method: 'KvBatchRollback' }, { kind: 'Abort', message: 'Engine(Other("io error"))' }, Infinity);
    const err = await put(kv, { a: '1', z: '2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvUnknownOutcomeError);
    expect(await metric(registry, 'tikv_txn_total', { result: 'unknown_outcome' })).toBe(1);
    fx.cluster.clearFaults();
    fx.cluster.advanceClock(60_000);
    expect(await get(fx.kv, 'a')).toBeUndefined(); // and indeed it had not committed
  });

  it('an applied commit whose replies, status checks and rollback all fail is reported unknown, not guessed', async () => {
    fx.cluster.failNext(primaryCommit, { kind: 'LostReply' }, Infinity);
    fx.cluster.failNext({ method: 'KvCheckTxnStatus' }, { kind: 'Unavailable' }, Infinity);
    const kv = fx.client({ commitBudgetMs: 200, cleanupBudgetMs: 200 });
    expect(await outcome(put(kv, { a: '1', z: '2' }))).toBe('KvUnknownOutcomeError');
    fx.cluster.clearFaults();
    expect(await get(fx.kv, 'a')).toBe('1'); // it had committed: the rollback was refused
  });

  it('the same, once the status check answers, is proven committed', async () => {
    fx.cluster.failNext(primaryCommit, { kind: 'LostReply' }, Infinity);
    fx.cluster.failNext({ method: 'KvCheckTxnStatus' }, { kind: 'Unavailable' }, 3);
    const kv = fx.client({ commitBudgetMs: 200, cleanupBudgetMs: 2000 });
    expect(await outcome(put(kv, { a: '1', z: '2' }))).toBe('committed');
    fx.cluster.clearFaults();
    expect(await get(fx.kv, 'z')).toBe('2');
  });

  it('after UndeterminedResult the proposal may still apply: no rollback is taken as proof, the outcome is unknown', async () => {
    const kv = fx.client({ commitBudgetMs: 200, cleanupBudgetMs: 200 });
    fx.cluster.failNext(primaryCommit, { kind: 'UndeterminedResult' }); // not applied here, but who knows
    fx.cluster.failNext(primaryCommit, { kind: 'Unavailable' }, Infinity);
    fx.cluster.failNext({ method: 'KvCheckTxnStatus' }, { kind: 'Unavailable' }, Infinity);
    expect(await outcome(put(kv, { a: '1', z: '2' }))).toBe('KvUnknownOutcomeError');
    expect(fx.cluster.calls('KvBatchRollback')).toBe(0);
  });

  it('a lock still there after the budget ran out is committed again rather than rolled back', async () => {
    const kv = fx.client({ commitBudgetMs: 200, cleanupBudgetMs: 3000 });
    const until = Date.now() + 600;
    fx.cluster.failNext({ ...primaryCommit, when: (i) => primaryCommit.when(i) && Date.now() < until }, { kind: 'Unavailable' }, Infinity);
    expect(await outcome(put(kv, { a: '1', z: '2' }))).toBe('committed');
    fx.cluster.clearFaults();
    expect(await get(fx.kv, 'a')).toBe('1');
    expect(fx.cluster.calls('KvBatchRollback')).toBe(0);
  });

  it('after TxnLockNotFound (a reader rolled the primary back) the secondaries are rolled back too', async () => {
    let startTs = 0n;
    const off = fx.cluster.beforeApply((info) => {
      if (startTs !== 0n || !primaryCommit.when(info)) return;
      startTs = BigInt((info.request as { start_version?: string }).start_version ?? '0');
      fx.cluster.txn.batchRollback([Buffer.from('a')], startTs); // what a reader does after the TTL
    });
    const err = await put(fx.kv, { a: '1', q: '2', z: '3' }).catch((e: unknown) => e);
    off();
    expect(err).toBeInstanceOf(KvConflictError);
    expect(fx.cluster.locks().map((l) => str(l.key))).toEqual([]);
    expect(await get(fx.kv, 'z')).toBeUndefined();
  });
});
