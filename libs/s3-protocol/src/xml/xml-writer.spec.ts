import { parseBack } from './testing/xml-assert';
import { buildListBucketResult, buildListBucketResultPieces } from './list-bucket-result';
import { buildListBucketResultV2, buildListBucketResultV2Pieces } from './list-bucket-result-v2';
import { PIECE_CHARS, XmlWriter, escapeXml, formatTimestamp, quoteETag } from './xml-writer';

describe('escapeXml', () => {
  it.each([
    ['plain/key.txt', 'plain/key.txt'],
    ['a&b', 'a&amp;b'],
    ['<tag>', '&lt;tag&gt;'],
    [`say "hi" it's`, 'say &quot;hi&quot; it&apos;s'],
    ['&amp;', '&amp;amp;'],
    ['\u0000', '&#x0;'],
    ['a\u0001b', 'a&#x1;b'],
    ['\u001b[0m', '&#x1b;[0m'],
    ['\u000b\u000c', '&#xb;&#xc;'],
    ['cr\rlf', 'cr&#xd;lf'],
    ['tab\tand\nnewline', 'tab\tand\nnewline'],
    ['\u007f', '\u007f'],
    ['\ufffe\uffff', '&#xfffe;&#xffff;'],
    ['日本語 😀', '日本語 😀'],
  ])('%j → %j', (input, expected) => {
    expect(escapeXml(input)).toBe(expected);
  });

  it('returns the same string when nothing needs escaping (fast path)', () => {
    const s = 'photos/2006/January/sample.jpg';
    expect(escapeXml(s)).toBe(s);
  });
});

describe('quoteETag', () => {
  it.each([
    ['abc', '"abc"'],
    ['"abc"', '"abc"'],
    ['"', '"""'],
    ['', '""'],
    ['abc-3', '"abc-3"'],
  ])('%j → %j', (input, expected) => expect(quoteETag(input)).toBe(expected));
});

describe('XmlWriter', () => {
  it('writes the AWS prolog, namespace, and no whitespace between elements', () => {
    const xml = new XmlWriter('Root').text('A', 'x').optText('B', undefined).optText('C', '').int('N', 0).bool('T', true).date('D', new Date(0)).end();
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Root xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><A>x</A><C></C><N>0</N><T>true</T><D>1970-01-01T00:00:00.000Z</D></Root>',
    );
    parseBack(xml);
  });

  it('can leave out the namespace (the Error document has none)', () => {
    expect(new XmlWriter('Error', false).end()).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<Error></Error>');
  });

  it.each([1.5, NaN, Infinity, 2 ** 53])('rejects the non-integer %p', (n) => {
    expect(() => new XmlWriter('R').int('N', n)).toThrow(TypeError);
  });
});

describe('XmlWriter pieces', () => {
  it('a small document is one piece, equal to end()', () => {
    const build = () => new XmlWriter('R').text('A', 'x').int('N', 1);
    expect(build().endPieces()).toEqual([build().end()]);
  });

  it('a large document comes in pieces of about PIECE_CHARS that concatenate to end(), multibyte text included', () => {
    const build = () => {
      const w = new XmlWriter('ListBucketResult');
      for (let i = 0; i < 3000; i++) w.open('Contents').text('Key', `dir/ключ-${i}-é<&>`).int('Size', i).close('Contents');
      return w;
    };
    const whole = build().end();
    const pieces = build().endPieces();
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.join('')).toBe(whole);
    // Each piece but the last reaches the bound, and none passes it by more than one element's markup.
    for (const p of pieces.slice(0, -1)) expect(p.length).toBeGreaterThanOrEqual(PIECE_CHARS);
    for (const p of pieces) expect(p.length).toBeLessThan(PIECE_CHARS + 100);
    parseBack(whole);
  });

  it('every listing builder\'s pieces concatenate to its string', () => {
    const objects = Array.from({ length: 1000 }, (_, i) => ({ Key: `k/${i}/ü`, LastModified: new Date(1_796_317_902_627 + i), ETag: 'abc', Size: i, StorageClass: 'STANDARD' }));
    const input = { Name: 'b', Prefix: '', MaxKeys: 1000, IsTruncated: false, Contents: objects, CommonPrefixes: ['p/'] };
    expect(buildListBucketResultV2Pieces(input).length).toBeGreaterThan(1);
    expect(buildListBucketResultV2Pieces(input).join('')).toBe(buildListBucketResultV2(input));
    const v1 = { ...input, Marker: '' };
    expect(buildListBucketResultPieces(v1).join('')).toBe(buildListBucketResult(v1));
  });
});

describe('formatTimestamp', () => {
  it('is exactly toISOString, for times in and across seconds, before 1970 and past year 9999', () => {
    const times = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, -1, -999, -1000, -1001, 1_796_317_902_627, 1_796_317_902_999, 1_796_317_903_000, 253_402_300_799_999, 253_402_300_800_000, -62_198_755_200_001];
    // Out of order too: the cache of the last second must never leak into another second.
    for (let i = 0; i < 2000; i++) times.push(Math.floor(1_796_317_900_000 + (i * 7919) % 5000), Math.floor((i * 2_654_435_761) % 4e12) - 1e12);
    for (const t of times) {
      expect(formatTimestamp(t)).toBe(new Date(t).toISOString());
      expect(formatTimestamp(new Date(t))).toBe(new Date(t).toISOString());
    }
  });

  it('throws for an invalid time, as toISOString does', () => {
    expect(() => formatTimestamp(new Date(NaN))).toThrow(RangeError);
  });
});
