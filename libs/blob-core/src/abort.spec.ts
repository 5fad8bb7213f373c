import { raceAbort } from './abort';

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
