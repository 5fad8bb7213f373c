import { callAborted, throwIfCallAborted, whenAborted } from './call-ctx';

describe('callAborted', () => {
  it('is false without a ctx or a signal, and follows the signal without isAborted', () => {
    expect(callAborted(undefined)).toBe(false);
    expect(callAborted({ requestId: 'r' })).toBe(false);
    const ac = new AbortController();
    const ctx = { requestId: 'r', signal: ac.signal };
    expect(callAborted(ctx)).toBe(false);
    ac.abort();
    expect(callAborted(ctx)).toBe(true);
  });

  it('asks isAborted when there is one, and never reads the signal then', () => {
    let reads = 0;
    let aborted = false;
    const ctx = {
      requestId: 'r',
      get signal(): AbortSignal {
        reads++;
        return AbortSignal.abort();
      },
      isAborted: () => aborted,
    };
    expect(callAborted(ctx)).toBe(false);
    aborted = true;
    expect(callAborted({ ...ctx, requestId: 'copied' })).toBe(true);
    expect(reads).toBe(1); // the spread read the getter once; callAborted never did
  });
});

describe('whenAborted', () => {
  it('listens through onAbort when the ctx has one, never reading its signal', () => {
    let reads = 0;
    const registered: (() => void)[] = [];
    let removed = 0;
    const ctx = {
      requestId: 'r',
      get signal(): AbortSignal {
        reads++;
        return new AbortController().signal;
      },
      onAbort: (l: () => void) => {
        registered.push(l);
        return () => void removed++;
      },
    };
    let calls = 0;
    const off = whenAborted(ctx, () => calls++);
    registered[0]();
    off();
    expect({ calls, removed, reads }).toEqual({ calls: 1, removed: 1, reads: 0 });
  });

  it('falls back to the signal: called once on abort, not after being removed; nothing to do without a ctx or signal', () => {
    const ac = new AbortController();
    let calls = 0;
    whenAborted({ requestId: 'r', signal: ac.signal }, () => calls++);
    const ac2 = new AbortController();
    const off = whenAborted({ requestId: 'r', signal: ac2.signal }, () => calls++);
    off();
    ac.abort();
    ac.abort();
    ac2.abort();
    expect(calls).toBe(1);
    expect(() => whenAborted(undefined, () => calls++)()).not.toThrow();
    expect(() => whenAborted({ requestId: 'r' }, () => calls++)()).not.toThrow();
  });
});

describe('throwIfCallAborted', () => {
  it('throws the signal’s reason once aborted, and reads no signal before', () => {
    let reads = 0;
    let aborted = false;
    const reason = new Error('gone');
    const ctx = {
      requestId: 'r',
      get signal(): AbortSignal {
        reads++;
        return AbortSignal.abort(reason);
      },
      isAborted: () => aborted,
    };
    expect(() => throwIfCallAborted(ctx)).not.toThrow();
    expect(reads).toBe(0);
    aborted = true;
    expect(() => throwIfCallAborted(ctx)).toThrow(reason);
    // Aborted without a signal to give a reason: an AbortError.
    expect(() => throwIfCallAborted({ requestId: 'r', isAborted: () => true })).toThrow(expect.objectContaining({ name: 'AbortError' }));
    expect(() => throwIfCallAborted(undefined)).not.toThrow();
  });
});
