import { ServiceError } from '@massive/contracts';
import { cancelledByCaller, servedCall } from './call-ctx';

describe('servedCall', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('makes no signal and no timer for a call whose handler never reads ctx.signal', () => {
    jest.useFakeTimers();
    const made = jest.spyOn(globalThis, 'AbortController');
    const served = servedCall('req-1', Date.now() + 5_000);
    expect(served.ctx.requestId).toBe('req-1');
    expect(served.ctx.deadline).toBeDefined();
    served.abort(cancelledByCaller());
    served.done();
    expect(made).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('aborts the signal at the deadline once read, and the same signal on every read', () => {
    jest.useFakeTimers();
    const served = servedCall('req-2', Date.now() + 1_000);
    const signal = served.ctx.signal!;
    expect(served.ctx.signal).toBe(signal);
    expect(signal.aborted).toBe(false);
    jest.advanceTimersByTime(999);
    expect(signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toEqual(new ServiceError('Unavailable', 'deadline exceeded'));
  });

  it('a signal first read after the deadline passed is aborted by the next timer tick', () => {
    jest.useFakeTimers();
    const served = servedCall('req-3', Date.now() + 100);
    jest.advanceTimersByTime(500);
    const signal = served.ctx.signal!;
    jest.advanceTimersByTime(0);
    expect(signal.aborted).toBe(true);
  });

  it('a signal read after abort is aborted with its reason; one read before is aborted by it', () => {
    const before = servedCall('req-4', undefined);
    const early = before.ctx.signal!;
    const why = cancelledByCaller();
    before.abort(why);
    expect(early.aborted).toBe(true);
    expect(early.reason).toBe(why);

    const after = servedCall('req-5', undefined);
    after.abort(why);
    after.abort(new Error('a later reason does not replace the first'));
    expect(after.ctx.signal!.aborted).toBe(true);
    expect(after.ctx.signal!.reason).toBe(why);
  });

  it('done() stops the deadline: a call that finished is never aborted by it, whenever its signal is read', () => {
    jest.useFakeTimers();
    const read = servedCall('req-6', Date.now() + 1_000);
    const signal = read.ctx.signal!;
    read.done();
    expect(jest.getTimerCount()).toBe(0);
    const late = servedCall('req-7', Date.now() + 1_000);
    late.done();
    const lateSignal = late.ctx.signal!;
    jest.advanceTimersByTime(5_000);
    expect(signal.aborted).toBe(false);
    expect(lateSignal.aborted).toBe(false);
  });

  it('isAborted answers without making the signal, and follows the signal once it is made', () => {
    jest.useFakeTimers();
    const made = jest.spyOn(globalThis, 'AbortController');
    const lazy = servedCall('req-8', Date.now() + 1_000);
    expect(lazy.ctx.isAborted!()).toBe(false);
    lazy.abort(cancelledByCaller());
    expect(lazy.ctx.isAborted!()).toBe(true);
    expect(made).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
    made.mockRestore(); // jest's spy cannot construct the class

    const read = servedCall('req-9', Date.now() + 1_000);
    const signal = read.ctx.signal!;
    expect(read.ctx.isAborted!()).toBe(false);
    jest.advanceTimersByTime(1_000);
    expect(signal.aborted).toBe(true);
    expect(read.ctx.isAborted!()).toBe(true);
  });

  it('onAbort tells each listener once on abort, makes no signal, and a removed or late listener is not called', () => {
    jest.useFakeTimers();
    const made = jest.spyOn(globalThis, 'AbortController');
    const served = servedCall('req-10', undefined);
    const heard: string[] = [];
    served.ctx.onAbort!(() => heard.push('a'));
    const off = served.ctx.onAbort!(() => heard.push('b'));
    off();
    served.abort(cancelledByCaller());
    served.abort(new Error('again'));
    served.ctx.onAbort!(() => heard.push('late'))();
    expect(heard).toEqual(['a']);
    expect(made).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a listener arms the deadline: it is told when it passes, and the signal read later carries that reason', () => {
    jest.useFakeTimers();
    const served = servedCall('req-11', Date.now() + 1_000);
    let heard = 0;
    served.ctx.onAbort!(() => heard++);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(999);
    expect([heard, served.ctx.isAborted!()]).toEqual([0, false]);
    jest.advanceTimersByTime(1);
    expect([heard, served.ctx.isAborted!()]).toEqual([1, true]);
    expect(served.ctx.signal!.reason).toEqual(new ServiceError('Unavailable', 'deadline exceeded'));
  });

  it('done() drops the listeners and the deadline: nothing is told afterwards', () => {
    jest.useFakeTimers();
    const served = servedCall('req-12', Date.now() + 1_000);
    let heard = 0;
    served.ctx.onAbort!(() => heard++);
    served.done();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(5_000);
    served.abort(cancelledByCaller());
    expect(heard).toBe(0);
  });

  it('names an unknown caller and leaves the deadline out when there is none', () => {
    const served = servedCall('', undefined);
    expect(served.ctx.requestId).toBe('unknown');
    expect(served.ctx.deadline).toBeUndefined();
  });
});
