import { S3Error } from '../errors';
import { decodeBase64Strict } from './base64';

/** Decodes `Content-MD5` (base64 of the 16-byte MD5); anything else is InvalidDigest, as AWS answers. */
export function parseContentMd5(value: string): Buffer {
  const bytes = decodeBase64Strict(value.trim(), 16);
  if (bytes === undefined) throw new S3Error('InvalidDigest', undefined, { 'Content-MD5': value });
  return bytes;
}

/** Throws BadDigest when the body's MD5 is not the one `Content-MD5` announced. */
export function verifyContentMd5(expected: Buffer, computed: Buffer): void {
  if (!expected.equals(computed)) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', {
      ExpectedDigest: expected.toString('hex'),
      CalculatedDigest: computed.toString('base64'),
    });
  }
}
