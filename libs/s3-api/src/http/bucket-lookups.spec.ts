import type { CallCtx } from '@massive/contracts';
import { BucketLookups } from './bucket-lookups';

const ctx: CallCtx = { requestId: 'r' };

function setup(answer: (bucket: string) => Promise<string> = async (b) => `v-${b}`) {
  let now = 1000;
  const asked: string[] = [];
  const seen: CallCtx[] = [];
  const lookups = new BucketLookups<string>(
    (bucket, c) => {
      asked.push(bucket);
      seen.push(c);
      return answer(bucket);
    },
    { ttlMs: 100, maxEntries: 2, now: () => now },
  );
  return { lookups, asked, seen, advance: (ms: number) => (now += ms), now: () => now };
}

describe('BucketLookups', () => {
  it('shares one lookup among concurrent callers and reuses the answer for ttlMs', async () => {
    const { lookups, asked, advance } = setup();
    expect(await Promise.all([lookups.get('a', ctx), lookups.get('a', ctx)])).toEqual(['v-a', 'v-a']);
    advance(99);
    expect(await lookups.get('a', ctx)).toBe('v-a');
    expect(asked).toEqual(['a']);
    advance(1);
    await lookups.get('a', ctx);
    expect(asked).toEqual(['a', 'a']);
  });

  it('peek answers only a settled, fresh lookup', async () => {
    const { lookups, advance } = setup();
    expect(lookups.peek('a')).toBeUndefined();
    const pending = lookups.get('a', ctx);
    expect(lookups.peek('a')).toBeUndefined();
    await pending;
    expect(lookups.peek('a')).toEqual({ value: 'v-a' });
    advance(100);
    expect(lookups.peek('a')).toBeUndefined();
  });

  it('forgets on demand; keeps no failure (rejected or thrown); holds at most maxEntries buckets', async () => {
    let fail: 'reject' | 'throw' | undefined = 'reject';
    const { lookups, asked } = setup((b) => {
      if (fail === 'throw') throw new Error('thrown');
      return fail === 'reject' ? Promise.reject(new Error('down')) : Promise.resolve(`v-${b}`);
    });
    await expect(lookups.get('a', ctx)).rejects.toThrow('down');
    fail = 'throw';
    await expect(lookups.get('a', ctx)).rejects.toThrow('thrown');
    fail = undefined;
    expect(await lookups.get('a', ctx)).toBe('v-a');
    lookups.forget('a');
    await lookups.get('a', ctx);
    expect(asked).toEqual(['a', 'a', 'a', 'a']);
    await lookups.get('b', ctx);
    await lookups.get('c', ctx); // 'a', the oldest, goes
    await lookups.get('b', ctx);
    await lookups.get('a', ctx);
    expect(asked).toEqual(['a', 'a', 'a', 'a', 'b', 'c', 'a']);
  });

  it("gives the shared lookup a deadline of its own, never the first caller's hang-up signal", async () => {
    const { lookups, seen, now } = setup();
    await lookups.get('a', { requestId: 'first', signal: AbortSignal.abort() });
    expect(seen).toEqual([{ requestId: 'first', deadline: now() + 10_000 }]);
  });
});
