import { Halt, raceAbort } from './abort';

describe('raceAbort', () => {
  it('passes results through without a signal or before an abort', async () => {
    await expect(raceAbort(Promise.resolve(1), undefined)).resolves.toBe(1);
    await expect(raceAbort(Promise.resolve(2), new AbortController().signal)).resolves.toBe(2);
    await expect(raceAbort(Promise.reject(new Error('x')), new AbortController().signal)).rejects.toThrow('x');
  });
  it('rejects with the abort reason while the promise is pending', async () => {
    const ac = new AbortController();
    const p = raceAbort(new Promise(() => undefined), ac.signal);
    ac.abort(new Error('gone'));
    await expect(p).rejects.toThrow('gone');
  });
  it('rejects at once on an already aborted signal', async () => {
    await expect(raceAbort(Promise.resolve(1), AbortSignal.abort(new Error('early')))).rejects.toThrow('early');
  });
});

describe('Halt', () => {
  it('passes results and errors through until it aborts, then rejects races with its reason', async () => {
    const h = new Halt();
    await expect(h.race(Promise.resolve(1))).resolves.toBe(1);
    await expect(h.race(Promise.reject(new Error('x')))).rejects.toThrow('x');
    const pending = h.race(new Promise(() => undefined));
    h.abort(new Error('first'));
    h.abort(new Error('second'));
    await expect(pending).rejects.toThrow('first');
    await expect(h.race(Promise.resolve(2))).rejects.toThrow('first');
    expect(() => h.throwIfAborted()).toThrow('first');
  });

  it("follows a ctx's onAbort without making its lazy signal, and takes the signal's reason on abort", async () => {
    let signalReads = 0;
    const listeners = new Set<() => void>();
    let gone = false;
    const ac = new AbortController();
    const ctx = {
      requestId: 'r',
      get signal() {
        signalReads++;
        return ac.signal;
      },
      isAborted: () => gone,
      onAbort: (l: () => void) => (listeners.add(l), () => void listeners.delete(l)),
    };
    const h = new Halt();
    const unfollow = h.follow(ctx);
    await expect(h.race(Promise.resolve('ok'))).resolves.toBe('ok');
    expect(signalReads).toBe(0);
    const pending = h.race(new Promise(() => undefined));
    gone = true;
    ac.abort(new Error('client closed the connection'));
    for (const l of listeners) l();
    await expect(pending).rejects.toThrow('client closed the connection');
    unfollow();
    expect(listeners.size).toBe(0);
  });

  it('follows a plain signal, and a call aborted already aborts it at once', async () => {
    const ac = new AbortController();
    const h = new Halt();
    const unfollow = h.follow({ requestId: 'r', signal: ac.signal });
    ac.abort(new Error('cancelled'));
    expect(() => h.throwIfAborted()).toThrow('cancelled');
    unfollow();
    const late = new Halt();
    late.follow({ requestId: 'r', signal: AbortSignal.abort(new Error('before')) });
    await expect(late.race(Promise.resolve(1))).rejects.toThrow('before');
    const plain = new Halt();
    plain.follow({ requestId: 'r', isAborted: () => true });
    expect(() => plain.throwIfAborted()).toThrow(/aborted/);
  });

  it('handles a promise raced after the abort, so its later rejection is not left unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const halt = new Halt();
      halt.abort(new Error('put failed'));
      let fail!: (e: Error) => void;
      const read = new Promise<never>((_, reject) => (fail = reject));
      await expect(halt.race(read)).rejects.toThrow('put failed');
      const ac = new AbortController();
      ac.abort(new Error('caller left'));
      let fail2!: (e: Error) => void;
      await expect(raceAbort(new Promise<never>((_, reject) => (fail2 = reject)), ac.signal)).rejects.toThrow('caller left');
      fail(new Error('hash job updated after it ended'));
      fail2(new Error('late'));
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
