import { isS3Error } from '@massive/s3-protocol';
import { validateBucketName } from './bucket-name';

describe('validateBucketName', () => {
  it.each(['abc', 'my-bucket', 'my.bucket.name', 'a'.repeat(63), '123bucket', 'b-1.c-2'])('accepts %s', (n) => {
    expect(() => validateBucketName(n)).not.toThrow();
  });
  it.each(['ab', 'a'.repeat(64), 'My-Bucket', 'my_bucket', '-bucket', 'bucket-', 'my..bucket', 'my.-bucket', '192.168.5.4', 'xn--bucket', 'bucket-s3alias', 'bu cket', ''])(
    'rejects %j',
    (n) => {
      try {
        validateBucketName(n);
        throw new Error('accepted');
      } catch (e) {
        expect(isS3Error(e, 'InvalidBucketName')).toBe(true);
      }
    },
  );
});
