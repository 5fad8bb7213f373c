import { createHash } from 'node:crypto';
import { collect, errorCode, randomSplit } from '../../test/sources';
import { verifyPayloadSha256 } from './payload-hash';

describe('verifyPayloadSha256', () => {
  const body = Buffer.from('Welcome to Amazon S3.');
  const hash = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072';

  it('passes the body through when its hash matches (AWS PUT example)', async () => {
    expect(createHash('sha256').update(body).digest('hex')).toBe(hash);
    for (const seed of [1, 2, 3]) expect(await collect(verifyPayloadSha256(randomSplit(body, seed, 5), hash))).toEqual(body);
    expect(await collect(verifyPayloadSha256(randomSplit(body, 1), hash.toUpperCase()))).toEqual(body);
  });

  it('throws XAmzContentSHA256Mismatch at the end when it does not', async () => {
    const tampered = Buffer.from('Welcome to Amazon S4.');
    await expect(collect(verifyPayloadSha256(randomSplit(tampered, 1), hash))).rejects.toMatchObject({
      code: 'XAmzContentSHA256Mismatch',
      extra: { ClientComputedContentSHA256: hash, S3ComputedContentSHA256: createHash('sha256').update(tampered).digest('hex') },
    });
    expect(await errorCode(collect(verifyPayloadSha256(randomSplit(Buffer.alloc(0), 1), hash)))).toBe('XAmzContentSHA256Mismatch');
  });
});
