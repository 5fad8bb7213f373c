import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { callAborted, whenAborted } from '@massive/contracts';
import { RequestCtx } from './request-ctx';

/** A response that closes finished (the reply went out) or not (the client hung up first). */
function response(): { res: ServerResponse; close: (finished: boolean) => void } {
  const res = new EventEmitter() as EventEmitter & { writableFinished: boolean };
  res.writableFinished = false;
  return {
    res: res as unknown as ServerResponse,
    close: (finished) => {
      res.writableFinished = finished;
      res.emit('close');
    },
  };
}

describe("the gateway request's ctx (RequestCtx)", () => {
  it('calls onAbort listeners once on a hang-up, without making the signal; one unregistered, or registered after, is not called', () => {
    const { res, close } = response();
    const ctx = new RequestCtx(res, 'r');
    const called: string[] = [];
    whenAborted(ctx, () => called.push('a'));
    const offB = whenAborted(ctx, () => called.push('b'));
    offB();
    expect(callAborted(ctx)).toBe(false);
    close(false);
    expect(called).toEqual(['a']);
    expect(ctx.isAborted()).toBe(true);
    expect(callAborted(ctx)).toBe(true);
    whenAborted(ctx, () => called.push('late'));
    res.emit('close');
    expect(called).toEqual(['a']);
    // A signal first asked for after the hang-up is born aborted.
    expect(ctx.signal?.aborted).toBe(true);
  });

  it('a signal made before the hang-up aborts with it, alongside the listeners; a finished response aborts nothing', () => {
    const first = response();
    const ctx = new RequestCtx(first.res, 'r');
    const signal = ctx.signal!;
    let heard = 0;
    whenAborted(ctx, () => heard++);
    first.close(false);
    expect({ aborted: signal.aborted, heard }).toEqual({ aborted: true, heard: 1 });

    const done = response();
    const finished = new RequestCtx(done.res, 'r');
    whenAborted(finished, () => heard++);
    done.close(true);
    expect({ aborted: callAborted(finished), heard }).toEqual({ aborted: false, heard: 1 });
  });

  it('is a CallCtx by its methods: requestId, isAborted and onAbort answer through the contracts helpers; the signal getter makes one signal', () => {
    const { res, close } = response();
    const ctx = new RequestCtx(res, 'req-1');
    expect(ctx.requestId).toBe('req-1');
    expect(ctx.signal).toBe(ctx.signal);
    const order: string[] = [];
    ctx.signal.addEventListener('abort', () => order.push('signal'));
    whenAborted(ctx, () => order.push('listener'));
    close(false);
    expect(order).toEqual(['signal', 'listener']);
    expect(whenAborted(ctx, () => order.push('late'))).toEqual(expect.any(Function));
    expect(order).toEqual(['signal', 'listener']);
  });
});
