import { ERROR_CODES, isErrorCode, isServiceError, ServiceError } from './service-error';

describe('ServiceError', () => {
  it('carries its code and detail', () => {
    const e = new ServiceError('InvalidRange', 'bad range', { objectSize: 10 });
    expect(isServiceError(e, 'InvalidRange')).toBe(true);
    expect(isServiceError(e, 'NoSuchKey')).toBe(false);
    expect(e.detail).toEqual({ objectSize: 10 });
  });
  it('recognises only known codes', () => {
    for (const c of ERROR_CODES) expect(isErrorCode(c)).toBe(true);
    expect(isErrorCode('Bogus')).toBe(false);
  });
});
