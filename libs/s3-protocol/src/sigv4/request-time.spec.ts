import { checkPresignedTime, checkScopeDate, checkSkew, formatAmzDate, parseAmzDate, requestDateTime } from './request-time';

const T = new Date('2013-05-24T00:00:00Z');
const at = (ms: number) => new Date(T.getTime() + ms);
const MIN = 60_000;

describe('request time', () => {
  it('parses and formats x-amz-date', () => {
    expect(parseAmzDate('20130524T000000Z')).toEqual(T);
    expect(formatAmzDate(T)).toBe('20130524T000000Z');
    for (const bad of ['20130524T000000', '20131324T000000Z', '20130230T000000Z', '20130524T250000Z', '2013-05-24T00:00:00Z']) {
      expect(parseAmzDate(bad)).toBeUndefined();
    }
  });

  it('prefers x-amz-date and falls back to Date', () => {
    expect(requestDateTime('20130524T000000Z', 'Sat, 25 May 2013 00:00:00 GMT').datetime).toBe('20130524T000000Z');
    expect(requestDateTime(undefined, 'Fri, 24 May 2013 00:00:00 GMT')).toEqual({ date: T, datetime: '20130524T000000Z' });
    expect(() => requestDateTime(undefined, undefined)).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    expect(() => requestDateTime('yesterday', undefined)).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    expect(() => requestDateTime(undefined, 'not a date')).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
  });

  it('allows 15 minutes of skew either way', () => {
    expect(() => checkSkew(T, at(15 * MIN), 15 * MIN)).not.toThrow();
    expect(() => checkSkew(T, at(-15 * MIN), 15 * MIN)).not.toThrow();
    expect(() => checkSkew(T, at(15 * MIN + 1000), 15 * MIN)).toThrow(expect.objectContaining({ code: 'RequestTimeTooSkewed' }));
    expect(() => checkSkew(T, at(-15 * MIN - 1000), 15 * MIN)).toThrow(expect.objectContaining({ code: 'RequestTimeTooSkewed' }));
  });

  it('expires presigned requests and refuses them from the future', () => {
    expect(() => checkPresignedTime(T, 60, at(60_000), 15 * MIN)).not.toThrow();
    expect(() => checkPresignedTime(T, 60, at(61_000), 15 * MIN)).toThrow(expect.objectContaining({ code: 'AccessDenied', message: 'Request has expired' }));
    expect(() => checkPresignedTime(T, 60, at(-14 * MIN), 15 * MIN)).not.toThrow();
    expect(() => checkPresignedTime(T, 60, at(-16 * MIN), 15 * MIN)).toThrow(expect.objectContaining({ code: 'RequestTimeTooSkewed' }));
    // An old but long-lived URL is fine: presigned requests have no skew check into the past.
    expect(() => checkPresignedTime(T, 604800, at(6 * 24 * 60 * MIN), 15 * MIN)).not.toThrow();
  });

  it('requires the scope date to be the request day', () => {
    expect(() => checkScopeDate('20130524', '20130524T235959Z', 'AuthorizationHeaderMalformed')).not.toThrow();
    expect(() => checkScopeDate('20130523', '20130524T000000Z', 'AuthorizationHeaderMalformed')).toThrow(expect.objectContaining({ code: 'AuthorizationHeaderMalformed' }));
  });

  it('parses a repeated x-amz-date once, and still gives each caller its own Date', () => {
    const a = parseAmzDate('20130524T000000Z');
    const b = parseAmzDate('20130524T000000Z');
    expect(a).toEqual(new Date(Date.UTC(2013, 4, 24)));
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
    expect(parseAmzDate('20130524T000001Z')).toEqual(new Date(Date.UTC(2013, 4, 24, 0, 0, 1)));
    expect(parseAmzDate('20130231T000000Z')).toBeUndefined();
    expect(parseAmzDate('20130524T000000Z')?.getTime()).toBe(Date.UTC(2013, 4, 24));
  });
});

