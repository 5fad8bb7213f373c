import type { CallCtx, WriteIntent } from '@massive/contracts';
import { IntentPool } from './intent-pool';

const ctx: CallCtx = { requestId: 'r' };
const settle = () => new Promise((r) => setImmediate(r));

function fakeMetadata() {
  let n = 0;
  let failing = false;
  const created: string[] = [];
  return {
    created,
    fail: (on: boolean) => (failing = on),
    createWriteIntent: async (req: { ttlMs: number }): Promise<WriteIntent> => {
      if (failing) throw new Error('metadata down');
      const intentId = `i${n++}`;
      created.push(intentId);
      return { intentId, expiresAt: Date.now() + req.ttlMs };
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
