import { metricsGate } from './metrics-access';

describe('metricsGate (/-/metrics on the S3 port)', () => {
  const withToken = metricsGate({ token: 'metrics-token-0123456789' });

  it.each([
    ['no Authorization', {}, { allowed: false, status: 401 }],
    ['an empty Authorization', { authorization: '' }, { allowed: false, status: 401 }],
    ['a wrong token', { authorization: 'Bearer metrics-token-012345678X' }, { allowed: false, status: 403 }],
    ['a longer wrong token', { authorization: 'Bearer metrics-token-0123456789-and-more' }, { allowed: false, status: 403 }],
    ['the token without Bearer', { authorization: 'metrics-token-0123456789' }, { allowed: false, status: 403 }],
    ['Basic auth', { authorization: 'Basic bWV0cmljczp0b2tlbg==' }, { allowed: false, status: 403 }],
    ['the right token', { authorization: 'Bearer metrics-token-0123456789' }, { allowed: true }],
  ])('with a token configured: %s', (_what, headers, verdict) => {
    expect(withToken(headers)).toMatchObject(verdict);
  });

  it('is closed (403, saying how to open it) when neither a token nor public is configured', () => {
    for (const gate of [metricsGate(undefined), metricsGate({}), metricsGate({ token: '' })]) {
      const v = gate({ authorization: 'Bearer anything' });
      expect(v).toMatchObject({ allowed: false, status: 403 });
      expect(v.allowed === false && v.message).toMatch(/MASSIVE_METRICS_TOKEN.*MASSIVE_METRICS_PUBLIC=true/);
    }
  });

  it('is open to anyone when public', () => {
    expect(metricsGate({ public: true })({})).toEqual({ allowed: true });
  });
});
