import { EventEmitter } from 'node:events';
import { KvUnavailableError } from '@massive/kv';
import { DEFAULT_BACKOFF_POLICIES } from '../backoff';
import { composeTs } from './timestamp';
import { TsoStream, type TsoStreamDeps } from './tso';

class FakeStream extends EventEmitter {
  readonly writes: { count: number }[] = [];
  cancelled = false;
  write(req: { count: number }): boolean {
    this.writes.push(req);
    return true;
  }
  cancel(): void {
    this.cancelled = true;
  }
  reply(physical: number, logical: number, count = this.writes[this.writes.length - 1].count): void {
    this.emit('data', { count, timestamp: { physical: String(physical), logical: String(logical) } });
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function setup(overrides: Partial<TsoStreamDeps> = {}) {
  const streams: FakeStream[] = [];
  const failures: Error[] = [];
  const tso = new TsoStream({
    open: async () => {
      const s = new FakeStream();
      streams.push(s);
      return { stream: s as any, header: { cluster_id: '1' } };
    },
    onFailure: (e) => failures.push(e),
    backoff: { policies: DEFAULT_BACKOFF_POLICIES, sleep: async () => undefined, random: () => 1 },
    budgetMs: 1000,
    timeoutMs: 200,
    ...overrides,
  });
  return { tso, streams, failures };
}

describe('TsoStream', () => {
  it('shares one request among the callers waiting, and expands the reply in order', async () => {
    const { tso, streams } = setup();
    const first = [tso.getTimestamp(), tso.getTimestamp(), tso.getTimestamp()];
    await tick();
    expect(streams).toHaveLength(1);
    expect(streams[0].writes).toEqual([{ header: { cluster_id: '1' }, count: 3 }]);
    const second = [tso.getTimestamp(), tso.getTimestamp()]; // arrive while the batch is in flight
    await tick();
    expect(streams[0].writes).toHaveLength(1);
    streams[0].reply(100, 10);
    expect(await Promise.all(first)).toEqual([composeTs(100, 8), composeTs(100, 9), composeTs(100, 10)]);
    await tick();
    expect(streams[0].writes[1].count).toBe(2);
    streams[0].reply(100, 12);
    expect(await Promise.all(second)).toEqual([composeTs(100, 11), composeTs(100, 12)]);
    expect(tso.requestCount).toBe(2);
    tso.close();
  });

  it('reopens a broken stream and asks again for the unanswered batch', async () => {
    const { tso, streams, failures } = setup();
    const ts = tso.getTimestamp();
    await tick();
    streams[0].emit('error', new Error('leader changed'));
    await tick();
    await tick();
    expect(streams[0].cancelled).toBe(true);
    expect(failures.map((e) => e.message)).toEqual(['leader changed']);
    expect(streams).toHaveLength(2);
    expect(streams[1].writes[0].count).toBe(1);
    streams[1].reply(200, 0);
    expect(await ts).toBe(composeTs(200, 0));
    tso.close();
  });

  it('treats a silent stream as broken after the timeout', async () => {
    // The first stream never answers; the one opened after it answers its request from setImmediate,
    // which always runs before a timer set with it (the check phase comes before the next timers
    // phase), so the retry never races its own 20 ms timeout however loaded the machine is.
    const streams: FakeStream[] = [];
    const { tso, failures } = setup({
      timeoutMs: 20,
      open: async () => {
        const s = new FakeStream();
        if (streams.length > 0) {
          s.write = (req) => {
            s.writes.push(req);
            setImmediate(() => s.reply(300, 1));
            return true;
          };
        }
        streams.push(s);
        return { stream: s as any, header: { cluster_id: '1' } };
      },
    });
    expect(await tso.getTimestamp()).toBe(composeTs(300, 1));
    expect(failures.map((e) => e.message)).toEqual([expect.stringMatching(/timed out/)]);
    expect(streams).toHaveLength(2);
    expect(streams[0].cancelled).toBe(true);
    tso.close();
  });

  it('rejects a reply whose count does not match, then recovers', async () => {
    const { tso, streams } = setup();
    const ts = tso.getTimestamp();
    await tick();
    streams[0].reply(1, 5, 7);
    await tick();
    await tick();
    streams[1].reply(1, 6);
    expect(await ts).toBe(composeTs(1, 6));
    tso.close();
  });

  it('gives up with KvUnavailableError when PD cannot be reached within the budget', async () => {
    const { tso } = setup({
      open: () => Promise.reject(new Error('connection refused')),
      budgetMs: 100,
    });
    const err = await tso.getTimestamp().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvUnavailableError);
    expect((err as Error).message).toMatch(/connection refused/);
    tso.close();
  });

  it('rejects waiting callers on close', async () => {
    const { tso } = setup();
    const ts = tso.getTimestamp();
    await tick();
    tso.close();
    await expect(ts).rejects.toThrow(/closed/);
    await expect(tso.getTimestamp()).rejects.toThrow(/closed/);
  });
});
