import { percentDecode, uriEncode } from './uri-encode';

describe('uriEncode', () => {
  it.each([
    ['-._~AZaz09', false, '-._~AZaz09'],
    ['a b', false, 'a%20b'],
    ['a/b', false, 'a%2Fb'],
    ['a/b', true, 'a/b'],
    ['+*!\'()', false, '%2B%2A%21%27%28%29'],
    ['ሴ', false, '%E1%88%B4'],
    ['😀', false, '%F0%9F%98%80'],
    ['=&%', false, '%3D%26%25'],
  ])('%j (keep slash %s) → %s', (input, keepSlash, expected) => {
    expect(uriEncode(input, keepSlash)).toBe(expected);
  });
});

describe('percentDecode', () => {
  it('decodes escapes to bytes and keeps other characters as UTF-8', () => {
    expect(percentDecode('a%20b%2fc', false).toString()).toBe('a b/c');
    expect(percentDecode('%E1%88%B4ሴ', false).toString()).toBe('ሴሴ');
    expect(percentDecode('%FF', false)).toEqual(Buffer.from([0xff]));
  });
  it('keeps a malformed escape literal', () => {
    expect(percentDecode('100%', false).toString()).toBe('100%');
    expect(percentDecode('%zz%4', false).toString()).toBe('%zz%4');
  });
  it('decodes + as a space only for queries', () => {
    expect(percentDecode('a+b', true).toString()).toBe('a b');
    expect(percentDecode('a+b', false).toString()).toBe('a+b');
  });
});
