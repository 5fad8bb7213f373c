import { corsResponseHeaders, matchCorsRule, parseRequestHeaderList, wildcardMatch, type CorsRule } from './cors-rules';

const rule = (r: Partial<CorsRule>): CorsRule => ({ allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [], ...r });

describe('wildcardMatch', () => {
  it.each([
    ['*', '', true],
    ['*', 'http://a.example', true],
    ['http://*.example.com', 'http://www.example.com', true],
    ['http://*.example.com', 'http://example.com', false],
    ['http://*.example.com', 'https://www.example.com', false],
    ['http://a.example', 'http://a.example', true],
    ['http://a.example', 'http://A.example', false],
    ['x-amz-*', 'x-amz-date', true],
    ['x-amz-*', 'x-am', false],
    ['ab*ba', 'aba', false],
    ['ab*ba', 'abba', true],
  ])('%s ~ %s → %s', (p, v, ok) => expect(wildcardMatch(p, v)).toBe(ok));
});

describe('parseRequestHeaderList', () => {
  it('splits, trims, lower-cases and drops empties', () => {
    expect(parseRequestHeaderList(' Content-Type ,x-amz-date,, X-Amz-Meta-A')).toEqual(['content-type', 'x-amz-date', 'x-amz-meta-a']);
    expect(parseRequestHeaderList(undefined)).toEqual([]);
  });
});

describe('matchCorsRule', () => {
  const rules: CorsRule[] = [
    rule({ id: 'put', allowedOrigins: ['http://app.example'], allowedMethods: ['PUT', 'POST'], allowedHeaders: ['content-type', 'x-amz-*'] }),
    rule({ id: 'get', allowedOrigins: ['http://*.example'], allowedMethods: ['GET', 'HEAD'] }),
    rule({ id: 'any', allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: ['*'] }),
  ];

  it('takes the first rule allowing origin, method and every requested header', () => {
    expect(matchCorsRule(rules, 'http://app.example', 'PUT', ['content-type', 'x-amz-date'])?.id).toBe('put');
    expect(matchCorsRule(rules, 'http://app.example', 'GET')?.id).toBe('get');
    expect(matchCorsRule(rules, 'http://other.test', 'GET', ['authorization'])?.id).toBe('any');
  });

  it('refuses when one requested header, the method or the origin is not allowed', () => {
    expect(matchCorsRule(rules, 'http://app.example', 'PUT', ['content-type', 'authorization'])).toBeUndefined();
    expect(matchCorsRule(rules, 'http://app.example', 'DELETE')).toBeUndefined();
    expect(matchCorsRule(rules, 'http://evil.test', 'PUT')).toBeUndefined();
    expect(matchCorsRule(rules, 'http://x.example', 'HEAD', ['range'])).toBeUndefined();
  });

  it('has no match without rules', () => expect(matchCorsRule([], 'http://a', 'GET')).toBeUndefined());
});

describe('corsResponseHeaders', () => {
  it('echoes a listed origin with credentials, expose headers and max age', () => {
    const r = rule({ allowedOrigins: ['http://app.example'], allowedMethods: ['GET', 'PUT'], exposeHeaders: ['ETag', 'x-amz-version-id'], maxAgeSeconds: 600 });
    expect(corsResponseHeaders(r, 'http://app.example', ['content-type'])).toEqual({
      'Access-Control-Allow-Origin': 'http://app.example',
      'Access-Control-Allow-Methods': 'GET, PUT',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Headers': 'content-type',
      'Access-Control-Expose-Headers': 'ETag, x-amz-version-id',
      'Access-Control-Max-Age': '600',
      Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
  });

  it('answers * without credentials for a rule allowing every origin', () => {
    expect(corsResponseHeaders(rule({}), 'http://x.test')).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET',
      Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
  });
});
