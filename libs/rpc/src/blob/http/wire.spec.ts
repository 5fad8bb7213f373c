import { ERROR_CODES, ServiceError } from '@massive/contracts';
import { deadlineFrom, errorFields, errorFromResponse, errorFromTrailers, errorTrailers, httpStatusOf } from './wire';

describe('blob data path wire mapping', () => {
  it('every ErrorCode has an HTTP status (4xx for the caller\'s mistakes, 5xx for ours)', () => {
    const table = Object.fromEntries(ERROR_CODES.map((c) => [c, httpStatusOf(c)]));
    expect(table).toMatchObject({ NoSuchKey: 404, InvalidRange: 416, InvalidArgument: 400, Unavailable: 503, DataCorrupted: 500, Internal: 500, IntentExpired: 412, Conflict: 409 });
    for (const c of ERROR_CODES) expect(httpStatusOf(c)).toBeGreaterThanOrEqual(400);
  });

  it.each(ERROR_CODES)('%s round-trips through response headers and through trailers', (code) => {
    const e = new ServiceError(code, `msg ${code}: "quoted", ü, 100%`, { objectSize: 7, uploadId: 'u' });
    const viaHeaders = errorFromResponse(httpStatusOf(code), errorFields(e), e.message, 'blob');
    const viaTrailers = errorFromTrailers(errorTrailers(e), 'blob');
    for (const got of [viaHeaders, viaTrailers]) expect([got?.code, got?.message, got?.detail]).toEqual([code, e.message, e.detail]);
  });

  it.each([
    [401, 'Internal', /UNAUTHENTICATED/],
    [502, 'Unavailable', /HTTP 502/],
    [503, 'Unavailable', /HTTP 503/],
    [504, 'Unavailable', /HTTP 504/],
    [404, 'Internal', /HTTP 404/],
  ])('a %i without our code header (proxy, older peer) is %s', (status, code, message) => {
    const e = errorFromResponse(status, {}, 'body', 'blob');
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('trailers: OK ends well; none at all is Unavailable; an unknown code is Internal', () => {
    expect(errorFromTrailers({ 'massive-status': 'OK' }, 'blob')).toBeUndefined();
    expect(errorFromTrailers({}, 'blob')?.code).toBe('Unavailable');
    expect(errorFromTrailers({ 'massive-status': 'Bogus' }, 'blob')?.code).toBe('Internal');
  });

  it('the deadline header: digits only', () => {
    expect(deadlineFrom({ 'massive-timeout-ms': '250' }, 1000)).toBe(1250);
    for (const bad of ['-1', '1e3', '', 'soon', '12345678901']) expect(deadlineFrom({ 'massive-timeout-ms': bad }, 1000)).toBeUndefined();
    expect(deadlineFrom({}, 1000)).toBeUndefined();
  });
});
