import { canonicalHeaders } from './canonical-headers';
import { toHeaderMap } from './headers';

describe('canonicalHeaders', () => {
  const headers = toHeaderMap({
    Host: 'example.com',
    'X-Amz-Date': '20130524T000000Z',
    'My-Header': '  a   b \t c  ',
    'x-amz-meta-multi': ['one', ' two  three '],
  });

  it('lowercases, trims, collapses spaces and joins repeats with commas', () => {
    expect(canonicalHeaders(headers, ['host', 'my-header', 'x-amz-date', 'x-amz-meta-multi'], 'AuthorizationHeaderMalformed')).toBe(
      'host:example.com\nmy-header:a b c\nx-amz-date:20130524T000000Z\nx-amz-meta-multi:one,two three\n',
    );
  });

  it('requires host to be signed', () => {
    expect(() => canonicalHeaders(headers, ['x-amz-date'], 'AuthorizationHeaderMalformed')).toThrow(expect.objectContaining({ code: 'AuthorizationHeaderMalformed' }));
    expect(() => canonicalHeaders(headers, ['x-amz-date'], 'AuthorizationQueryParametersError')).toThrow(
      expect.objectContaining({ code: 'AuthorizationQueryParametersError' }),
    );
  });

  it('requires every signed header to be present', () => {
    expect(() => canonicalHeaders(headers, ['host', 'range'], 'AuthorizationHeaderMalformed')).toThrow(
      expect.objectContaining({ code: 'SignatureDoesNotMatch', message: expect.stringContaining('range') }),
    );
  });
});
