import { canonicalQuery, parseRawQuery } from './canonical-query';

describe('parseRawQuery', () => {
  it('decodes names and values and keeps empty values', () => {
    const params = parseRawQuery('acl&a=&b=1%202&c+d=e+f');
    expect(params.map((p) => [p.name, p.value])).toEqual([
      ['acl', ''],
      ['a', ''],
      ['b', '1 2'],
      ['c d', 'e f'],
    ]);
  });
  it('splits on the first = only', () => {
    expect(parseRawQuery('a=b=c')[0].value).toBe('b=c');
  });
  it('is empty for an empty string', () => {
    expect(parseRawQuery('')).toEqual([]);
  });
});

describe('canonicalQuery', () => {
  it.each([
    ['', ''],
    ['acl', 'acl='],
    ['uploads=', 'uploads='],
    ['b=2&a=1', 'a=1&b=2'],
    ['a=2&a=1&a=10', 'a=1&a=10&a=2'],
    ['prefix=a%2Fb&delimiter=%2F', 'delimiter=%2F&prefix=a%2Fb'],
    ['prefix=a/b', 'prefix=a%2Fb'],
    ['k=a%20b', 'k=a%20b'],
    ['k=a+b', 'k=a%20b'],
    ['k=%7e', 'k=~'],
    ['k=%2b', 'k=%2B'],
    ['%E1%88%B4=bar', '%E1%88%B4=bar'],
    ['B=1&a=1&_=1', 'B=1&_=1&a=1'],
  ])('%j → %j', (raw, expected) => {
    expect(canonicalQuery(parseRawQuery(raw))).toBe(expected);
  });

  it('drops the excluded parameter (X-Amz-Signature of a presigned URL)', () => {
    expect(canonicalQuery(parseRawQuery('X-Amz-Signature=abc&X-Amz-Date=1'), 'X-Amz-Signature')).toBe('X-Amz-Date=1');
  });
});
