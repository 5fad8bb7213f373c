import { renewalPeriod, renewWhileProgressing } from './intent-renewal';

describe('renewWhileProgressing', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('renews only after periods in which bytes arrived, and lets a stalled intent lapse', () => {
    let bytes = 0;
    let renewals = 0;
    let stalls = 0;
    const stop = renewWhileProgressing({ everyMs: 1000, progress: () => bytes, renew: async () => renewals++, onStalled: () => stalls++ });
    bytes = 10;
    jest.advanceTimersByTime(1000);
    expect(renewals).toBe(1);
    // No byte for three periods: no renewal at all, whatever the TTL.
    jest.advanceTimersByTime(3000);
    expect(renewals).toBe(1);
    expect(stalls).toBe(3);
    bytes = 11;
    jest.advanceTimersByTime(1000);
    expect(renewals).toBe(2);
    stop();
    bytes = 99;
    jest.advanceTimersByTime(5000);
    expect(renewals).toBe(2);
  });

  it('swallows a failed renewal (the commit finds a lapsed intent itself)', async () => {
    let bytes = 0;
    const renew = jest.fn(async () => {
      throw new Error('metadata down');
    });
    const stop = renewWhileProgressing({ everyMs: 10, progress: () => bytes, renew });
    bytes = 1;
    jest.advanceTimersByTime(10);
    await Promise.resolve();
    expect(renew).toHaveBeenCalledTimes(1);
    stop();
  });

  it('keeps renewing once the body is fully received, bytes or not (the store may still be writing)', () => {
    let bytes = 0;
    let received = false;
    let renewals = 0;
    const stop = renewWhileProgressing({ everyMs: 100, progress: () => bytes, received: () => received, renew: async () => renewals++ });
    bytes = 5;
    jest.advanceTimersByTime(100);
    expect(renewals).toBe(1);
    jest.advanceTimersByTime(300); // stalled client: no renewal
    expect(renewals).toBe(1);
    received = true;
    jest.advanceTimersByTime(300); // the gateway's own chunk writes: renewed each period
    expect(renewals).toBe(4);
    stop();
  });

  it('looks three times per TTL (so at most once a second from a 3 s TTL up)', () => {
    expect(renewalPeriod(6 * 3600_000)).toBe(2 * 3600_000);
    expect(renewalPeriod(3000)).toBe(1000);
    expect(renewalPeriod(1000)).toBe(333);
  });
});
