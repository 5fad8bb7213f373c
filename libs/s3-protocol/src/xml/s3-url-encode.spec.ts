import { s3UrlEncode, s3UrlEncodeOpt } from './s3-url-encode';

describe('s3UrlEncode (encoding-type=url)', () => {
  it.each([
    // As AWS answers (and the conformance suites check).
    ['a b.txt', 'a%20b.txt'],
    ['a+b.txt', 'a%2Bb.txt'],
    ['100%.csv', '100%25.csv'],
    ['한글/x.txt', '%ED%95%9C%EA%B8%80/x.txt'],
    ['run books/', 'run%20books/'],
    // Kept as is: A-Z a-z 0-9 - _ . * /
    ['AZaz09-_.*/', 'AZaz09-_.*/'],
    // Everything else is %XX of the UTF-8 bytes, upper-case hex.
    ['~', '%7E'],
    ["!'()", '%21%27%28%29'],
    ['a\u0000b\u0001\r\n', 'a%00b%01%0D%0A'],
    ['&<>"', '%26%3C%3E%22'],
    ['=?#:;,@$', '%3D%3F%23%3A%3B%2C%40%24'],
    ['😀', '%F0%9F%98%80'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(s3UrlEncode(input)).toBe(expected);
  });

  it('round-trips through decodeURIComponent and through form decoding alike', () => {
    for (const key of ['a b+c', 'x/y z/%20', 'ümlaut ~*', '\u0001\u001f']) {
      expect(decodeURIComponent(s3UrlEncode(key))).toBe(key);
      expect(decodeURIComponent(s3UrlEncode(key).replace(/\+/g, ' '))).toBe(key);
    }
  });

  it('never throws on a lone surrogate (encoded as U+FFFD)', () => {
    expect(s3UrlEncode('a\ud800')).toBe('a%EF%BF%BD');
  });

  it('passes undefined through in the optional form', () => {
    expect(s3UrlEncodeOpt(undefined)).toBeUndefined();
    expect(s3UrlEncodeOpt('a b')).toBe('a%20b');
  });
});
