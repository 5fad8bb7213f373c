import { S3Error } from '@massive/s3-protocol';
import { StsError, toStsError } from './sts-api';

describe('toStsError: what the shared verifier and session tokens throw, in STS words', () => {
  const as = (e: unknown) => {
    const s = toStsError(e);
    return [s.code, s.status];
  };

  it('maps token and key refusals to STS codes', () => {
    expect(as(new S3Error('InvalidToken'))).toEqual(['InvalidClientTokenId', 403]);
    expect(as(new S3Error('ExpiredToken'))).toEqual(['ExpiredToken', 400]);
    expect(as(new S3Error('InvalidAccessKeyId'))).toEqual(['InvalidClientTokenId', 403]);
  });

  it('maps signature failures: a wrong signature or stale time is SignatureDoesNotMatch, a malformed one IncompleteSignature', () => {
    expect(as(new S3Error('SignatureDoesNotMatch'))).toEqual(['SignatureDoesNotMatch', 403]);
    expect(as(new S3Error('RequestTimeTooSkewed'))).toEqual(['SignatureDoesNotMatch', 403]);
    expect(as(new S3Error('AuthorizationHeaderMalformed', 'incorrect service "s3"'))).toEqual(['IncompleteSignature', 400]);
    expect(toStsError(new S3Error('AuthorizationHeaderMalformed', 'incorrect service "s3"')).message).toBe('incorrect service "s3"');
  });

  it('keeps its own errors, and turns anything else into InternalFailure (500)', () => {
    const own = new StsError('ValidationError', 'bad', 400);
    expect(toStsError(own)).toBe(own);
    expect(as(new Error('boom'))).toEqual(['InternalFailure', 500]);
    expect(as(new S3Error('InternalError'))).toEqual(['InternalFailure', 500]);
  });
});
