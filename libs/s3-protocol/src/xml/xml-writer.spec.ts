import { parseBack } from './testing/xml-assert';
import { XmlWriter, escapeXml, quoteETag } from './xml-writer';

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
