import { idleTimeout } from './idle-timeout';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Yields each piece after its delay; records whether it was returned (released) by the reader. */
function paced(pieces: [delayMs: number, value: string][]) {
  const state = { returned: false };
  const it: AsyncIterableIterator<string> = {
    [Symbol.asyncIterator]: () => it,
    async next() {
      const p = pieces.shift();
      if (!p) return { done: true, value: undefined };
      await sleep(p[0]);
      return { done: false, value: p[1] };
    },
    async return() {
      state.returned = true;
      return { done: true, value: undefined };
    },
  };
  return { it, state };
}

async function drain(src: AsyncIterable<string>, perPiece = 0): Promise<string> {
  let s = '';
  for await (const v of src) {
    s += v;
    if (perPiece) await sleep(perPiece);
  }
  return s;
}

describe('idleTimeout', () => {
  it('passes a source through while pieces keep arriving within the limit, however long it runs', async () => {
    const { it } = paced([
      [20, 'a'],
      [20, 'b'],
      [20, 'c'],
      [20, 'd'],
      [20, 'e'],
    ]);
    expect(await drain(idleTimeout(it, 60))).toBe('abcde');
  });

  it('fails with RequestTimeout when the client sends nothing for the limit, without releasing the source', async () => {
    const { it, state } = paced([
      [5, 'a'],
      [500, 'late'],
    ]);
    const started = Date.now();
    await expect(drain(idleTimeout(it, 50))).rejects.toMatchObject({ code: 'RequestTimeout', status: 400 });
    expect(Date.now() - started).toBeLessThan(400);
    // Returning an IncomingMessage would destroy the socket before the 400 is written.
    expect(state.returned).toBe(false);
  });

  it('does not count time the consumer spends on a piece (storage backpressure)', async () => {
    const { it } = paced([
      [5, 'a'],
      [5, 'b'],
    ]);
    expect(await drain(idleTimeout(it, 40), 100)).toBe('ab');
  });

  it('releases the source when the consumer stops early, and is a plain pass-through at 0', async () => {
    const { it, state } = paced([
      [1, 'a'],
      [1, 'b'],
    ]);
    await expect(
      (async () => {
        for await (const v of idleTimeout(it, 1000)) if (v === 'a') throw new Error('consumer failed');
      })(),
    ).rejects.toThrow('consumer failed');
    expect(state.returned).toBe(true);
    expect(await drain(idleTimeout(paced([[1, 'x']]).it, 0))).toBe('x');
  });
});
