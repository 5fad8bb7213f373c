import { parseAuthorizationHeader } from './parse-authorization';

const SIG = 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';

describe('parseAuthorizationHeader', () => {
  it('parses the AWS documentation example', () => {
    expect(
      parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-date, Signature=${SIG}`),
    ).toEqual({
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      scope: { date: '20130524', region: 'us-east-1', service: 's3' },
      signedHeaders: ['host', 'range', 'x-amz-date'],
      signature: SIG,
    });
  });

  it.each([
    `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=${SIG}`,
    `AWS4-HMAC-SHA256   Signature=${SIG} ,  SignedHeaders=host , Credential=AKID/20130524/us-east-1/s3/aws4_request`,
    ` AWS4-HMAC-SHA256 Credential = AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders= host, Signature =${SIG} `,
  ])('tolerates spacing and order: %s', (value) => {
    const parsed = parseAuthorizationHeader(value);
    expect(parsed.accessKeyId).toBe('AKID');
    expect(parsed.signedHeaders).toEqual(['host']);
    expect(parsed.signature).toBe(SIG);
  });

  it.each([
    ['missing signature', 'AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host', /Signature/],
    ['missing credential', `AWS4-HMAC-SHA256 SignedHeaders=host, Signature=${SIG}`, /Credential/],
    ['repeated component', `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, Credential=X/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${SIG}`, /repeated/],
    ['unknown component', `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${SIG}, Foo=bar`, /Foo/],
    ['component without =', `AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=${SIG}`, /malformed/],
    ['other service', `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=${SIG}`, /service "ec2"/],
    ['bad terminator', `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws5_request, SignedHeaders=host, Signature=${SIG}`, /aws5_request/],
    ['short credential', `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3, SignedHeaders=host, Signature=${SIG}`, /credential/],
    ['bad date', `AWS4-HMAC-SHA256 Credential=AKID/2013-05-24/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${SIG}`, /yyyyMMdd/],
    ['uppercase signed header', `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=Host, Signature=${SIG}`, /lowercase/],
    ['empty signed header', `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;;x, Signature=${SIG}`, /lowercase/],
    ['short signature', 'AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc', /64/],
    ['wrong algorithm', `AWS4-HMAC-SHA512 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${SIG}`, /AWS4-HMAC-SHA256/],
  ])('rejects %s as AuthorizationHeaderMalformed', (_what, value, message) => {
    expect(() => parseAuthorizationHeader(value)).toThrow(expect.objectContaining({ code: 'AuthorizationHeaderMalformed', message: expect.stringMatching(message) }));
  });

  it('answers SigV2 with InvalidRequest', () => {
    expect(() => parseAuthorizationHeader('AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=')).toThrow(expect.objectContaining({ code: 'InvalidRequest' }));
  });

  it('gives the same answer on the one-match path SDKs hit and on the general one, and reuses nothing wrongly', () => {
    const canonical = `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${SIG}`;
    const general = `AWS4-HMAC-SHA256 Signature=${SIG}, SignedHeaders=host;x-amz-date, Credential=AKID/20130524/us-east-1/s3/aws4_request`;
    expect(parseAuthorizationHeader(canonical)).toEqual(parseAuthorizationHeader(general));
    // The second parse of the same signed header list reuses the first, which is frozen.
    const again = parseAuthorizationHeader(canonical.replace('AKID', 'OTHER'));
    expect(again.signedHeaders).toEqual(['host', 'x-amz-date']);
    expect(Object.isFrozen(again.signedHeaders)).toBe(true);
    expect(again.accessKeyId).toBe('OTHER');
    // A canonical-looking header is still validated: bad header names, scope and signature are refused.
    expect(() => parseAuthorizationHeader(canonical.replace('host;x-amz-date', 'Host;x-amz-date'))).toThrow(/Signed headers/);
    expect(() => parseAuthorizationHeader(canonical.replace('/s3/', '/ec2/'))).toThrow(/incorrect service/);
    expect(() => parseAuthorizationHeader(canonical.replace(SIG, SIG.toUpperCase()))).toThrow(/signature/);
    expect(() => parseAuthorizationHeader(canonical.replace('host;x-amz-date', 'host;host'))).toThrow(/Signed headers/);
  });

  it('reuses the last credential parsed only for that very credential and service', () => {
    const header = (credential: string) => `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host, Signature=${SIG}`;
    const a = parseAuthorizationHeader(header('AKID/20130524/us-east-1/s3/aws4_request'));
    expect(Object.isFrozen(a.scope)).toBe(true);
    expect(parseAuthorizationHeader(header('AKID/20130524/us-east-1/s3/aws4_request')).scope).toBe(a.scope);
    // Alternating keys, dates and regions each get their own answer.
    expect(parseAuthorizationHeader(header('OTHER/20130525/eu-west-1/s3/aws4_request'))).toMatchObject({ accessKeyId: 'OTHER', scope: { date: '20130525', region: 'eu-west-1', service: 's3' } });
    expect(parseAuthorizationHeader(header('AKID/20130524/us-east-1/s3/aws4_request'))).toMatchObject({ accessKeyId: 'AKID', scope: { date: '20130524', region: 'us-east-1' } });
    // The credential a caller of another service would accept is still checked against this one's.
    expect(() => parseAuthorizationHeader(header('AKID/20130524/us-east-1/s3/aws4_request'), 'iam')).toThrow(/incorrect service/);
    expect(parseAuthorizationHeader(header('AKID/20130524/us-east-1/iam/aws4_request'), 'iam').scope.service).toBe('iam');
    expect(() => parseAuthorizationHeader(header('AKID/20130524/us-east-1/iam/aws4_request'))).toThrow(/incorrect service/);
  });
});

