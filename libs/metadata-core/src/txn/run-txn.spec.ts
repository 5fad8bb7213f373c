import { isServiceError, ServiceError } from '@massive/contracts';
import { hangUpCtx } from '@massive/contracts/testing';
import { KvStoreFullError, KvUnavailableError, KvUnknownOutcomeError, type KvStore, type TxnOptions } from '@massive/kv';
import { MemoryKv } from '@massive/kv/testing';
import { Registry } from 'prom-client';
import { createMetadataMetrics } from './metrics';
import { ADDS_DATA, USES_RESERVE, TxnRunner } from './run-txn';

async function metric(reg: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await reg.getMetricsAsJSON()).find((x) => x.name === name);
  const v = (m?.values ?? []).find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
  return v ? v.value : 0;
}

describe('TxnRunner', () => {
  const setup = (maxAttempts = 5) => {
    const kv = new MemoryKv();
    const reg = new Registry();
    const sleeps: number[] = [];
    const runner = new TxnRunner(kv, createMetadataMetrics(reg), { maxAttempts, serializedMaxAttempts: maxAttempts, baseDelayMs: 4, maxDelayMs: 10 }, async (ms) => {
      sleeps.push(ms);
    });
    return { kv, reg, runner, sleeps };
  };

  it('retries injected conflicts with bounded jittered backoff and counts restarts', async () => {
    const { kv, reg, runner, sleeps } = setup();
    kv.failNextCommits(3);
    let runs = 0;
    await runner.run('PutThing', async (tx) => {
      runs++;
      tx.put(Buffer.from('k'), Buffer.from('v'));
    });
    expect(runs).toBe(4);
    expect(sleeps).toHaveLength(3);
    sleeps.forEach((ms, i) => expect(ms).toBeLessThanOrEqual(Math.min(10, 4 * 2 ** i)));
    expect(await metric(reg, 'metadata_txn_restarts_total', { operation: 'PutThing' })).toBe(3);
    expect(await metric(reg, 'metadata_txn_total', { operation: 'PutThing', result: 'ok' })).toBe(1);
  });

  it('gives up with ServiceError(Conflict) after maxAttempts', async () => {
    const { kv, reg, runner } = setup(3);
    kv.failNextCommits(10);
    await expect(runner.run('X', async (tx) => tx.put(Buffer.from('k'), Buffer.from('v')))).rejects.toMatchObject({
      code: 'Conflict',
    });
    expect(await metric(reg, 'metadata_txn_total', { operation: 'X', result: 'conflict' })).toBe(1);
    expect(await metric(reg, 'metadata_txn_restarts_total', { operation: 'X' })).toBe(2);
  });

  it("checks the caller through ctx.isAborted before each attempt and never makes a served call's lazy signal", async () => {
    const { kv, runner } = setup();
    const { ctx, signalReads, hangUp } = hangUpCtx();
    kv.failNextCommits(2);
    let runs = 0;
    await runner.run('PutThing', async (tx) => {
      runs++;
      tx.put(Buffer.from('k'), Buffer.from('v'));
    }, ctx);
    expect(runs).toBe(3);
    expect(signalReads()).toBe(0);

    // Aborted during the first attempt (which then conflicts): no second attempt.
    kv.failNextCommits(1);
    runs = 0;
    const e = await runner
      .run('PutThing', async (tx) => {
        runs++;
        hangUp();
        tx.put(Buffer.from('k'), Buffer.from('v'));
      }, ctx)
      .catch((x: unknown) => x);
    expect(e).toEqual(new ServiceError('Unavailable', 'request aborted'));
    expect(runs).toBe(1);
    expect(signalReads()).toBe(0);
  });

  it('without ctx.isAborted, an aborted signal stops the transaction before it runs', async () => {
    const { runner } = setup();
    const ac = new AbortController();
    ac.abort();
    let runs = 0;
    await expect(
      runner.run('PutThing', async () => {
        runs++;
      }, { requestId: 'r-2', signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'Unavailable', message: 'request aborted' });
    expect(runs).toBe(0);
  });

  it('does not retry domain errors, and maps KvUnavailableError to Unavailable', async () => {
    const { kv, runner } = setup();
    let runs = 0;
    await expect(
      runner.run('Y', async () => {
        runs++;
        throw new ServiceError('NoSuchKey');
      }),
    ).rejects.toMatchObject({ code: 'NoSuchKey' });
    expect(runs).toBe(1);
    kv.failNextCommits(1, new KvUnavailableError('down'));
    const e = await runner.run('Z', async (tx) => tx.put(Buffer.from('k'), Buffer.from('v'))).catch((x) => x);
    expect(isServiceError(e, 'Unavailable')).toBe(true);
  });

  it('never retries an unknown commit outcome: one attempt, Internal, counted apart', async () => {
    const { kv, runner, reg } = setup();
    let runs = 0;
    kv.failNextCommits(1, new KvUnknownOutcomeError('primary commit reply lost'));
    const e = await runner
      .run('U', async (tx) => {
        runs++;
        tx.put(Buffer.from('k'), Buffer.from('v'));
      })
      .catch((x) => x);
    expect(runs).toBe(1);
    expect(isServiceError(e, 'Internal')).toBe(true);
    expect(await metric(reg, 'metadata_txn_total', { operation: 'U', result: 'unknown_outcome' })).toBe(1);
  });

  it('shares metrics on one registry without registering twice', () => {
    const reg = new Registry();
    const a = createMetadataMetrics(reg);
    const b = createMetadataMetrics(reg);
    expect(a.txnRestarts).toBe(b.txnRestarts);
  });

  describe('space', () => {
    const setupSpace = () => {
      const kv = new MemoryKv();
      const reg = new Registry();
      const seen: (TxnOptions | undefined)[] = [];
      const spy: KvStore = {
        txn: (fn, opts) => {
          seen.push(opts);
          return kv.txn(fn);
        },
        snapshot: () => kv.snapshot(),
        close: () => kv.close(),
      };
      const reserve = { isLow: false, full: 0, low: () => reserve.isLow, noteFull: () => void reserve.full++, describe: () => '1 MiB free on /data, below the 256 MiB reserve' };
      const runner = new TxnRunner(spy, createMetadataMetrics(reg), { maxAttempts: 5, serializedMaxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 }, async () => {}, reserve);
      return { kv, reg, seen, reserve, runner };
    };
    const put = async (tx: { put(k: Buffer, v: Buffer): void }) => tx.put(Buffer.from('k'), Buffer.from('v'));

    it('refuses operations that add data while the reserve is low, before any transaction', async () => {
      const { reg, seen, reserve, runner } = setupSpace();
      reserve.isLow = true;
      for (const op of ADDS_DATA) {
        const e = await runner.run(op, put).catch((x: unknown) => x);
        expect(e).toEqual(new ServiceError('InsufficientStorage', `${op}: refused, 1 MiB free on /data, below the 256 MiB reserve`));
        expect(await metric(reg, 'metadata_txn_total', { operation: op, result: 'full' })).toBe(1);
      }
      expect(seen).toHaveLength(0);
      // Deletes and everything else still run while it is low; those that may use the reserve say so to the store.
      await runner.run('DeleteObject', put);
      await runner.run('PutBucketConfig', put);
      expect(seen).toEqual([{ useReserve: true }, undefined]);
      reserve.isLow = false;
      await runner.run('PutObject', put);
      expect(seen[2]).toBeUndefined();
    });

    it('lets every operation that must work on a full store use the reserve, and none of them adds data', async () => {
      const { seen, runner } = setupSpace();
      for (const op of USES_RESERVE) {
        expect(ADDS_DATA.has(op)).toBe(false);
        await runner.run(op, put);
      }
      expect(seen).toEqual([...USES_RESERVE].map(() => ({ useReserve: true })));
    });

    it('turns a store with no room (KvStoreFullError) into InsufficientStorage, never retried, and measures again', async () => {
      const { kv, reg, reserve, runner } = setupSpace();
      kv.failNextCommits(1, new KvStoreFullError('LMDB commit failed, the disk holding /data is full: Input/output error'));
      let runs = 0;
      const e = await runner
        .run('PutBucketConfig', async (tx) => {
          runs++;
          await put(tx);
        })
        .catch((x: unknown) => x);
      expect(e).toEqual(new ServiceError('InsufficientStorage', 'PutBucketConfig: LMDB commit failed, the disk holding /data is full: Input/output error'));
      expect(runs).toBe(1);
      expect(reserve.full).toBe(1);
      expect(await metric(reg, 'metadata_txn_total', { operation: 'PutBucketConfig', result: 'full' })).toBe(1);
      expect(await metric(reg, 'metadata_txn_restarts_total', { operation: 'PutBucketConfig' })).toBe(0);
    });
  });
});
