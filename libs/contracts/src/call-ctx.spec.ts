import { callAborted, throwIfCallAborted, whenAborted } from './call-ctx';
import { hangUpCtx } from './testing';

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
    const h = hangUpCtx();
    expect(callAborted(h.ctx)).toBe(false);
    h.hangUp();
    expect(callAborted({ ...h.ctx, requestId: 'copied' })).toBe(true);
    expect(h.signalReads()).toBe(1); // the spread read the getter once; callAborted never did
  });
});

describe('whenAborted', () => {
  it('listens through onAbort when the ctx has one, never reading its signal', () => {
    const h = hangUpCtx();
    let calls = 0;
    whenAborted(h.ctx, () => calls++);
    const off = whenAborted(h.ctx, () => calls++);
    expect(h.listening()).toBe(2);
    off();
    expect(h.listening()).toBe(1);
    h.hangUp();
    expect({ calls, reads: h.signalReads() }).toEqual({ calls: 1, reads: 0 });
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
    const reason = new Error('gone');
    const h = hangUpCtx(reason);
    expect(() => throwIfCallAborted(h.ctx)).not.toThrow();
    expect(h.signalReads()).toBe(0);
    h.hangUp();
    expect(() => throwIfCallAborted(h.ctx)).toThrow(reason);
    // Aborted without a signal to give a reason: an AbortError.
    expect(() => throwIfCallAborted({ requestId: 'r', isAborted: () => true })).toThrow(expect.objectContaining({ name: 'AbortError' }));
    expect(() => throwIfCallAborted(undefined)).not.toThrow();
  });
});
