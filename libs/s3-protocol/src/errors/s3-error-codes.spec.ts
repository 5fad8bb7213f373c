import { S3_ERRORS, type S3ErrorCode } from './s3-error-codes';
import { S3Error } from './s3-error';

describe('S3 error table', () => {
  it.each<[S3ErrorCode, number]>([
    ['AccessDenied', 403],
    ['AuthorizationHeaderMalformed', 400],
    ['BadDigest', 400],
    ['BucketAlreadyExists', 409],
    ['BucketAlreadyOwnedByYou', 409],
    ['BucketNotEmpty', 409],
    ['EntityTooLarge', 400],
    ['EntityTooSmall', 400],
    ['IncompleteBody', 400],
    ['InternalError', 500],
    ['InvalidAccessKeyId', 403],
    ['InvalidArgument', 400],
    ['InvalidBucketName', 400],
    ['InvalidDigest', 400],
    ['InvalidPart', 400],
    ['InvalidPartOrder', 400],
    ['InvalidRange', 416],
    ['InvalidRequest', 400],
    ['KeyTooLongError', 400],
    ['MalformedXML', 400],
    ['MaxMessageLengthExceeded', 400],
    ['MetadataTooLarge', 400],
    ['RequestHeaderSectionTooLarge', 400],
    ['RequestTimeout', 400],
    ['MethodNotAllowed', 405],
    ['MissingContentLength', 411],
    ['NoSuchBucket', 404],
    ['NoSuchKey', 404],
    ['NoSuchUpload', 404],
    ['NoSuchVersion', 404],
    ['NotImplemented', 501],
    ['NotModified', 304],
    ['PreconditionFailed', 412],
    ['RequestTimeTooSkewed', 403],
    ['ServiceUnavailable', 503],
    ['SignatureDoesNotMatch', 403],
    ['SlowDown', 503],
    ['XAmzContentSHA256Mismatch', 400],
    ['IncorrectNumberOfFilesInPostRequest', 400],
    ['InvalidPolicyDocument', 400],
    ['InvalidToken', 400],
    ['MalformedPOSTRequest', 400],
    ['MaxPostPreDataLengthExceededError', 400],
    ['ServerSideEncryptionConfigurationNotFoundError', 404],
  ])('%s is HTTP %i', (code, status) => {
    expect(S3_ERRORS[code].status).toBe(status);
    expect(new S3Error(code).status).toBe(status);
  });

  it('has a message for every code', () => {
    for (const [code, { message }] of Object.entries(S3_ERRORS)) {
      expect(message.length).toBeGreaterThan(0);
      // S3's codes are one word, except those of KMS it passes on (`KMS.NotFoundException`).
      expect(code).toMatch(/^(KMS\.)?[A-Z][A-Za-z0-9]+$/);
    }
  });
});
