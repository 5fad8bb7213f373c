import { createHash } from 'node:crypto';
import { parseContentMd5, verifyContentMd5 } from './content-md5';

describe('Content-MD5', () => {
  const md5 = createHash('md5').update('Welcome to Amazon S3.').digest();

  it('decodes a valid value', () => {
    expect(parseContentMd5(md5.toString('base64'))).toEqual(md5);
    expect(parseContentMd5(` ${md5.toString('base64')} `)).toEqual(md5);
  });

  it.each(['', 'abc', md5.toString('hex'), 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA', '!!!!!!!!!!!!!!!!!!!!!!==', md5.toString('base64').replace(/=+$/, '')])('answers InvalidDigest for %j', (value) => {
    expect(() => parseContentMd5(value)).toThrow(expect.objectContaining({ code: 'InvalidDigest' }));
  });

  it('answers BadDigest when the body differs', () => {
    expect(() => verifyContentMd5(md5, md5)).not.toThrow();
    expect(() => verifyContentMd5(md5, createHash('md5').update('other').digest())).toThrow(expect.objectContaining({ code: 'BadDigest' }));
  });
});
