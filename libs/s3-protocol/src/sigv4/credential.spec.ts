import { formatScope, parseCredential } from './credential';

describe('credential', () => {
  it('parses and formats the scope', () => {
    const c = parseCredential('AKID/20130524/eu-west-1/s3/aws4_request', 'AuthorizationQueryParametersError');
    expect(c).toEqual({ accessKeyId: 'AKID', scope: { date: '20130524', region: 'eu-west-1', service: 's3' } });
    expect(formatScope(c.scope)).toBe('20130524/eu-west-1/s3/aws4_request');
  });

  it('uses the carrier error code', () => {
    expect(() => parseCredential('/20130524/eu-west-1/s3/aws4_request', 'AuthorizationQueryParametersError')).toThrow(
      expect.objectContaining({ code: 'AuthorizationQueryParametersError' }),
    );
    expect(() => parseCredential('AKID/20130524//s3/aws4_request', 'AuthorizationHeaderMalformed')).toThrow(expect.objectContaining({ code: 'AuthorizationHeaderMalformed' }));
  });

  it('accepts another service when asked to', () => {
    expect(parseCredential('AKID/20150830/us-east-1/service/aws4_request', 'AuthorizationHeaderMalformed', 'service').scope.service).toBe('service');
  });
});
