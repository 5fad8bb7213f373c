import { canonicalUri } from './canonical-uri';

describe('canonicalUri (S3: single encoding, no normalisation)', () => {
  it.each([
    ['', '/'],
    ['/', '/'],
    ['/bucket/key.txt', '/bucket/key.txt'],
    ['/bucket/a%20b', '/bucket/a%20b'],
    ['/bucket/a%2fb', '/bucket/a%2Fb'],
    ['/bucket/a%2Fb/c', '/bucket/a%2Fb/c'],
    ['/bucket/a+b', '/bucket/a%2Bb'],
    ['/bucket/a%2Bb', '/bucket/a%2Bb'],
    ['/bucket/%7Etilde', '/bucket/~tilde'],
    ['/bucket/x//y', '/bucket/x//y'],
    ['/bucket/../x', '/bucket/../x'],
    ['/bucket/./x/', '/bucket/./x/'],
    ['/bucket/%E1%88%B4', '/bucket/%E1%88%B4'],
    ['/bucket/ሴ', '/bucket/%E1%88%B4'],
    ['/bucket/!$', '/bucket/%21%24'],
    ['/test%24file.text', '/test%24file.text'],
  ])('%j → %j', (raw, expected) => {
    expect(canonicalUri(raw)).toBe(expected);
  });
});
