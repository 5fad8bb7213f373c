import { ServiceError, type CallCtx, type WriteIntent } from '@massive/contracts';
import { BATCH_RETRY_MS, IntentPool } from './intent-pool';

const ctx: CallCtx = { requestId: 'r' };
const settle = () => new Promise((r) => setImmediate(r));

function fakeMetadata({ batches = true } = {}) {
  let n = 0;
  let failing = false;
  const created: string[] = [];
  /** Calls made: 'one' per createWriteIntent, 'batch:<count>' per createWriteIntents. */
  const calls: string[] = [];
  const make = (ttlMs: number): WriteIntent => {
    const intentId = `i${n++}`;
    created.push(intentId);
    return { intentId, expiresAt: Date.now() + ttlMs };
  };
  return {
    created,
    calls,
    fail: (on: boolean) => (failing = on),
    createWriteIntent: async (req: { ttlMs: number }): Promise<WriteIntent> => {
      calls.push('one');
      if (failing) throw new Error('metadata down');
      return make(req.ttlMs);
    },
    createWriteIntents: async (req: { ttlMs: number; count: number }): Promise<WriteIntent[]> => {
      calls.push(`batch:${req.count}`);
      // An older metadata service answers UNIMPLEMENTED, which the client reports as Internal.
      if (!batches) throw new ServiceError('Internal', 'metadata (127.0.0.1:7070): UNIMPLEMENTED: no unary method CreateWriteIntents to multiplex');
      if (failing) throw new Error('metadata down');
      return Array.from({ length: req.count }, () => make(req.ttlMs));
    },
  };
}

describe('IntentPool', () => {
  it('hands out pre-created intents, each once, and refills in the background', async () => {
    const md = fakeMetadata();
    const pool = new IntentPool(md, { ttlMs: 60_000, size: 4 });
    const first = await pool.take(ctx); // empty pool: created for this caller
    await settle();
    expect(pool.available).toBe(4);
    const taken = [first.intentId];
    for (let i = 0; i < 10; i++) {
      taken.push((await pool.take(ctx)).intentId);
      await settle();
    }
    expect(new Set(taken).size).toBe(taken.length);
    // Every intent handed out was created by the metadata service; none twice.
    for (const id of taken) expect(md.created).toContain(id);
    // One call per refill, for all the intents it was missing; only the first take, on an empty pool, made its own.
    // (take starts the refill before it creates its own intent)
    expect(md.calls.slice(0, 2)).toEqual(['batch:4', 'one']);
    expect(md.calls.slice(2).every((c) => c.startsWith('batch:'))).toBe(true);
    expect(md.calls.length).toBeLessThan(taken.length);
  });

  it('with a metadata service that lacks createWriteIntents, refills one by one, and tries a batch again after BATCH_RETRY_MS', async () => {
    const md = fakeMetadata({ batches: false });
    let clock = 1_000_000;
    const pool = new IntentPool(md, { ttlMs: 600_000, size: 3, maxAgeMs: 10 * BATCH_RETRY_MS, now: () => clock });
    await pool.take(ctx);
    await settle();
    expect(md.calls).toEqual(['batch:3', 'one', 'one', 'one', 'one']);
    expect(pool.available).toBe(3);
    await pool.take(ctx);
    await pool.take(ctx); // 1 left: refill the 2 missing, still one by one
    await settle();
    expect(md.calls.slice(5)).toEqual(['one', 'one']);
    expect(pool.available).toBe(3);
    clock += BATCH_RETRY_MS;
    await pool.take(ctx);
    await pool.take(ctx);
    await settle();
    expect(md.calls.slice(7)).toEqual(['batch:2', 'one', 'one']);
    expect(pool.available).toBe(3);
  });

  it('never hands out an intent older than maxAgeMs (its holder must get nearly the whole TTL)', async () => {
    const md = fakeMetadata();
    let clock = 1_000_000;
    const pool = new IntentPool(md, { ttlMs: 60_000, size: 2, maxAgeMs: 1000, now: () => clock });
    await pool.take(ctx);
    await settle();
    const stale = new Set(md.created.slice(1));
    expect(stale.size).toBe(2);
    clock += 1001;
    const next = await pool.take(ctx);
    expect(stale.has(next.intentId)).toBe(false);
  });

  it('surfaces the error of an intent created for the caller; a failed refill only empties the pool', async () => {
    const md = fakeMetadata();
    const pool = new IntentPool(md, { ttlMs: 60_000, size: 2 });
    md.fail(true);
    await expect(pool.take(ctx)).rejects.toThrow('metadata down');
    await settle();
    expect(pool.available).toBe(0);
    md.fail(false);
    await expect(pool.take(ctx)).resolves.toMatchObject({ intentId: expect.any(String) });
  });

  it('size 0: every take creates its own intent, nothing is created ahead', async () => {
    const md = fakeMetadata();
    const pool = new IntentPool(md, { ttlMs: 60_000, size: 0 });
    await pool.take(ctx);
    await pool.take(ctx);
    await settle();
    expect(md.created).toHaveLength(2);
  });
});
