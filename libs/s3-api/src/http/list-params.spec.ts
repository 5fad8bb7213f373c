import { isS3Error } from '@massive/s3-protocol';
import { decodeContinuationToken, encodeContinuationToken, parseEncodingType, parseMaxKeys } from './list-params';

const q = (s: string) => new URLSearchParams(s);

describe('list parameters', () => {
  it.each([
    ['', 1000],
    ['max-keys=0', 0],
    ['max-keys=7', 7],
    ['max-keys=1000', 1000],
    ['max-keys=5000', 1000],
  ])('max-keys from %j is %i', (s, n) => expect(parseMaxKeys(q(s), 'max-keys')).toBe(n));

  it.each(['max-keys=-1', 'max-keys=abc', 'max-keys=1.5'])('%s is InvalidArgument', (s) => {
    expect(() => parseMaxKeys(q(s), 'max-keys')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it('accepts only encoding-type=url', () => {
    expect(parseEncodingType(q(''))).toBeUndefined();
    expect(parseEncodingType(q('encoding-type=url'))).toBe('url');
    expect(() => parseEncodingType(q('encoding-type=base64'))).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it.each(['', 'a', 'dir/sub/', '✓ unicode', '\u0000x', 'k'.repeat(1024)])('round-trips continuation token for %j', (k) => {
    const t = encodeContinuationToken(k);
    expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeContinuationToken(t)).toBe(k);
  });

  it.each(['', 'garbage!', 'Zm9v', '%%%'])('rejects token %j', (t) => {
    try {
      decodeContinuationToken(t);
      throw new Error('accepted');
    } catch (e) {
      expect(isS3Error(e, 'InvalidArgument')).toBe(true);
    }
  });
});
