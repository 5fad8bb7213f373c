import { isS3Error } from '../errors';
import { isBlankBody, leafText, parseXmlBoolean, readXmlDocument } from './xml-reader';

function malformed(fn: () => unknown): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(isS3Error(err, 'MalformedXML')).toBe(true);
}

describe('readXmlDocument', () => {
  it('reads nested elements, ignoring the prolog, namespace, prefixes, comments and processing instructions', () => {
    const root = readXmlDocument(
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><s3:R xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><?pi x?><A>1</A>\n  <B><C/></B><!-- c --></s3:R>\n',
      'R',
    );
    expect(root.children.map((c) => c.name)).toEqual(['A', 'B']);
    expect(root.children[1].children[0]).toEqual({ name: 'C', children: [], text: '' });
  });

  it('accepts a UTF-8 Buffer with a byte-order mark', () => {
    const root = readXmlDocument(Buffer.from('\ufeff<R><A>ü</A></R>', 'utf8'), 'R');
    expect(leafText(root.children[0])).toBe('ü');
  });

  it.each([
    ['&amp;&lt;&gt;&quot;&apos;', '&<>"\''],
    ['&#x41;&#65;&#x1F600;', 'AA😀'],
    ['&#x1;&#x1b;&#9;', '\u0001\u001b\t'],
    ['a&#13;&#10;b', 'a\r\nb'],
    ['a\r\nb\rc', 'a\nb\nc'],
    ['<![CDATA[a&amp;<b>]]>', 'a&amp;<b>'],
    ['x<!-- c -->y', 'xy'],
    ['  spaced  ', '  spaced  '],
  ])('decodes text %j as %j', (inner, expected) => {
    expect(leafText(readXmlDocument(`<R><A>${inner}</A></R>`, 'R').children[0])).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['not xml', 'garbage'],
    ['unclosed', '<R><A>x</A>'],
    ['mismatched', '<R><A>x</B></R>'],
    ['wrong root', '<Other/>'],
    ['two roots', '<R/><R/>'],
    ['text after root', '<R/>junk'],
    ['bare ampersand', '<R><A>a & b</A></R>'],
    ['unterminated entity', '<R><A>a &amp b</A></R>'],
    ['unknown entity', '<R><A>&nbsp;</A></R>'],
    ['empty char ref', '<R><A>&#;</A></R>'],
    ['NUL char ref', '<R><A>&#x0;</A></R>'],
    ['surrogate char ref', '<R><A>&#xD800;</A></R>'],
    ['U+FFFE char ref', '<R><A>&#xFFFE;</A></R>'],
    ['out of range char ref', '<R><A>&#x110000;</A></R>'],
    ['raw control character', '<R><A>a\u0001b</A></R>'],
    ['lone surrogate', '<R><A>a\ud800b</A></R>'],
    ['DOCTYPE', '<!DOCTYPE R><R/>'],
    ['XXE', '<?xml version="1.0"?><!DOCTYPE R [<!ENTITY x SYSTEM "file:///etc/passwd">]><R><A>&x;</A></R>'],
    ['entity declaration', '<!doctype R [<!ENTITY e "zz">]><R><A>&e;</A></R>'],
    ['deep nesting', `<R>${'<a>'.repeat(100000)}${'</a>'.repeat(100000)}</R>`],
  ])('rejects %s as MalformedXML', (_name, xml) => {
    malformed(() => readXmlDocument(xml, 'R'));
  });

  it('rejects invalid UTF-8 bytes', () => {
    malformed(() => readXmlDocument(Buffer.from([0x3c, 0x52, 0x3e, 0xff, 0x3c, 0x2f, 0x52, 0x3e]), 'R'));
  });

  it('rejects element content where text belongs', () => {
    malformed(() => leafText(readXmlDocument('<R><A><B/></A></R>', 'R').children[0]));
  });
});

describe('isBlankBody', () => {
  it.each([['', true], [' \r\n\t', true], [Buffer.alloc(0), true], ['<R/>', false]])('%j → %p', (body, blank) => {
    expect(isBlankBody(body)).toBe(blank);
  });
});

describe('parseXmlBoolean', () => {
  it.each([['true', true], ['1', true], [' false ', false], ['0', false]])('%j → %p', (raw, v) => expect(parseXmlBoolean(raw)).toBe(v));
  it.each([['TRUE'], ['yes'], ['']])('rejects %j', (raw) => malformed(() => parseXmlBoolean(raw)));
});
