import { callAborted } from './call-ctx';

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
